#pragma once

#include "libs/server/call.h"
#include "onewindow/identity/v1/identity.grpc.pb.h"
#include "services/identity/accounts.h"

namespace onewindow::identity {

class IdentityGrpc final : public identity::v1::IdentityService::Service {
 public:
  IdentityGrpc(const server::CallRunner* runner, Accounts* accounts)
      : runner_(runner), accounts_(accounts) {}

  grpc::Status RegisterCitizen(grpc::ServerContext* context,
                               const identity::v1::RegisterCitizenRequest* request,
                               identity::v1::Account* response) override;
  grpc::Status GetAccount(grpc::ServerContext* context,
                          const identity::v1::GetAccountRequest* request,
                          identity::v1::Account* response) override;

 private:
  const server::CallRunner* runner_;
  Accounts* accounts_;
};

}  // namespace onewindow::identity
