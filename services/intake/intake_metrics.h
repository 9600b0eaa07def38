#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
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
  prometheus::Counter& SubmittedSeries(intake::v1::Channel channel);

  prometheus::Family<prometheus::Counter>& submitted_;
  // Every channel's series, by its number; never changed after the
  // constructor, so read without a lock.
  absl::flat_hash_map<int, prometheus::Counter*> submitted_by_channel_;
  prometheus::Family<prometheus::Counter>& uploads_;
  prometheus::Counter& upload_bytes_;
  prometheus::Family<prometheus::Counter>& transitions_;
};

class Applications;

// Sets onewindow_intake_applications{status} (applications now in each
// status) from one count; run by a server::PeriodicTask.
class StatusGauges {
 public:
  StatusGauges(prometheus::Registry& registry, Applications* applications);

  void Refresh();

 private:
  prometheus::Family<prometheus::Gauge>& gauges_;
  Applications* const applications_;
};

}  // namespace onewindow::intake
