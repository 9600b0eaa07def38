#pragma once

#include <array>
#include <cstdint>

namespace onewindow::loadgen {

// Latencies in microseconds, counted in log-linear buckets: exact below
// 64 µs, then 32 buckets per power of two, so a percentile is off by at
// most about 3 %. Fixed size and mergeable, so a long run costs no more
// memory than a short one and each worker thread keeps its own.
class LatencyHistogram {
 public:
  void Record(uint64_t micros);
  void Merge(const LatencyHistogram& other);

  uint64_t count() const { return count_; }
  uint64_t max_micros() const { return max_; }
  // The q-quantile (0 < q <= 1) in microseconds: the middle of the bucket
  // holding the ceil(q * count)-th smallest value, never above the largest
  // value seen. 0 when empty.
  double Percentile(double q) const;

  static constexpr int kBuckets = 64 + 26 * 32;
  // Bucket index of a value, and the smallest and largest value of a bucket
  // (exposed for the unit test).
  static int BucketOf(uint64_t micros);
  static uint64_t BucketLow(int bucket);
  static uint64_t BucketHigh(int bucket);

 private:
  std::array<uint64_t, kBuckets> counts_{};
  uint64_t count_ = 0;
  uint64_t max_ = 0;
};

}  // namespace onewindow::loadgen
