#pragma once

#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
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

// Runs Escalations::Sweep every `interval` on its own thread.
class Supervisor {
 public:
  Supervisor(Escalations* escalations, absl::Duration interval, log::Logger logger,
             std::function<void(const Escalations::Result&)> on_result = nullptr)
      : escalations_(escalations),
        interval_(interval),
        logger_(std::move(logger)),
        on_result_(std::move(on_result)) {}
  ~Supervisor() { Stop(); }

  void Start();
  void Stop();

 private:
  void Run();

  Escalations* escalations_;
  const absl::Duration interval_;
  const log::Logger logger_;
  std::function<void(const Escalations::Result&)> on_result_;
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace onewindow::complaint
