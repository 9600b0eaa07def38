#pragma once

#include <utility>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace onewindow::testing {

// Calls `done` every `interval` until it returns true; false if it still
// does not after `timeout`. For what happens asynchronously by design (an
// outbox relay delivering, a restart being noticed): a test polls against a
// deadline rather than sleeping blindly.
template <typename Fn>
bool Eventually(Fn&& done, absl::Duration timeout = absl::Seconds(30),
                absl::Duration interval = absl::Milliseconds(50)) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (done()) return true;
    absl::SleepFor(interval);
  }
  return done();
}

}  // namespace onewindow::testing
