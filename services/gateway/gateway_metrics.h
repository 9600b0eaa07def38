#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>

#include <vector>

#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
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
  // The HTTP server's connections now, and those refused for being over
  // its limit since start (a running total; the counter grows by the new).
  void SampleConnections(int open, int64_t refused_total);
  // Every series above as a scrape would see it, for the /ops page's
  // traffic endpoint (ops_page.h), which reads this process's own counters.
  std::vector<prometheus::MetricFamily> Collect() const;

 private:
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& latency_;
  prometheus::Family<prometheus::Counter>& upstream_errors_;
  prometheus::Family<prometheus::Gauge>& sessions_family_;
  prometheus::Gauge& active_sessions_;
  prometheus::Family<prometheus::Gauge>& connections_family_;
  prometheus::Gauge& open_connections_;
  prometheus::Family<prometheus::Counter>& refused_family_;
  prometheus::Counter& refused_connections_;
  absl::Mutex mu_;
  int64_t refused_counted_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace onewindow::gateway
