#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/store/database.h"
#include "onewindow/auth/v1/principal.pb.h"
#include "onewindow/identity/v1/identity.pb.h"
#include "services/identity/accounts.h"

namespace onewindow::identity {

// When repeated failures lock a login out. Counted per login id and per
// client address, so neither guessing one account from many places nor many
// accounts from one place gets far.
struct ThrottlePolicy {
  int account_failures = 5;
  int client_failures = 20;
  absl::Duration window = absl::Minutes(15);
  absl::Duration lockout = absl::Minutes(15);
};

// Password logins with throttling. Failures are persisted so a restart does
// not reset a lockout.
class Logins {
 public:
  Logins(store::Database* db, const Accounts* accounts, ThrottlePolicy policy);

  // UNAUTHENTICATED for a wrong id or password (the same answer for both, so
  // accounts cannot be probed); RESOURCE_EXHAUSTED while locked out.
  absl::StatusOr<auth::v1::Principal> Login(const identity::v1::LoginRequest& request,
                                            absl::Time now);

 private:
  // In one write: RESOURCE_EXHAUSTED if any of `keys` is locked; otherwise
  // counts this attempt as a failure against each, locking those it brings
  // to their limit.
  absl::Status Reserve(const std::vector<std::string>& keys, absl::Time now);
  // Gives back a reserved attempt: after a good password the account's
  // count (keys[0]) is cleared and the others lose the one attempt; after a
  // failure of ours, not the caller's, every count loses it.
  absl::Status Release(const std::vector<std::string>& keys, bool succeeded);
  int LimitFor(const std::string& key) const;

  store::Database* db_;
  const Accounts* accounts_;
  const ThrottlePolicy policy_;
  // Verified against when the account does not exist, so both paths cost
  // the same argon2 time.
  std::string dummy_hash_;
};

}  // namespace onewindow::identity
