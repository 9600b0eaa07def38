#include "services/notification/rate_limiter.h"

#include <algorithm>

namespace onewindow::notification {
namespace {

// Buckets kept before full ones are dropped (a full bucket is the same as
// none).
constexpr size_t kMaxBuckets = 100000;

}  // namespace

RateLimiter::RateLimiter(double per_second, double burst)
    : per_second_(per_second), burst_(std::max(1.0, burst)) {}

absl::Duration RateLimiter::TryAcquire(const std::string& key, absl::Time now) {
  if (per_second_ <= 0) return absl::ZeroDuration();
  absl::MutexLock lock(&mu_);
  if (buckets_.size() > kMaxBuckets) PruneLocked(now);
  auto [it, inserted] = buckets_.try_emplace(key, Bucket{burst_, now});
  Bucket& b = it->second;
  if (!inserted && now > b.last) {
    b.tokens = std::min(burst_, b.tokens + absl::ToDoubleSeconds(now - b.last) * per_second_);
    b.last = now;
  }
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return absl::ZeroDuration();
  }
  return absl::Seconds((1 - b.tokens) / per_second_);
}

void RateLimiter::PruneLocked(absl::Time now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    const Bucket& b = it->second;
    const double tokens = b.tokens + absl::ToDoubleSeconds(now - b.last) * per_second_;
    if (tokens >= burst_) {
      buckets_.erase(it++);
    } else {
      ++it;
    }
  }
}

}  // namespace onewindow::notification
