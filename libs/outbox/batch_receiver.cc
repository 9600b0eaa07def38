#include "libs/outbox/batch_receiver.h"

#include <atomic>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/blocking_counter.h"
#include "absl/time/clock.h"
#include "libs/server/call.h"

namespace onewindow::outbox {

absl::Status CheckBatchSize(const char* field, int size) {
  if (size == 0) return absl::InvalidArgumentError(absl::StrCat(field, ": at least one"));
  if (size > kMaxBatchEvents) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": at most ", kMaxBatchEvents, " in one call, got ", size));
  }
  return absl::OkStatus();
}

void ApplyEach(size_t size, absl::FunctionRef<void(size_t, Done)> apply, const log::Logger& log,
               api::v1::HandoffResults* results, absl::Time deadline) {
  std::vector<absl::Status> outcomes(size);
  absl::BlockingCounter pending(static_cast<int>(size));
  for (size_t i = 0; i < size; ++i) {
    // Once only, as a Done promises: a second report would count down for
    // an event that is still running.
    auto reported = std::make_shared<std::atomic<bool>>(false);
    Done done = [&outcomes, &pending, i, reported](absl::Status status) {
      if (reported->exchange(true)) return;
      outcomes[i] = std::move(status);
      pending.DecrementCount();
    };
    if (absl::Now() >= deadline) {
      done(absl::DeadlineExceededError("the batch's deadline passed before this event started"));
      continue;
    }
    // An event that throws must not unwind this frame while the others'
    // callbacks still refer to it.
    try {
      apply(i, done);
    } catch (const std::exception& e) {
      done(absl::InternalError(absl::StrCat("applying the event threw: ", e.what())));
    }
  }
  pending.Wait();
  for (const absl::Status& outcome : outcomes) {
    const absl::Status told = server::PublicStatus(log, outcome);
    api::v1::HandoffResult* r = results->add_results();
    r->set_code(static_cast<int>(told.code()));
    r->set_message(std::string(told.message()));
  }
}

}  // namespace onewindow::outbox
