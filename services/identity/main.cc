// identity: accounts, credentials, API tokens.
#include "libs/server/bootstrap.h"
#include "services/identity/identity_grpc.h"
#include "services/identity/schema.h"

int main(int argc, char** argv) {
  using namespace onewindow;
  server::Process process =
      server::Bootstrap(argc, argv,
                        {"identity", "identity: accounts, credentials and API tokens", 50050, 9110,
                         &identity::IdentityMigrations()});
  identity::Accounts accounts(process.db.get());
  identity::IdentityGrpc service(process.calls.get(), &accounts);
  process.runner->AddService(&service, identity::v1::IdentityService::service_full_name());
  return server::ServeUntilSignal(process);
}
