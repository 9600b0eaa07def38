#include "services/identity/identity_grpc.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/auth/access.h"
#include "libs/codes/mask.h"
#include "libs/status/macros.h"

namespace onewindow::identity {
namespace {

using server::Call;

// Platform admins manage any department's staff and tokens; a dept_admin
// only their own.
absl::Status RequireDepartmentAdmin(const auth::v1::Principal& p,
                                    const std::string& department_id) {
  if (p.kind() == auth::v1::PLATFORM_ADMIN) return absl::OkStatus();
  RETURN_IF_ERROR(auth::RequireKind(p, {auth::v1::STAFF}));
  RETURN_IF_ERROR(auth::RequireRole(p, "dept_admin"));
  return auth::RequireDepartment(p, department_id);
}

// Managing accounts and tokens is an admin's: a system holding a token is
// none, whatever its roles, and what it made would outlive its revocation.
absl::Status RefuseApiTokens(const auth::v1::Principal& p, absl::string_view action) {
  if (p.api_token_id().empty()) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat("API tokens cannot ", action));
}

}  // namespace

grpc::Status IdentityGrpc::RegisterCitizen(grpc::ServerContext* context,
                                           const identity::v1::RegisterCitizenRequest* request,
                                           identity::v1::Account* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(*response, accounts_->RegisterCitizen(*request));
    call.log().Info("citizen registered",
                    {{"account_id", response->id()},
                     {"resident_id", codes::MaskResidentId(response->resident_id())}});
    return absl::OkStatus();
  });
}

grpc::Status IdentityGrpc::RegisterEnterprise(
    grpc::ServerContext* context, const identity::v1::RegisterEnterpriseRequest* request,
    identity::v1::Account* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(*response, accounts_->RegisterEnterprise(*request));
    call.log().Info("enterprise registered", {{"account_id", response->id()}});
    return absl::OkStatus();
  });
}

grpc::Status IdentityGrpc::GetAccount(grpc::ServerContext* context,
                                      const identity::v1::GetAccountRequest* request,
                                      identity::v1::Account* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
    const bool supervisor = principal->kind() == auth::v1::PLATFORM_ADMIN;
    if (!supervisor) RETURN_IF_ERROR(auth::RequireOwner(*principal, request->id()));
    ASSIGN_OR_RETURN(*response, accounts_->Get(request->id()));
    return absl::OkStatus();
  });
}

grpc::Status IdentityGrpc::GetMe(grpc::ServerContext* context,
                                 const identity::v1::GetMeRequest* request,
                                 identity::v1::Account* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
    ASSIGN_OR_RETURN(*response, accounts_->Get(principal->subject()));
    return absl::OkStatus();
  });
}

grpc::Status IdentityGrpc::Login(grpc::ServerContext* context,
                                 const identity::v1::LoginRequest* request,
                                 identity::v1::LoginResponse* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
    RETURN_IF_ERROR(auth::RequireKind(*principal, {auth::v1::SERVICE}));
    absl::StatusOr<auth::v1::Principal> result = logins_->Login(*request, absl::Now());
    if (!result.ok()) {
      call.log().Info("login refused", {{"kind", static_cast<int>(request->kind())},
                                        {"reason", std::string(result.status().message())}});
      return result.status();
    }
    *response->mutable_principal() = *std::move(result);
    call.log().Info("login", {{"account_id", response->principal().subject()}});
    return absl::OkStatus();
  });
}

grpc::Status IdentityGrpc::CreateStaffAccount(
    grpc::ServerContext* context, const identity::v1::CreateStaffAccountRequest* request,
    identity::v1::Account* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
    if (request->kind() == auth::v1::STAFF) {
      RETURN_IF_ERROR(RequireDepartmentAdmin(*principal, request->department_id()));
    } else {
      RETURN_IF_ERROR(auth::RequireKind(*principal, {auth::v1::PLATFORM_ADMIN}));
    }
    RETURN_IF_ERROR(RefuseApiTokens(*principal, "create accounts"));
    ASSIGN_OR_RETURN(*response, accounts_->CreateStaff(*request));
    call.log().Info("staff account created",
                    {{"account_id", response->id()}, {"by", principal->subject()}});
    return absl::OkStatus();
  });
}

grpc::Status IdentityGrpc::IssueApiToken(grpc::ServerContext* context,
                                         const identity::v1::IssueApiTokenRequest* request,
                                         identity::v1::IssueApiTokenResponse* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
    RETURN_IF_ERROR(RequireDepartmentAdmin(*principal, request->department_id()));
    RETURN_IF_ERROR(RefuseApiTokens(*principal, "issue API tokens"));
    ASSIGN_OR_RETURN(*response, tokens_->Issue(*request, principal->subject(), absl::Now()));
    call.log().Info("api token issued", {{"token_id", response->token().token_id()},
                                         {"department_id", request->department_id()}});
    return absl::OkStatus();
  });
}

grpc::Status IdentityGrpc::ListApiTokens(grpc::ServerContext* context,
                                         const identity::v1::ListApiTokensRequest* request,
                                         identity::v1::ListApiTokensResponse* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
    const std::string department =
        request->department_id().empty() ? principal->department_id() : request->department_id();
    RETURN_IF_ERROR(RequireDepartmentAdmin(*principal, department));
    RETURN_IF_ERROR(RefuseApiTokens(*principal, "list API tokens"));
    ASSIGN_OR_RETURN(auto tokens, tokens_->List(department));
    for (auto& t : tokens) *response->add_tokens() = std::move(t);
    return absl::OkStatus();
  });
}

grpc::Status IdentityGrpc::RevokeApiToken(grpc::ServerContext* context,
                                          const identity::v1::RevokeApiTokenRequest* request,
                                          identity::v1::ApiToken* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
    ASSIGN_OR_RETURN(const identity::v1::ApiToken token, tokens_->Get(request->token_id()));
    if (!RequireDepartmentAdmin(*principal, token.department_id()).ok()) {
      return absl::NotFoundError(absl::StrCat("api token ", request->token_id(), " not found"));
    }
    RETURN_IF_ERROR(RefuseApiTokens(*principal, "revoke API tokens"));
    ASSIGN_OR_RETURN(*response, tokens_->Revoke(request->token_id(), absl::Now()));
    call.log().Info("api token revoked",
                    {{"token_id", request->token_id()}, {"by", principal->subject()}});
    return absl::OkStatus();
  });
}

grpc::Status IdentityGrpc::ListRevokedApiTokens(
    grpc::ServerContext* context, const identity::v1::ListRevokedApiTokensRequest* request,
    identity::v1::ListRevokedApiTokensResponse* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
    RETURN_IF_ERROR(auth::RequireKind(*principal, {auth::v1::SERVICE, auth::v1::PLATFORM_ADMIN}));
    ASSIGN_OR_RETURN(auto ids, tokens_->RevokedIds(absl::Now()));
    for (auto& id : ids) response->add_token_ids(std::move(id));
    return absl::OkStatus();
  });
}

}  // namespace onewindow::identity
