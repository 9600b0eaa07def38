#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <prometheus/client_metric.h>
#include <prometheus/metric_family.h>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "onewindow/auth/v1/principal.pb.h"
#include "services/gateway/gateway_metrics.h"
#include "services/gateway/http_server.h"
#include "services/gateway/route_table.h"

// The operators' supervision page, for those who run the platform without
// Grafana: the headline figures of deploy/grafana/onewindow.json with
// charts.
//
//   GET /ops, /ops/{asset}   the page: static HTML, CSS and JavaScript from
//                            services/gateway/ops/, embedded at build time
//                            (ops/embed.cmake), no CDN, no build step
//   GET /api/v1/ops/traffic  this gateway's own traffic, errors and latency
//                            per route and per backend, read from its
//                            in-process counters; operators and platform
//                            admins only
//
// The page signs in with POST /api/v1/sessions like any client and reads
// the backends' reports (coverage, timeliness, ratings, work orders) with
// the operator's session; each backend checks the principal itself. The
// page needs no session to load: it holds no data.

namespace onewindow::gateway {

// One embedded file of the page.
struct OpsAsset {
  const char* name;  // "index.html", "ops.js", …
  const char* content_type;
  const char* body;
};
// Generated from services/gateway/ops/ by ops/embed.cmake.
const std::vector<OpsAsset>& OpsAssets();

// Prometheus's histogram_quantile over cumulative buckets (the last one
// +Inf): linear interpolation inside the bucket holding the rank; the
// highest finite bound when that is +Inf. -1 when there are no samples.
double HistogramQuantile(double q, const std::vector<prometheus::ClientMetric::Bucket>& buckets);

// The body of GET /api/v1/ops/traffic from the gateway's metric families
// (GatewayMetrics::Collect). `service_of` names the backend behind a route
// label ("gateway" for the gateway's own endpoints). /healthz and /readyz
// are left out, as in the dashboard; errors are 5xx answers.
std::string TrafficJson(const std::vector<prometheus::MetricFamily>& families,
                        const std::function<std::string(const std::string&)>& service_of,
                        absl::Time now, absl::Time since);

class OpsPage {
 public:
  static constexpr char kTrafficPath[] = "/api/v1/ops/traffic";

  // `metrics` and `routes` must outlive the page; `started` is when this
  // gateway's counters began.
  OpsPage(const GatewayMetrics* metrics, const RouteTable* routes, absl::Time started);

  // Whether `path` is the page or one of its files.
  static bool IsPagePath(absl::string_view path);
  // Answers a request for the page; sets the route label to record.
  HttpResponse ServeAsset(absl::string_view method, absl::string_view path, unsigned version,
                          std::string* route_label) const;
  // Answers GET /api/v1/ops/traffic; `principal` is null when signed out.
  HttpResponse Traffic(absl::string_view method, const auth::v1::Principal* principal,
                       unsigned version) const;
  // The backend behind a route label, "gateway" when none.
  std::string ServiceOf(const std::string& route_label) const;

 private:
  const GatewayMetrics* metrics_;
  const absl::Time started_;
  std::map<std::string, std::string> service_by_route_;
};

}  // namespace onewindow::gateway
