#include "tools/loadgen/histogram.h"

#include <algorithm>
#include <cmath>

namespace onewindow::loadgen {
namespace {

// Values beyond this (71 minutes) land in the last bucket.
constexpr uint64_t kLargest = (uint64_t{1} << 32) - 1;

int HighestBit(uint64_t v) { return 63 - __builtin_clzll(v); }

}  // namespace

int LatencyHistogram::BucketOf(uint64_t micros) {
  const uint64_t v = std::min(micros, kLargest);
  if (v < 64) return static_cast<int>(v);
  // The top 6 bits (32..63) pick the bucket within the power of two.
  const int shift = HighestBit(v) - 5;
  return 64 + (shift - 1) * 32 + static_cast<int>((v >> shift) - 32);
}

uint64_t LatencyHistogram::BucketLow(int bucket) {
  if (bucket < 64) return static_cast<uint64_t>(bucket);
  const int shift = (bucket - 64) / 32 + 1;
  const uint64_t top = static_cast<uint64_t>((bucket - 64) % 32 + 32);
  return top << shift;
}

uint64_t LatencyHistogram::BucketHigh(int bucket) {
  if (bucket < 64) return static_cast<uint64_t>(bucket);
  const int shift = (bucket - 64) / 32 + 1;
  return BucketLow(bucket) + (uint64_t{1} << shift) - 1;
}

void LatencyHistogram::Record(uint64_t micros) {
  ++counts_[static_cast<size_t>(BucketOf(micros))];
  ++count_;
  max_ = std::max(max_, micros);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  max_ = std::max(max_, other.max_);
}

double LatencyHistogram::Percentile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  const uint64_t rank =
      std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_))));
  uint64_t seen = 0;
  for (int b = 0; b < kBuckets; ++b) {
    seen += counts_[static_cast<size_t>(b)];
    if (seen >= rank) {
      const double mid =
          (static_cast<double>(BucketLow(b)) + static_cast<double>(BucketHigh(b))) / 2;
      return std::min(mid, static_cast<double>(max_));
    }
  }
  return static_cast<double>(max_);
}

}  // namespace onewindow::loadgen
