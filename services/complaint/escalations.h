#pragma once

#include <functional>

#include "absl/status/statusor.h"
#include "libs/log/logger.h"
#include "services/complaint/order_writer.h"

namespace onewindow::complaint {

// Supervision (督办) of deadlines: orders still being handled get a
// reminder when the last day of their limit begins and a formal notice once
// it has passed, each recorded on the order and sent to the department
// handling it (or the dispatch centre while it waits for dispatch).
class Escalations {
 public:
  struct Result {
    int reminders = 0;
    int notices = 0;
  };

  explicit Escalations(Env env) : env_(env) {}

  // Escalates every order due for it at the clock's now.
  absl::StatusOr<Result> Sweep();

 private:
  Env env_;
};

// One supervision round for a background loop (main.cc runs it on a
// server::PeriodicTask): sweeps, logs what was escalated or why the sweep
// failed, and hands a successful result to `on_result`.
class Supervisor {
 public:
  Supervisor(Escalations* escalations, log::Logger logger,
             std::function<void(const Escalations::Result&)> on_result = nullptr)
      : escalations_(escalations), logger_(std::move(logger)), on_result_(std::move(on_result)) {}

  void RunOnce();

 private:
  Escalations* escalations_;
  const log::Logger logger_;
  std::function<void(const Escalations::Result&)> on_result_;
};

}  // namespace onewindow::complaint
