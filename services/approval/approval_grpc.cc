#include "services/approval/approval_grpc.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/auth/access.h"
#include "libs/status/macros.h"

namespace onewindow::approval {

using server::Call;

grpc::Status ApprovalGrpc::OpenCase(grpc::ServerContext* context,
                                    const approval::v1::OpenCaseRequest* request,
                                    approval::v1::Case* response) {
  return runner_->Run(context, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
    RETURN_IF_ERROR(auth::RequireKind(*principal, {auth::v1::SERVICE, auth::v1::PLATFORM_ADMIN}));
    ASSIGN_OR_RETURN(*response, cases_->Open(*request, absl::Now()));
    call.log().Info("case opened", {{"case_id", response->case_id()},
                                    {"application_id", response->application_id()}});
    return absl::OkStatus();
  });
}

grpc::Status ApprovalGrpc::GetCase(grpc::ServerContext* context,
                                   const approval::v1::GetCaseRequest* request,
                                   approval::v1::Case* response) {
  return runner_->Run(context, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
    ASSIGN_OR_RETURN(*response, cases_->Get(request->case_id()));
    // Another department's case looks absent, not forbidden.
    if (!auth::RequireDepartment(*principal, response->department_id()).ok()) {
      return absl::NotFoundError(absl::StrCat("case ", request->case_id(), " not found"));
    }
    return absl::OkStatus();
  });
}

}  // namespace onewindow::approval
