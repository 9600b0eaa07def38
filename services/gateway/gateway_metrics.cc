#include "services/gateway/gateway_metrics.h"

#include <initializer_list>
#include <string>

namespace onewindow::gateway {

GatewayMetrics::GatewayMetrics(prometheus::Registry& registry)
    : requests_(prometheus::BuildCounter()
                    .Name("onewindow_gateway_http_requests_total")
                    .Help("HTTP requests answered, by route template, method and status")
                    .Register(registry)),
      latency_(prometheus::BuildHistogram()
                   .Name("onewindow_gateway_http_request_duration_seconds")
                   .Help("Time from a request being read to its answer, by route template")
                   .Register(registry)),
      upstream_errors_(prometheus::BuildCounter()
                           .Name("onewindow_gateway_upstream_errors_total")
                           .Help("Failed backend calls, by backend and gRPC code")
                           .Register(registry)),
      sessions_family_(prometheus::BuildGauge()
                           .Name("onewindow_gateway_active_sessions")
                           .Help("Sessions in Redis, sampled")
                           .Register(registry)),
      active_sessions_(sessions_family_.Add({})),
      connections_family_(prometheus::BuildGauge()
                              .Name("onewindow_gateway_open_connections")
                              .Help("HTTP connections open, sampled")
                              .Register(registry)),
      open_connections_(connections_family_.Add({})),
      refused_family_(prometheus::BuildCounter()
                          .Name("onewindow_gateway_refused_connections_total")
                          .Help("HTTP connections refused for being over --max_connections"
                                " (answered 503, or closed in a flood)")
                          .Register(registry)),
      refused_connections_(refused_family_.Add({})) {}

void GatewayMetrics::SampleConnections(int open, int64_t refused_total) {
  open_connections_.Set(open);
  absl::MutexLock lock(&mu_);
  if (refused_total > refused_counted_) {
    refused_connections_.Increment(static_cast<double>(refused_total - refused_counted_));
    refused_counted_ = refused_total;
  }
}

void GatewayMetrics::RecordRequest(absl::string_view route, absl::string_view method, int status,
                                   absl::Duration latency) {
  requests_
      .Add({{"route", std::string(route)},
            {"method", std::string(method)},
            {"status", std::to_string(status)}})
      .Increment();
  static const auto* const kBuckets = new prometheus::Histogram::BucketBoundaries{
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  latency_.Add({{"route", std::string(route)}}, *kBuckets).Observe(absl::ToDoubleSeconds(latency));
}

std::vector<prometheus::MetricFamily> GatewayMetrics::Collect() const {
  std::vector<prometheus::MetricFamily> out;
  for (const prometheus::Collectable* family :
       std::initializer_list<const prometheus::Collectable*>{
           &requests_, &latency_, &upstream_errors_, &sessions_family_, &connections_family_,
           &refused_family_}) {
    for (prometheus::MetricFamily& f : family->Collect()) out.push_back(std::move(f));
  }
  return out;
}

void GatewayMetrics::RecordUpstreamError(absl::string_view service, absl::string_view code) {
  upstream_errors_.Add({{"service", std::string(service)}, {"code", std::string(code)}})
      .Increment();
}

}  // namespace onewindow::gateway
