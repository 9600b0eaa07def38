#include "services/intake/intake_grpc.h"

#include "absl/time/clock.h"
#include "libs/auth/access.h"
#include "libs/status/macros.h"

namespace onewindow::intake {

using server::Call;

grpc::Status IntakeGrpc::SubmitApplication(grpc::ServerContext* context,
                                           const intake::v1::SubmitApplicationRequest* request,
                                           intake::v1::Application* response) {
  return runner_->Run(context, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
    RETURN_IF_ERROR(auth::RequireKind(*principal, {auth::v1::CITIZEN, auth::v1::ENTERPRISE}));
    ASSIGN_OR_RETURN(*response, applications_->Submit(principal->subject(), *request, absl::Now()));
    call.log().Info("application submitted", {{"application_id", response->application_id()},
                                              {"number", response->number()}});
    return absl::OkStatus();
  });
}

grpc::Status IntakeGrpc::GetApplication(grpc::ServerContext* context,
                                        const intake::v1::GetApplicationRequest* request,
                                        intake::v1::Application* response) {
  return runner_->Run(context, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
    const std::string owner =
        principal->kind() == auth::v1::PLATFORM_ADMIN ? "" : principal->subject();
    ASSIGN_OR_RETURN(*response, applications_->Get(request->application_id(), owner));
    return absl::OkStatus();
  });
}

}  // namespace onewindow::intake
