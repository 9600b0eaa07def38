#pragma once

#include <cstddef>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "libs/log/logger.h"
#include "libs/outbox/outbox.h"
#include "onewindow/api/v1/handoff.pb.h"

namespace onewindow::outbox {

// Most events a receiver's batch method takes in one call.
inline constexpr int kMaxBatchEvents = 256;

// INVALID_ARGUMENT naming `field` when a batch is empty or too large.
absl::Status CheckBatchSize(const char* field, int size);

// The receiving side of a batch method: applies each of `size` events with
// `apply(i, done)`, which reports through `done` exactly once, at once or
// later from any thread (typically when its grouped write commits); waits
// for all of them and answers one result per event, in order. Starting them
// all before waiting is what lets the whole batch share one commit. An
// event's internal failure is logged to `log` and answered "internal
// error", as a whole call's would be (server::PublicStatus). Events not yet
// started when `deadline` passes are answered DEADLINE_EXCEEDED rather than
// started: the sender has stopped waiting, and an event whose start blocks
// (a lookup in another service) must not hold the thread for the whole
// batch.
void ApplyEach(size_t size, absl::FunctionRef<void(size_t, Done)> apply, const log::Logger& log,
               api::v1::HandoffResults* results, absl::Time deadline = absl::InfiniteFuture());

}  // namespace onewindow::outbox
