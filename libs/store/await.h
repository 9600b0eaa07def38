#pragma once

#include <optional>
#include <utility>

#include "absl/synchronization/notification.h"

namespace onewindow::store {

// The synchronous face of a callback API: runs `start(done)`, whose `done`
// takes one `Result` and is called exactly once (at once, or later from any
// thread, such as the committer after a grouped write), and returns what it
// was given. Write paths offer an Async form for callback servers and
// batches, and their blocking form is this over it.
template <typename Result, typename Start>
Result Await(Start&& start) {
  absl::Notification finished;
  std::optional<Result> result;
  std::forward<Start>(start)([&](Result r) {
    result.emplace(std::move(r));
    finished.Notify();
  });
  finished.WaitForNotification();
  return *std::move(result);
}

}  // namespace onewindow::store
