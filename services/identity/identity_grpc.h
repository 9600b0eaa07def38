#pragma once

#include "libs/server/call.h"
#include "onewindow/identity/v1/identity.grpc.pb.h"
#include "services/identity/accounts.h"
#include "services/identity/api_tokens.h"
#include "services/identity/logins.h"

namespace onewindow::identity {

class IdentityGrpc final : public identity::v1::IdentityService::Service {
 public:
  IdentityGrpc(const server::CallRunner* runner, Accounts* accounts, Logins* logins,
               ApiTokens* tokens)
      : runner_(runner), accounts_(accounts), logins_(logins), tokens_(tokens) {}

  grpc::Status RegisterCitizen(grpc::ServerContext* context,
                               const identity::v1::RegisterCitizenRequest* request,
                               identity::v1::Account* response) override;
  grpc::Status RegisterEnterprise(grpc::ServerContext* context,
                                  const identity::v1::RegisterEnterpriseRequest* request,
                                  identity::v1::Account* response) override;
  grpc::Status GetAccount(grpc::ServerContext* context,
                          const identity::v1::GetAccountRequest* request,
                          identity::v1::Account* response) override;
  grpc::Status GetMe(grpc::ServerContext* context, const identity::v1::GetMeRequest* request,
                     identity::v1::Account* response) override;
  grpc::Status Login(grpc::ServerContext* context, const identity::v1::LoginRequest* request,
                     identity::v1::LoginResponse* response) override;
  grpc::Status CreateStaffAccount(grpc::ServerContext* context,
                                  const identity::v1::CreateStaffAccountRequest* request,
                                  identity::v1::Account* response) override;
  grpc::Status IssueApiToken(grpc::ServerContext* context,
                             const identity::v1::IssueApiTokenRequest* request,
                             identity::v1::IssueApiTokenResponse* response) override;
  grpc::Status ListApiTokens(grpc::ServerContext* context,
                             const identity::v1::ListApiTokensRequest* request,
                             identity::v1::ListApiTokensResponse* response) override;
  grpc::Status RevokeApiToken(grpc::ServerContext* context,
                              const identity::v1::RevokeApiTokenRequest* request,
                              identity::v1::ApiToken* response) override;
  grpc::Status ListRevokedApiTokens(grpc::ServerContext* context,
                                    const identity::v1::ListRevokedApiTokensRequest* request,
                                    identity::v1::ListRevokedApiTokensResponse* response) override;

 private:
  const server::CallRunner* runner_;
  Accounts* accounts_;
  Logins* logins_;
  ApiTokens* tokens_;
};

}  // namespace onewindow::identity
