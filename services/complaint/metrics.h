#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "libs/store/database.h"
#include "onewindow/complaint/v1/complaint.pb.h"

namespace onewindow::complaint {

// The service's own metrics, beside the gRPC ones the runner records.
class ComplaintMetrics {
 public:
  explicit ComplaintMetrics(prometheus::Registry& registry);

  void OrderReceived(complaint::v1::Channel channel);
  void RatingReceived(int level);
  void Escalated(int reminders, int notices);
  // Counts open and overdue (past the deadline, not yet replied) work orders
  // per kind into their gauges; the supervision round calls it.
  absl::Status RefreshOrderGauges(const store::Database& db, absl::Time now);

 private:
  prometheus::Family<prometheus::Counter>* received_;
  prometheus::Family<prometheus::Counter>* ratings_;
  prometheus::Family<prometheus::Counter>* escalations_;
  prometheus::Family<prometheus::Gauge>* open_;
  prometheus::Family<prometheus::Gauge>* overdue_;
};

}  // namespace onewindow::complaint
