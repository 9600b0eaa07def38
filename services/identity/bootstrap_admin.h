#pragma once

#include <string>

#include "absl/status/status.h"
#include "libs/log/logger.h"
#include "services/identity/accounts.h"

namespace onewindow::identity {

// Creates the first platform admin from a secret when none exists, so a new
// installation can be administered without touching its database. Once an
// admin exists the secret is ignored; without one and without a secret it
// warns, since nobody can create staff.
absl::Status EnsureBootstrapAdmin(Accounts* accounts, const std::string& username,
                                  const std::string& password, const log::Logger& logger);

}  // namespace onewindow::identity
