#pragma once

#include <thread>

#include <prometheus/gauge.h>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "services/gateway/sessions.h"

namespace onewindow::gateway {

// Samples the number of sessions in Redis into a gauge now and then: a SCAN
// is too costly per request, and a counter kept by hand would drift as
// sessions expire on their own.
class SessionGaugeSampler {
 public:
  SessionGaugeSampler(SessionStore* sessions, prometheus::Gauge* gauge, absl::Duration interval)
      : sessions_(sessions), gauge_(gauge), interval_(interval) {}
  ~SessionGaugeSampler() { Stop(); }

  void Start() {
    thread_ = std::thread([this] {
      do {
        absl::StatusOr<int64_t> n = sessions_->CountActive();
        if (n.ok()) gauge_->Set(static_cast<double>(*n));
      } while (!stop_.WaitForNotificationWithTimeout(interval_));
    });
  }
  void Stop() {
    if (!stop_.HasBeenNotified()) stop_.Notify();
    if (thread_.joinable()) thread_.join();
  }

 private:
  SessionStore* sessions_;
  prometheus::Gauge* gauge_;
  absl::Duration interval_;
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace onewindow::gateway
