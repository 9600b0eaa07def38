#pragma once

#include <thread>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "onewindow/intake/v1/intake.pb.h"

namespace onewindow::intake {

// Intake's own figures; calls per method and code come from the shared gRPC
// interceptor already.
class IntakeMetrics {
 public:
  explicit IntakeMetrics(prometheus::Registry& registry);

  // A new application (not a retry's answer), by channel.
  void Submitted(intake::v1::Channel channel);
  void Uploaded(int64_t bytes, absl::string_view content_type);
  void Transition(intake::v1::ApplicationStatus status);

 private:
  prometheus::Family<prometheus::Counter>& submitted_;
  prometheus::Family<prometheus::Counter>& uploads_;
  prometheus::Counter& upload_bytes_;
  prometheus::Family<prometheus::Counter>& transitions_;
};

class Applications;

// Keeps onewindow_intake_applications{status} (applications now in each
// status) fresh for dashboards and alerts by counting every `period`.
class StatusGauges {
 public:
  StatusGauges(prometheus::Registry& registry, Applications* applications, absl::Duration period);
  ~StatusGauges() { Stop(); }

  void Start();
  void Stop();
  // One count, now; the background thread calls this.
  void Refresh();

 private:
  prometheus::Family<prometheus::Gauge>& gauges_;
  Applications* const applications_;
  const absl::Duration period_;
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace onewindow::intake
