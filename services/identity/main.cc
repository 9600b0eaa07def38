// identity: accounts, credentials, API tokens.
#include "absl/flags/flag.h"
#include "libs/config/flags.h"
#include "libs/server/bootstrap.h"
#include "services/identity/bootstrap_admin.h"
#include "services/identity/identity_grpc.h"
#include "services/identity/schema.h"

ABSL_FLAG(std::string, bootstrap_admin_username, "admin",
          "Username of the platform admin created at first start");
ABSL_FLAG(std::string, bootstrap_admin_password, "",
          "Password of that admin; only used while no platform admin exists (secret)");

int main(int argc, char** argv) {
  using namespace onewindow;
  server::Process process =
      server::Bootstrap(argc, argv,
                        {"identity", "identity: accounts, credentials and API tokens", 50050, 9110,
                         &identity::IdentityMigrations()});
  identity::Accounts accounts(process.db.get());
  absl::Status admin =
      identity::EnsureBootstrapAdmin(&accounts, absl::GetFlag(FLAGS_bootstrap_admin_username),
                                     absl::GetFlag(FLAGS_bootstrap_admin_password), process.logger);
  if (!admin.ok()) config::ExitOnConfigError(process.logger, admin);

  identity::Logins logins(process.db.get(), &accounts, identity::ThrottlePolicy{});
  identity::ApiTokens tokens(process.db.get(), process.signer.get());
  identity::IdentityGrpc service(process.calls.get(), &accounts, &logins, &tokens);
  process.runner->AddService(&service, identity::v1::IdentityService::service_full_name());
  return server::ServeUntilSignal(process);
}
