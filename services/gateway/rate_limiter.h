#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/redis/redis_pool.h"

namespace onewindow::gateway {

struct BucketSpec {
  double per_second;
  double burst;
};

struct RateLimitPolicy {
  BucketSpec per_client{50, 100};
  BucketSpec per_session{20, 60};
  // Logins are where guessing happens: far tighter.
  BucketSpec login_per_client{0.2, 5};
};

struct RateDecision {
  bool allowed = true;
  // When refused: how long until one more request fits.
  absl::Duration retry_after;
};

// Token buckets in Redis, shared by every gateway process. One script call
// refills and takes a token atomically.
class RateLimiter {
 public:
  RateLimiter(redis::RedisPool* redis, RateLimitPolicy policy) : redis_(redis), policy_(policy) {}

  const RateLimitPolicy& policy() const { return policy_; }
  // `key` names the bucket ("ip:127.0.0.1", "s:<session id>").
  absl::StatusOr<RateDecision> Take(const std::string& key, const BucketSpec& spec);

 private:
  redis::RedisPool* redis_;
  const RateLimitPolicy policy_;
};

}  // namespace onewindow::gateway
