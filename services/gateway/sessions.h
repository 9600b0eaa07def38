#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/redis/redis_pool.h"
#include "onewindow/auth/v1/principal.pb.h"

namespace onewindow::gateway {

struct SessionPolicy {
  absl::Duration citizen_idle = absl::Minutes(15);
  absl::Duration staff_idle = absl::Minutes(5);
  absl::Duration absolute = absl::Hours(8);
};

struct Session {
  std::string id;
  std::string csrf_token;
  auth::v1::Principal principal;
};

// Sessions in Redis, so any gateway process can serve any user and a restart
// keeps everyone signed in. Each is a hash under "ow:s:<id>" whose expiry
// slides with use (idle timeout) but never past created + absolute timeout.
// Ids are 256 random bits; only the id travels in the cookie.
class SessionStore {
 public:
  SessionStore(redis::RedisPool* redis, SessionPolicy policy) : redis_(redis), policy_(policy) {}

  absl::StatusOr<Session> Create(const auth::v1::Principal& principal);
  // nullopt for an unknown or expired id; UNAVAILABLE when Redis is down
  // (callers must fail closed then).
  absl::StatusOr<std::optional<Session>> Lookup(const std::string& id);
  absl::Status Delete(const std::string& id);
  // Sessions currently stored (a SCAN; for the metrics gauge).
  absl::StatusOr<int64_t> CountActive();

  absl::Duration IdleTimeoutFor(auth::v1::PrincipalKind kind) const;

 private:
  redis::RedisPool* redis_;
  const SessionPolicy policy_;
};

// Whether `id` has the shape of ids we issue, so junk never reaches Redis.
bool IsWellFormedSessionId(const std::string& id);

}  // namespace onewindow::gateway
