#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace onewindow::testing {

// Single-row transactions per second that SQLite commits in `dir` with
// WAL and synchronous=FULL, one fsync each, over about `duration`. Write
// benchmarks print it beside their figures: a group commit's latency
// starts at one such fsync, and disks differ tenfold between machines.
absl::StatusOr<double> FsyncLoopTransactionsPerSecond(const std::string& dir,
                                                      absl::Duration duration);

}  // namespace onewindow::testing
