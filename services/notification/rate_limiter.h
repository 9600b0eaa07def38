#pragma once

#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace onewindow::notification {

// Token buckets per key (a recipient, a provider), in this process's memory:
// enough while one notification process sends everything; several replicas
// would each allow the full rate. Time comes from the caller so tests can
// drive it.
class RateLimiter {
 public:
  // `per_second` <= 0 means unlimited.
  RateLimiter(double per_second, double burst);

  // Takes a token for `key` and returns zero, or takes nothing and returns
  // how long until a token is there.
  absl::Duration TryAcquire(const std::string& key, absl::Time now);

 private:
  struct Bucket {
    double tokens;
    absl::Time last;
  };
  void PruneLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const double per_second_;
  const double burst_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace onewindow::notification
