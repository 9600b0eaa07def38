#include "services/identity/logins.h"

#include <algorithm>

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

absl::Status Logins::Reserve(const std::vector<std::string>& keys, absl::Time now) {
  int64_t locked_until = 0;
  // A locked login is refused on a read: hammering one must not take the
  // single writer each time. A lock the read misses, the write finds.
  RETURN_IF_ERROR(db_->Read([&](store::Connection& db) {
    for (const std::string& key : keys) {
      SQLite::Statement q(db, "SELECT locked_until FROM login_failures WHERE key = ?");
      q.bind(1, key);
      if (q.executeStep()) locked_until = std::max(locked_until, q.getColumn(0).getInt64());
    }
    return absl::OkStatus();
  }));
  if (store::FromStoredTime(locked_until) <= now) {
    RETURN_IF_ERROR(db_->Write([&](store::Connection& db) {
      struct Count {
        int failures = 0;
        int64_t window_start = 0;
      };
      std::vector<Count> counts(keys.size());
      for (size_t i = 0; i < keys.size(); ++i) {
        SQLite::Statement q(
            db, "SELECT failures, window_start, locked_until FROM login_failures WHERE key = ?");
        q.bind(1, keys[i]);
        counts[i].window_start = store::ToStoredTime(now);
        if (!q.executeStep()) continue;
        locked_until = std::max(locked_until, q.getColumn(2).getInt64());
        if (store::FromStoredTime(q.getColumn(1).getInt64()) + policy_.window > now) {
          counts[i] = {q.getColumn(0).getInt(), q.getColumn(1).getInt64()};
        }
      }
      // A refused attempt is not counted: it checked no password.
      if (store::FromStoredTime(locked_until) > now) return absl::OkStatus();
      for (size_t i = 0; i < keys.size(); ++i) {
        const int failures = counts[i].failures + 1;
        const int64_t lock =
            failures >= LimitFor(keys[i]) ? store::ToStoredTime(now + policy_.lockout) : 0;
        SQLite::Statement up(db,
                             "INSERT INTO login_failures(key, failures, window_start, locked_until)"
                             " VALUES(?,?,?,?) ON CONFLICT(key) DO UPDATE SET"
                             " failures = excluded.failures, window_start = excluded.window_start,"
                             " locked_until = excluded.locked_until");
        up.bind(1, keys[i]);
        up.bind(2, failures);
        up.bind(3, counts[i].window_start);
        up.bind(4, lock);
        up.exec();
      }
      return absl::OkStatus();
    }));
  }
  const absl::Time until = store::FromStoredTime(locked_until);
  if (until > now) {
    const int64_t minutes = absl::ToInt64Minutes(until - now) + 1;
    return absl::ResourceExhaustedError(
        absl::StrCat("too many failed logins; try again in ", minutes, " minutes"));
  }
  return absl::OkStatus();
}

absl::Status Logins::Release(const std::vector<std::string>& keys, bool succeeded) {
  return db_->Write([&](store::Connection& db) {
    for (size_t i = 0; i < keys.size(); ++i) {
      // A good password clears its account's count; every other count
      // only gets back the attempt reserved for it.
      if (succeeded && i == 0) {
        SQLite::Statement del(db, "DELETE FROM login_failures WHERE key = ?");
        del.bind(1, keys[i]);
        del.exec();
        continue;
      }
      SQLite::Statement up(
          db,
          "UPDATE login_failures SET failures = failures - 1,"
          " locked_until = CASE WHEN failures - 1 >= ? THEN locked_until ELSE 0 END"
          " WHERE key = ? AND failures > 0");
      up.bind(1, LimitFor(keys[i]));
      up.bind(2, keys[i]);
      up.exec();
    }
    return absl::OkStatus();
  });
}

int Logins::LimitFor(const std::string& key) const {
  return absl::StartsWith(key, "ip:") ? policy_.client_failures : policy_.account_failures;
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
  // The attempt is counted as failed before its password is checked, in
  // the transaction that finds the login not locked: checked first and
  // counted after (argon2 takes tens of milliseconds), any number of
  // guesses sent at once all got through.
  RETURN_IF_ERROR(Reserve(keys, now));

  absl::StatusOr<std::vector<Accounts::Credentials>> candidates =
      accounts_->FindForLogin(request.kind(), request.login_id());
  if (!candidates.ok()) {
    // The store failed, or the id cannot sign in at all: not a guess, so
    // the attempt is given back. If that fails too, it stays counted, the
    // stricter side.
    (void)Release(keys, /*succeeded=*/false);
    return candidates.status();
  }

  // A phone number shared in a family signs in whichever of its accounts
  // has this password. An id of no account still costs one hash check.
  const identity::v1::Account* signed_in = nullptr;
  int matched = 0;
  const size_t checks = std::max<size_t>(candidates->size(), 1);
  for (size_t i = 0; i < checks; ++i) {
    const bool real = i < candidates->size();
    absl::StatusOr<bool> matches = auth::VerifyPassword(
        request.password(), real ? (*candidates)[i].password_hash : dummy_hash_);
    if (!matches.ok()) {
      (void)Release(keys, /*succeeded=*/false);
      return matches.status();
    }
    if (real && *matches) {
      ++matched;
      signed_in = &(*candidates)[i].account;
    }
  }
  if (matched == 0) return absl::UnauthenticatedError("wrong login id or password");
  if (matched > 1) {
    (void)Release(keys, /*succeeded=*/false);
    return absl::FailedPreconditionError(
        "login_id: several accounts share this phone number and password; sign in with your "
        "resident ID number");
  }
  // A good password clears the id's failed guesses only when the id is
  // that account's alone: anyone may register on any phone number, and
  // signing in to their own account must not wipe the guesses at another's.
  RETURN_IF_ERROR(Release(keys, /*succeeded=*/candidates->size() == 1));
  return PrincipalFor(*signed_in);
}

}  // namespace onewindow::identity
