#include "services/identity/bootstrap_admin.h"

#include "absl/strings/str_cat.h"
#include "libs/status/macros.h"

namespace onewindow::identity {

absl::Status EnsureBootstrapAdmin(Accounts* accounts, const std::string& username,
                                  const std::string& password, const log::Logger& logger) {
  ASSIGN_OR_RETURN(const bool exists, accounts->HasPlatformAdmin());
  if (exists) return absl::OkStatus();
  if (password.empty()) {
    logger.Warn(
        "no platform admin exists; set --bootstrap_admin_password (OW_BOOTSTRAP_ADMIN_PASSWORD) "
        "to create one");
    return absl::OkStatus();
  }
  identity::v1::CreateStaffAccountRequest request;
  request.set_username(username);
  request.set_display_name("Platform administrator");
  request.set_kind(auth::v1::PLATFORM_ADMIN);
  request.set_password(password);
  absl::StatusOr<identity::v1::Account> account = accounts->CreateStaff(request);
  if (!account.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create the bootstrap admin: ", account.status().message()));
  }
  logger.Info("bootstrap admin created", {{"account_id", account->id()}, {"username", username}});
  return absl::OkStatus();
}

}  // namespace onewindow::identity
