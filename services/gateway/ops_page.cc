#include "services/gateway/ops_page.h"

#include <cmath>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "libs/auth/access.h"
#include "libs/log/json_writer.h"
#include "services/gateway/http_errors.h"

namespace onewindow::gateway {
namespace {

namespace http = boost::beast::http;

constexpr char kPagePath[] = "/ops";
constexpr char kAssetLabel[] = "/ops/{asset}";

// Probes would swamp the figures (docs/operations.md).
bool IsProbe(const std::string& route) { return route == "/healthz" || route == "/readyz"; }

// Built-in endpoints whose work happens in a backend, by label prefix.
constexpr std::pair<const char*, const char*> kBuiltInServices[] = {
    {"/api/v1/sessions", "identity"},  // sign-in; sign-out is Redis only (below)
    {"/api/v1/materials", "intake"},   // streamed uploads and downloads
    {"/open311/", "complaint"},
};

std::string Label(const prometheus::ClientMetric& metric, absl::string_view name) {
  for (const auto& label : metric.label) {
    if (label.name == name) return label.value;
  }
  return "";
}

// Requests, 5xx answers and the merged latency histogram of a group of
// routes.
struct Tally {
  double requests = 0;
  double errors = 0;
  double upstream_errors = 0;
  // Upper bound -> cumulative count; every route uses the same bounds, but
  // merging by bound keeps this right if they ever differ.
  std::map<double, uint64_t> buckets;

  void AddHistogram(const prometheus::ClientMetric::Histogram& h) {
    for (const auto& b : h.bucket) buckets[b.upper_bound] += b.cumulative_count;
  }
  std::vector<prometheus::ClientMetric::Bucket> Buckets() const {
    std::vector<prometheus::ClientMetric::Bucket> out;
    for (const auto& [bound, count] : buckets) {
      prometheus::ClientMetric::Bucket b;
      b.upper_bound = bound;
      b.cumulative_count = count;
      out.push_back(b);
    }
    return out;
  }
};

void AppendNumber(double value, std::string* out) {
  if (!std::isfinite(value)) {
    out->append("null");
    return;
  }
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    absl::StrAppend(out, static_cast<int64_t>(value));
  } else {
    absl::StrAppend(out, value);
  }
}

void AppendQuantile(double q, const Tally& t, std::string* out) {
  const double v = HistogramQuantile(q, t.Buckets());
  if (v < 0) {
    out->append("null");
  } else {
    AppendNumber(v, out);
  }
}

// The shared fields of a route, service or total row.
void AppendFigures(const Tally& t, std::string* out) {
  out->append(R"("requests":)");
  AppendNumber(t.requests, out);
  out->append(R"(,"errors":)");
  AppendNumber(t.errors, out);
  out->append(R"(,"errorRatio":)");
  AppendNumber(t.requests > 0 ? t.errors / t.requests : 0, out);
  out->append(R"(,"p50Seconds":)");
  AppendQuantile(0.5, t, out);
  out->append(R"(,"p99Seconds":)");
  AppendQuantile(0.99, t, out);
}

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
}

}  // namespace

double HistogramQuantile(double q, const std::vector<prometheus::ClientMetric::Bucket>& buckets) {
  if (buckets.empty()) return -1;
  const double total = static_cast<double>(buckets.back().cumulative_count);
  if (total <= 0) return -1;
  const double rank = q * total;
  double lower_bound = 0;
  double lower_count = 0;
  for (const auto& b : buckets) {
    const double count = static_cast<double>(b.cumulative_count);
    if (count >= rank) {
      if (std::isinf(b.upper_bound)) return lower_bound;
      if (count == lower_count) return b.upper_bound;
      return lower_bound +
             (b.upper_bound - lower_bound) * (rank - lower_count) / (count - lower_count);
    }
    lower_bound = b.upper_bound;
    lower_count = count;
  }
  return lower_bound;
}

std::string TrafficJson(const std::vector<prometheus::MetricFamily>& families,
                        const std::function<std::string(const std::string&)>& service_of,
                        absl::Time now, absl::Time since) {
  Tally total;
  std::map<std::string, Tally> by_route;
  std::map<std::string, Tally> by_service;
  std::map<std::string, double> by_status;
  // (service, code) -> count.
  std::map<std::pair<std::string, std::string>, double> upstream;
  double active_sessions = 0;
  for (const prometheus::MetricFamily& family : families) {
    for (const prometheus::ClientMetric& metric : family.metric) {
      if (family.name == "onewindow_gateway_active_sessions") {
        active_sessions = metric.gauge.value;
        continue;
      }
      if (family.name == "onewindow_gateway_upstream_errors_total") {
        const std::string service = Label(metric, "service");
        upstream[{service, Label(metric, "code")}] += metric.counter.value;
        by_service[service].upstream_errors += metric.counter.value;
        continue;
      }
      const std::string route = Label(metric, "route");
      if (IsProbe(route)) continue;
      const std::string service = service_of(route);
      if (family.name == "onewindow_gateway_http_requests_total") {
        const std::string status = Label(metric, "status");
        const double n = metric.counter.value;
        const double errors = absl::StartsWith(status, "5") ? n : 0;
        for (Tally* t : {&total, &by_route[route], &by_service[service]}) {
          t->requests += n;
          t->errors += errors;
        }
        by_status[status] += n;
      } else if (family.name == "onewindow_gateway_http_request_duration_seconds") {
        for (Tally* t : {&total, &by_route[route], &by_service[service]}) {
          t->AddHistogram(metric.histogram);
        }
      }
    }
  }

  std::string out = R"({"asOf":")";
  absl::StrAppend(&out, Rfc3339(now), R"(","since":")", Rfc3339(since), R"(","activeSessions":)");
  AppendNumber(active_sessions, &out);
  out.append(R"(,"total":{)");
  AppendFigures(total, &out);
  out.append(R"(},"services":[)");
  bool first = true;
  for (const auto& [service, t] : by_service) {
    if (!first) out.push_back(',');
    first = false;
    out.append(R"({"service":)");
    log::AppendJsonString(service, &out);
    out.push_back(',');
    AppendFigures(t, &out);
    out.append(R"(,"upstreamErrors":)");
    AppendNumber(t.upstream_errors, &out);
    out.push_back('}');
  }
  out.append(R"(],"routes":[)");
  first = true;
  for (const auto& [route, t] : by_route) {
    if (!first) out.push_back(',');
    first = false;
    out.append(R"({"route":)");
    log::AppendJsonString(route, &out);
    out.append(R"(,"service":)");
    log::AppendJsonString(service_of(route), &out);
    out.push_back(',');
    AppendFigures(t, &out);
    out.push_back('}');
  }
  out.append(R"(],"statuses":[)");
  first = true;
  for (const auto& [status, n] : by_status) {
    if (!first) out.push_back(',');
    first = false;
    out.append(R"({"status":)");
    log::AppendJsonString(status, &out);
    out.append(R"(,"requests":)");
    AppendNumber(n, &out);
    out.push_back('}');
  }
  out.append(R"(],"upstreamErrors":[)");
  first = true;
  for (const auto& [key, n] : upstream) {
    if (!first) out.push_back(',');
    first = false;
    out.append(R"({"service":)");
    log::AppendJsonString(key.first, &out);
    out.append(R"(,"code":)");
    log::AppendJsonString(key.second, &out);
    out.append(R"(,"count":)");
    AppendNumber(n, &out);
    out.push_back('}');
  }
  out.append("]}");
  return out;
}

OpsPage::OpsPage(const GatewayMetrics* metrics, const RouteTable* routes, absl::Time started)
    : metrics_(metrics), started_(started) {
  for (const Route& route : routes->routes()) {
    service_by_route_.emplace(route.path.text(), route.backend);
  }
}

std::string OpsPage::ServiceOf(const std::string& route_label) const {
  auto it = service_by_route_.find(route_label);
  if (it != service_by_route_.end()) return it->second;
  if (route_label == "/api/v1/sessions/current") return "gateway";
  for (const auto& [prefix, service] : kBuiltInServices) {
    if (absl::StartsWith(route_label, prefix)) return service;
  }
  return "gateway";
}

bool OpsPage::IsPagePath(absl::string_view path) {
  return path == kPagePath || absl::StartsWith(path, "/ops/");
}

HttpResponse OpsPage::ServeAsset(absl::string_view method, absl::string_view path, unsigned version,
                                 std::string* route_label) const {
  absl::string_view name = path;
  absl::ConsumePrefix(&name, kPagePath);
  absl::ConsumePrefix(&name, "/");
  if (name.empty()) name = "index.html";
  const OpsAsset* asset = nullptr;
  for (const OpsAsset& a : OpsAssets()) {
    if (name == a.name) asset = &a;
  }
  // One label for every file name asked for, so junk paths add no series.
  *route_label = name == "index.html" ? kPagePath : kAssetLabel;
  if (method != "GET") {
    HttpResponse res = ErrorResponse(
        absl::InvalidArgumentError(absl::StrCat("method ", method, " not allowed here")), version);
    res.result(http::status::method_not_allowed);
    res.set(http::field::allow, "GET");
    return res;
  }
  if (asset == nullptr) {
    return ErrorResponse(absl::NotFoundError(absl::StrCat("no route for ", path)), version);
  }
  HttpResponse res{http::status::ok, version};
  res.set(http::field::content_type, asset->content_type);
  res.set("X-Content-Type-Options", "nosniff");
  res.set("X-Frame-Options", "DENY");
  res.set("Referrer-Policy", "no-referrer");
  // Everything from this origin, nothing inline, nothing from elsewhere.
  res.set("Content-Security-Policy",
          "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  // Small files: revalidating on every load keeps a new gateway's page fresh.
  res.set(http::field::cache_control, "no-cache");
  res.body() = asset->body;
  res.prepare_payload();
  return res;
}

HttpResponse OpsPage::Traffic(absl::string_view method, const auth::v1::Principal* principal,
                              unsigned version) const {
  if (method != "GET") {
    HttpResponse res = ErrorResponse(
        absl::InvalidArgumentError(absl::StrCat("method ", method, " not allowed here")), version);
    res.result(http::status::method_not_allowed);
    res.set(http::field::allow, "GET");
    return res;
  }
  if (principal == nullptr) {
    return ErrorResponse(absl::UnauthenticatedError("sign-in required"), version);
  }
  if (absl::Status allowed =
          auth::RequireKind(*principal, {auth::v1::OPERATOR, auth::v1::PLATFORM_ADMIN});
      !allowed.ok()) {
    return ErrorResponse(allowed, version);
  }
  std::string body = TrafficJson(
      metrics_->Collect(), [this](const std::string& route) { return ServiceOf(route); },
      absl::Now(), started_);
  // Operational detail for operators only: never cached on the way.
  return JsonResponse(200, std::move(body), version, true);
}

}  // namespace onewindow::gateway
