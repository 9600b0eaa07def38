#include "services/identity/logins.h"

#include <SQLiteCpp/Statement.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/auth/password.h"
#include "libs/status/macros.h"
#include "libs/store/times.h"

namespace onewindow::identity {

Logins::Logins(store::Database* db, const Accounts* accounts, ThrottlePolicy policy)
    : db_(db), accounts_(accounts), policy_(policy) {
  dummy_hash_ = auth::HashPassword("not-a-real-password-0").value_or("");
}

absl::Status Logins::CheckNotLocked(const std::vector<std::string>& keys, absl::Time now) const {
  int64_t locked_until = 0;
  RETURN_IF_ERROR(db_->Read([&](store::Connection& db) {
    for (const std::string& key : keys) {
      SQLite::Statement q(db, "SELECT locked_until FROM login_failures WHERE key = ?");
      q.bind(1, key);
      if (q.executeStep()) locked_until = std::max(locked_until, q.getColumn(0).getInt64());
    }
    return absl::OkStatus();
  }));
  const absl::Time until = store::FromStoredTime(locked_until);
  if (until > now) {
    const int64_t minutes = absl::ToInt64Minutes(until - now) + 1;
    return absl::ResourceExhaustedError(
        absl::StrCat("too many failed logins; try again in ", minutes, " minutes"));
  }
  return absl::OkStatus();
}

absl::Status Logins::RecordFailure(const std::vector<std::string>& keys, absl::Time now) {
  return db_->Write([&](store::Connection& db) {
    for (const std::string& key : keys) {
      const bool per_client = absl::StartsWith(key, "ip:");
      const int limit = per_client ? policy_.client_failures : policy_.account_failures;
      SQLite::Statement q(db, "SELECT failures, window_start FROM login_failures WHERE key = ?");
      q.bind(1, key);
      int failures = 0;
      int64_t window_start = store::ToStoredTime(now);
      if (q.executeStep() &&
          store::FromStoredTime(q.getColumn(1).getInt64()) + policy_.window > now) {
        failures = q.getColumn(0).getInt();
        window_start = q.getColumn(1).getInt64();
      }
      ++failures;
      const int64_t locked_until =
          failures >= limit ? store::ToStoredTime(now + policy_.lockout) : 0;
      SQLite::Statement up(db,
                           "INSERT INTO login_failures(key, failures, window_start, locked_until)"
                           " VALUES(?,?,?,?) ON CONFLICT(key) DO UPDATE SET"
                           " failures = excluded.failures, window_start = excluded.window_start,"
                           " locked_until = excluded.locked_until");
      up.bind(1, key);
      up.bind(2, failures);
      up.bind(3, window_start);
      up.bind(4, locked_until);
      up.exec();
    }
    return absl::OkStatus();
  });
}

absl::Status Logins::ClearFailures(const std::string& key) {
  return db_->Write([&](store::Connection& db) {
    SQLite::Statement del(db, "DELETE FROM login_failures WHERE key = ?");
    del.bind(1, key);
    del.exec();
    return absl::OkStatus();
  });
}

absl::StatusOr<auth::v1::Principal> Logins::Login(const identity::v1::LoginRequest& request,
                                                  absl::Time now) {
  if (request.login_id().empty() || request.login_id().size() > 128) {
    return absl::InvalidArgumentError("login_id: required, at most 128 characters");
  }
  if (request.password().empty() || request.password().size() > auth::kMaxPasswordInputBytes) {
    return absl::InvalidArgumentError("password: required");
  }
  // Counted as the id is looked up, not as it was typed: a count per
  // spelling (spaces, a lower-case x) let each spelling fail its own five
  // times. The same for ids of no account, so a lock tells nothing of
  // which exist.
  std::vector<std::string> keys = {
      absl::StrCat("acct:", static_cast<int>(request.kind()), ":",
                   Accounts::LoginKey(request.kind(), request.login_id()))};
  if (!request.client_ip().empty()) keys.push_back(absl::StrCat("ip:", request.client_ip()));
  RETURN_IF_ERROR(CheckNotLocked(keys, now));

  absl::StatusOr<Accounts::Credentials> credentials =
      accounts_->FindForLogin(request.kind(), request.login_id());
  if (!credentials.ok() && credentials.status().code() != absl::StatusCode::kNotFound) {
    return credentials.status();
  }

  const std::string& hash = credentials.ok() ? credentials->password_hash : dummy_hash_;
  ASSIGN_OR_RETURN(const bool matches, auth::VerifyPassword(request.password(), hash));
  if (!credentials.ok() || !matches) {
    RETURN_IF_ERROR(RecordFailure(keys, now));
    return absl::UnauthenticatedError("wrong login id or password");
  }
  RETURN_IF_ERROR(ClearFailures(keys[0]));
  return PrincipalFor(credentials->account);
}

}  // namespace onewindow::identity
