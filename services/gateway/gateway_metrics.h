#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace onewindow::gateway {

// The gateway's own series. Routes are labelled by template, never by the
// concrete path, so ids and personal data stay out of label values.
class GatewayMetrics {
 public:
  explicit GatewayMetrics(prometheus::Registry& registry);

  void RecordRequest(absl::string_view route, absl::string_view method, int status,
                     absl::Duration latency);
  void RecordUpstreamError(absl::string_view service, absl::string_view code);
  prometheus::Gauge& active_sessions() { return active_sessions_; }

 private:
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& latency_;
  prometheus::Family<prometheus::Counter>& upstream_errors_;
  prometheus::Gauge& active_sessions_;
};

}  // namespace onewindow::gateway
