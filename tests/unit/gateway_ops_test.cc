// The /ops page's gateway side: the traffic figures it computes from the
// gateway's own counters, who may read them, and how its files are served.
#include <google/protobuf/struct.pb.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "absl/strings/match.h"
#include "libs/status/proto_json.h"
#include "services/gateway/ops_page.h"

namespace onewindow::gateway {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

std::vector<prometheus::ClientMetric::Bucket> Buckets(
    std::initializer_list<std::pair<double, uint64_t>> bounds) {
  std::vector<prometheus::ClientMetric::Bucket> out;
  for (const auto& [bound, count] : bounds) {
    prometheus::ClientMetric::Bucket b;
    b.upper_bound = bound;
    b.cumulative_count = count;
    out.push_back(b);
  }
  return out;
}

std::string Header(const HttpResponse& res, boost::beast::http::field name) {
  return std::string(res[name]);
}

Struct Parse(const std::string& json) {
  Struct s;
  absl::Status parsed = status::JsonToMessage(json, &s);
  INFO(json);
  REQUIRE(parsed.ok());
  return s;
}

// The row of `list` whose `key` field is `value`.
const Struct& Row(const Struct& body, const std::string& list, const std::string& key,
                  const std::string& value) {
  for (const Value& v : body.fields().at(list).list_value().values()) {
    if (v.struct_value().fields().at(key).string_value() == value) return v.struct_value();
  }
  FAIL("no " << list << " row with " << key << " = " << value);
  static const Struct kEmpty;
  return kEmpty;
}

double Number(const Struct& s, const std::string& field) {
  return s.fields().at(field).number_value();
}

struct Fixture {
  prometheus::Registry registry;
  GatewayMetrics metrics{registry};
  RouteTable routes = *RouteTable::FromGeneratedPool({"onewindow/catalog/v1/catalog.proto"});
  OpsPage page{&metrics, &routes, absl::FromUnixSeconds(1767225600)};
};

auth::v1::Principal Of(auth::v1::PrincipalKind kind) {
  auth::v1::Principal p;
  p.set_kind(kind);
  p.set_subject("someone");
  return p;
}

TEST_CASE("latency quantiles interpolate inside the bucket like Prometheus") {
  const auto buckets =
      Buckets({{0.01, 50}, {0.1, 90}, {1, 100}, {std::numeric_limits<double>::infinity(), 100}});
  CHECK(HistogramQuantile(0.5, buckets) == Approx(0.01));
  // Rank 99 lies 9/10 of the way into (0.1, 1].
  CHECK(HistogramQuantile(0.99, buckets) == Approx(0.1 + 0.9 * 0.9));
  CHECK(HistogramQuantile(0.25, buckets) == Approx(0.005));
}

TEST_CASE("a quantile falling in the +Inf bucket is the highest finite bound") {
  const auto buckets = Buckets({{0.5, 1}, {std::numeric_limits<double>::infinity(), 10}});
  CHECK(HistogramQuantile(0.99, buckets) == 0.5);
}

TEST_CASE("no samples give no quantile") {
  CHECK(HistogramQuantile(0.5, {}) < 0);
  CHECK(HistogramQuantile(0.5, Buckets({{1, 0}, {std::numeric_limits<double>::infinity(), 0}})) <
        0);
}

TEST_CASE("traffic is summed per route and per backend, probes left out, 5xx counted as errors") {
  Fixture f;
  for (int i = 0; i < 4; ++i) {
    f.metrics.RecordRequest("/api/v1/items", "GET", 200, absl::Milliseconds(3));
  }
  f.metrics.RecordRequest("/api/v1/items", "GET", 400, absl::Milliseconds(1));
  f.metrics.RecordRequest("/api/v1/items/{implementation_code}", "GET", 503,
                          absl::Milliseconds(40));
  f.metrics.RecordRequest("/api/v1/sessions", "POST", 200, absl::Milliseconds(80));
  f.metrics.RecordRequest("/healthz", "GET", 200, absl::Milliseconds(1));
  f.metrics.RecordRequest("/readyz", "GET", 503, absl::Milliseconds(1));
  f.metrics.RecordUpstreamError("catalog", "UNAVAILABLE");

  const Struct body = Parse(TrafficJson(
      f.metrics.Collect(), [&](const std::string& r) { return f.page.ServiceOf(r); },
      absl::FromUnixSeconds(1767229200), absl::FromUnixSeconds(1767225600)));
  CHECK(body.fields().at("since").string_value() == "2026-01-01T00:00:00.000Z");
  const Struct& total = body.fields().at("total").struct_value();
  CHECK(Number(total, "requests") == 7);
  CHECK(Number(total, "errors") == 1);
  CHECK(Number(total, "errorRatio") == Approx(1.0 / 7));

  const Struct& items = Row(body, "routes", "route", "/api/v1/items");
  CHECK(Number(items, "requests") == 5);
  CHECK(Number(items, "errors") == 0);
  CHECK(items.fields().at("service").string_value() == "catalog");
  CHECK(Number(items, "p50Seconds") > 0.0025);
  CHECK(Number(items, "p50Seconds") <= 0.005);

  const Struct& catalog = Row(body, "services", "service", "catalog");
  CHECK(Number(catalog, "requests") == 6);
  CHECK(Number(catalog, "errors") == 1);
  CHECK(Number(catalog, "upstreamErrors") == 1);
  CHECK(Number(Row(body, "services", "service", "identity"), "requests") == 1);
  CHECK(Number(Row(body, "statuses", "status", "503"), "requests") == 1);
  CHECK(Number(Row(body, "upstreamErrors", "code", "UNAVAILABLE"), "count") == 1);
  for (const Value& route : body.fields().at("routes").list_value().values()) {
    const std::string name = route.struct_value().fields().at("route").string_value();
    CHECK(name != "/healthz");
    CHECK(name != "/readyz");
  }
}

TEST_CASE("without traffic there is no latency rather than a made-up one") {
  const Struct body = Parse(TrafficJson(
      {}, [](const std::string&) { return "gateway"; }, absl::Now(), absl::Now()));
  CHECK(Number(body.fields().at("total").struct_value(), "requests") == 0);
  CHECK(body.fields().at("total").struct_value().fields().at("p99Seconds").has_null_value());
}

TEST_CASE("the gateway's own endpoints and streamed uploads are attributed to their backend") {
  Fixture f;
  CHECK(f.page.ServiceOf("/api/v1/coverage") == "catalog");
  CHECK(f.page.ServiceOf("/api/v1/sessions") == "identity");
  CHECK(f.page.ServiceOf("/api/v1/sessions/current") == "gateway");
  CHECK(f.page.ServiceOf("/api/v1/materials/{material_id}/content") == "intake");
  CHECK(f.page.ServiceOf("/ops") == "gateway");
  CHECK(f.page.ServiceOf("unmatched") == "gateway");
}

TEST_CASE("traffic figures are for operators and platform admins only") {
  Fixture f;
  CHECK(f.page.Traffic("GET", nullptr, 11).result_int() == 401);
  for (auto kind : {auth::v1::CITIZEN, auth::v1::ENTERPRISE, auth::v1::STAFF, auth::v1::SERVICE}) {
    const auth::v1::Principal p = Of(kind);
    CHECK(f.page.Traffic("GET", &p, 11).result_int() == 403);
  }
  for (auto kind : {auth::v1::OPERATOR, auth::v1::PLATFORM_ADMIN}) {
    const auth::v1::Principal p = Of(kind);
    const HttpResponse res = f.page.Traffic("GET", &p, 11);
    CHECK(res.result_int() == 200);
    CHECK(Header(res, boost::beast::http::field::cache_control) == "no-store");
    CHECK(absl::StrContains(res.body(), "\"routes\""));
  }
  const auth::v1::Principal op = Of(auth::v1::OPERATOR);
  CHECK(f.page.Traffic("POST", &op, 11).result_int() == 405);
}

TEST_CASE("the page is served from the binary with a strict content security policy") {
  Fixture f;
  std::string label;
  for (const char* path : {"/ops", "/ops/"}) {
    const HttpResponse page = f.page.ServeAsset("GET", path, 11, &label);
    CHECK(page.result_int() == 200);
    CHECK(label == "/ops");
    CHECK(absl::StartsWith(Header(page, boost::beast::http::field::content_type), "text/html"));
    CHECK(absl::StrContains(page.body(), "/ops/ops.js"));
    const std::string csp(page["Content-Security-Policy"]);
    CHECK(absl::StrContains(csp, "script-src 'self'"));
    CHECK_FALSE(absl::StrContains(csp, "unsafe-inline"));
  }
  const HttpResponse script = f.page.ServeAsset("GET", "/ops/ops.js", 11, &label);
  CHECK(script.result_int() == 200);
  CHECK(label == "/ops/{asset}");
  CHECK(
      absl::StartsWith(Header(script, boost::beast::http::field::content_type), "text/javascript"));
  CHECK(f.page.ServeAsset("GET", "/ops/ops.css", 11, &label).result_int() == 200);
}

TEST_CASE("unknown page files are 404 under one route label, other methods 405") {
  Fixture f;
  std::string label;
  CHECK(f.page.ServeAsset("GET", "/ops/../etc/passwd", 11, &label).result_int() == 404);
  CHECK(label == "/ops/{asset}");
  CHECK(f.page.ServeAsset("GET", "/ops/embed.cmake", 11, &label).result_int() == 404);
  CHECK(f.page.ServeAsset("POST", "/ops", 11, &label).result_int() == 405);
  CHECK(OpsPage::IsPagePath("/ops"));
  CHECK(OpsPage::IsPagePath("/ops/ops.js"));
  CHECK_FALSE(OpsPage::IsPagePath("/opsx"));
  CHECK_FALSE(OpsPage::IsPagePath("/api/v1/ops/traffic"));
}

}  // namespace
}  // namespace onewindow::gateway
