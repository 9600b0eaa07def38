#pragma once

#include <functional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace onewindow::server {

// Runs `task` at once and then every `period` on its own thread until
// Stop(): gauge samplers and sweeps. Stop() waits for a round in progress.
class PeriodicTask {
 public:
  PeriodicTask(absl::Duration period, std::function<void()> task)
      : period_(period), task_(std::move(task)) {}
  ~PeriodicTask() { Stop(); }

  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  void Start() {
    thread_ = std::thread([this] {
      absl::MutexLock lock(&mu_);
      while (!stop_) {
        mu_.Unlock();
        task_();
        mu_.Lock();
        mu_.AwaitWithTimeout(absl::Condition(&stop_), period_);
      }
    });
  }

  void Stop() {
    {
      absl::MutexLock lock(&mu_);
      stop_ = true;
    }
    if (thread_.joinable()) thread_.join();
  }

 private:
  const absl::Duration period_;
  const std::function<void()> task_;
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace onewindow::server
