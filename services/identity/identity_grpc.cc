#include "services/identity/identity_grpc.h"

#include "libs/auth/access.h"
#include "libs/codes/mask.h"
#include "libs/status/macros.h"

namespace onewindow::identity {

using server::Call;

grpc::Status IdentityGrpc::RegisterCitizen(grpc::ServerContext* context,
                                           const identity::v1::RegisterCitizenRequest* request,
                                           identity::v1::Account* response) {
  return runner_->Run(context, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(*response, accounts_->RegisterCitizen(*request));
    call.log().Info("citizen registered",
                    {{"account_id", response->id()},
                     {"resident_id", codes::MaskResidentId(response->resident_id())}});
    return absl::OkStatus();
  });
}

grpc::Status IdentityGrpc::GetAccount(grpc::ServerContext* context,
                                      const identity::v1::GetAccountRequest* request,
                                      identity::v1::Account* response) {
  return runner_->Run(context, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
    const bool supervisor = principal->kind() == auth::v1::PLATFORM_ADMIN;
    if (!supervisor) RETURN_IF_ERROR(auth::RequireOwner(*principal, request->id()));
    ASSIGN_OR_RETURN(*response, accounts_->Get(request->id()));
    if (!supervisor && principal->subject() != response->id()) MaskPersonalData(response);
    return absl::OkStatus();
  });
}

}  // namespace onewindow::identity
