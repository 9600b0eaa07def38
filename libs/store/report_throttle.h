#pragma once

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace onewindow::store {

// Lets a failure that recurs until someone acts (a checkpoint that keeps
// failing, a WAL file gone, readers that never let go) reach the operator
// once a minute rather than once a try. Not thread-safe: each is owned by
// the one thread, or guarded by the lock, of the work it reports.
class ReportThrottle {
 public:
  // True, and starts a new minute, if the last report was a minute ago.
  bool Due() {
    const absl::Time now = absl::Now();
    if (now - last_ < absl::Minutes(1)) return false;
    last_ = now;
    return true;
  }

 private:
  absl::Time last_ = absl::InfinitePast();
};

}  // namespace onewindow::store
