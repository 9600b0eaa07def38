#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace onewindow::bench {

struct PreloadSpec {
  std::string path;  // The complaint.db to create.
  int64_t orders = 1000000;
  // Share of the orders still waiting in the dispatch queue (RECEIVED);
  // the rest are dispatched, being handled, replied or closed.
  double queue_share = 0.02;
  absl::Time now;
};

struct Preloaded {
  int64_t orders = 0;
  int64_t queued = 0;
};

// Writes `orders` realistic work orders (hotline, web and window channels,
// ten departments, a year of receipts, each with its timeline) straight
// through complaint's own store, in large transactions.
absl::StatusOr<Preloaded> Preload(const PreloadSpec& spec);

}  // namespace onewindow::bench
