// The gateway's HTTP surface: transcoding, errors, limits and headers.
#include <signal.h>

#include <catch2/catch.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/testing/http_client.h"
#include "libs/testing/stack.h"
#include "tests/integration/require_ok.h"

namespace onewindow {
namespace {

using testing::HttpConnection;
using testing::Stack;

// Identity and catalog behind a gateway started with `gateway_flags`.
std::unique_ptr<Stack> StartGatewayStack(std::vector<std::string> gateway_flags = {
                                             "--max_body_bytes=4096"}) {
  testing::StackOptions options;
  options.backends = {"identity", "catalog"};
  options.extra_flags["gateway"] = std::move(gateway_flags);
  return testing::RequireOk(Stack::Start(options));
}

TEST_CASE("a JSON body is transcoded into a gRPC request and the reply back into JSON") {
  auto stack = StartGatewayStack();
  auto r = testing::HttpPost(stack->gateway_port(), "/api/v1/accounts/citizens",
                             R"({"residentId":"11010519491231002X","name":"张三",)"
                             R"("phone":"13812341234","regionCode":"440106001001",)"
                             R"("password":"Correct-horse-9"})");
  REQUIRE(r.ok());
  CHECK(r->status == 200);
  CHECK(absl::StrContains(r->body, R"("kind":"CITIZEN")"));
  CHECK(r->header("cache-control") == "no-store");
  CHECK(r->header("x-content-type-options") == "nosniff");
}

TEST_CASE("bad requests get 4xx with a JSON error naming the problem, never a crash") {
  auto stack = StartGatewayStack();
  HttpConnection c(stack->gateway_port());
  auto malformed = c.Request("POST", "/api/v1/accounts/citizens", "{not json");
  REQUIRE(malformed.ok());
  CHECK(malformed->status == 400);
  CHECK(absl::StrContains(malformed->body, R"("code":"INVALID_ARGUMENT")"));

  auto unknown_field = c.Request("POST", "/api/v1/accounts/citizens", R"({"shoeSize":42})");
  REQUIRE(unknown_field.ok());
  CHECK(unknown_field->status == 400);
  CHECK(absl::StrContains(unknown_field->body, "shoeSize"));

  auto wrong_type = c.Request("POST", "/api/v1/accounts/citizens", R"({"name":{"a":1}})");
  REQUIRE(wrong_type.ok());
  CHECK(wrong_type->status == 400);

  auto invalid = c.Request("POST", "/api/v1/accounts/citizens",
                           R"({"residentId":"110105194912310021","name":"","phone":"12",)"
                           R"("regionCode":"44","password":"short"})");
  REQUIRE(invalid.ok());
  CHECK(invalid->status == 400);
  for (const char* field : {"resident_id", "name", "phone", "region_code", "password"}) {
    CHECK(absl::StrContains(invalid->body, field));
  }

  auto no_route = c.Request("GET", "/api/v1/nothing-here");
  REQUIRE(no_route.ok());
  CHECK(no_route->status == 404);

  auto wrong_method = c.Request("DELETE", "/api/v1/regions/440000000000");
  REQUIRE(wrong_method.ok());
  CHECK(wrong_method->status == 405);
  CHECK(wrong_method->header("allow") == "GET");

  auto too_big = c.Request("POST", "/api/v1/accounts/citizens",
                           absl::StrCat(R"({"name":")", std::string(8000, 'a'), R"("})"));
  REQUIRE(too_big.ok());
  CHECK(too_big->status == 413);

  auto not_json = testing::HttpPost(stack->gateway_port(), "/api/v1/accounts/citizens", "a=b",
                                    {{"Content-Type", "application/x-www-form-urlencoded"}});
  REQUIRE(not_json.ok());
  CHECK(not_json->status == 415);
}

TEST_CASE("a signed-in route refuses an anonymous caller with 401") {
  auto stack = StartGatewayStack();
  auto r = testing::HttpGet(stack->gateway_port(), "/api/v1/inbox");
  REQUIRE(r.ok());
  CHECK(r->status == 401);
  CHECK(absl::StrContains(r->body, R"("code":"UNAUTHENTICATED")"));
}

TEST_CASE("a backend that is down answers 503 without internal addresses") {
  testing::StackOptions options;
  options.backends = {"catalog"};
  auto stack = Stack::Start(options);
  INFO(stack.status().ToString());
  REQUIRE(stack.ok());
  (*stack)->Stop("catalog", SIGKILL);
  auto r = testing::HttpGet((*stack)->gateway_port(), "/api/v1/regions/440000000000");
  REQUIRE(r.ok());
  CHECK(r->status == 503);
  CHECK(absl::StrContains(r->body, "catalog unavailable"));
  CHECK_FALSE(absl::StrContains(r->body, "127.0.0.1"));
}

TEST_CASE("the OpenAPI document lists every routed RPC and every route served by hand") {
  auto stack = StartGatewayStack(
      {"--max_upload_bytes=8388608", "--secure_cookies", "--open311_jurisdiction_id=testville"});
  auto r = testing::HttpGet(stack->gateway_port(), "/api/openapi.json");
  REQUIRE(r.ok());
  CHECK(r->status == 200);
  // The declared routes transcoded from the protos, then the ones served by hand.
  for (const char* path : {"/api/v1/regions/{code}",
                           "/api/v1/regions/{code}/children",
                           "/api/v1/accounts/citizens",
                           "/api/v1/applications",
                           "/api/v1/applications/{application_id}",
                           "/api/v1/inbox",
                           "/api/v1/materials/{material_id}",
                           "/api/v1/materials",
                           "/api/v1/materials/{material_id}/content",
                           "/healthz",
                           "/readyz",
                           "/api/openapi.json",
                           "/api/v1/sessions",
                           "/api/v1/sessions/current",
                           "/api/v1/ops/traffic",
                           "/open311/v2/services.json",
                           "/open311/v2/services/{service_code}.json",
                           "/open311/v2/requests.json",
                           "/open311/v2/requests/{service_request_id}.json",
                           "/open311/v2/tokens/{token}.json"}) {
    INFO(path);
    CHECK(absl::StrContains(r->body, absl::StrCat("\"", path, "\"")));
  }
  // Served by hand rather than transcoded, yet described like the rest.
  for (const char* operation :
       {"IntakeService_UploadMaterial", "IntakeService_DownloadMaterial", "Gateway_Healthz",
        "Gateway_Readyz", "Gateway_OpenApi", "Gateway_SignIn", "Gateway_SignOut",
        "Gateway_OpsTraffic", "Open311_GetServiceList", "Open311_GetServiceDefinition",
        "Open311_GetServiceRequests", "Open311_PostServiceRequest", "Open311_GetServiceRequest",
        "Open311_GetServiceRequestIdFromToken"}) {
    INFO(operation);
    CHECK(absl::StrContains(r->body, absl::StrCat(R"("operationId":")", operation, "\"")));
  }
  CHECK(absl::StrContains(r->body, "At most 8 MiB here"));
  // As this gateway is configured: the cookie it sets, the jurisdiction it
  // serves, and the CSRF header it checks.
  CHECK(absl::StrContains(r->body, R"("in":"cookie","name":"__Host-ow_session")"));
  CHECK(absl::StrContains(r->body, R"("enum":["testville"])"));
  CHECK(absl::StrContains(r->body, R"("in":"header","name":"X-CSRF-Token")"));
  CHECK(absl::StrContains(r->body, R"("in":"query","name":"api_key")"));
}

TEST_CASE("a method nothing serves is refused with 501 and counted as other, not by its name") {
  auto stack = StartGatewayStack();
  HttpConnection c(stack->gateway_port());
  for (const std::string path : {"/ops", "/api/v1/topics", "/nowhere"}) {
    INFO(path);
    auto r = c.Request("BREWCOFFEE", path);
    REQUIRE(r.ok());
    CHECK(r->status == 501);
    CHECK(absl::StrContains(r->body, "method"));
  }
  auto metrics = testing::HttpGet(stack->metrics_port("gateway"), "/metrics");
  REQUIRE(metrics.ok());
  CHECK_FALSE(absl::StrContains(metrics->body, "BREWCOFFEE"));
  CHECK(absl::StrContains(metrics->body, R"(method="other",route="unmatched",status="501")"));
}

TEST_CASE("behind a trusted proxy each forwarded client has its own rate limit") {
  auto stack = StartGatewayStack(
      {"--rate_per_client=0.001", "--burst_per_client=2", "--trusted_proxies=127.0.0.0/8"});
  HttpConnection c(stack->gateway_port());
  // An unknown path: counted like any request, and never a cached answer.
  auto get_as = [&](const std::string& client) {
    auto r = c.Request("GET", "/api/v1/nowhere", "", {{"X-Forwarded-For", client}});
    REQUIRE(r.ok());
    return r->status;
  };
  CHECK(get_as("203.0.113.1") == 404);
  CHECK(get_as("203.0.113.1") == 404);
  CHECK(get_as("203.0.113.1") == 429);
  // Another client behind the same proxy is not held back by the first.
  CHECK(get_as("203.0.113.2") == 404);
  // A proxy that adds its own line instead of extending the client's: the
  // line the client wrote is not believed.
  auto two_lines =
      c.Request("GET", "/api/v1/nowhere", "",
                {{"X-Forwarded-For", "203.0.113.1"}, {"X-Forwarded-For", "203.0.113.5"}});
  REQUIRE(two_lines.ok());
  CHECK(two_lines->status == 404);
  // One IPv6 subscriber's /64 is one client.
  CHECK(get_as("2001:db8:1:2::1") == 404);
  CHECK(get_as("2001:db8:1:2::2") == 404);
  CHECK(get_as("2001:db8:1:2::3") == 429);
}

TEST_CASE("a client that is not a trusted proxy cannot dodge its rate limit by forwarding") {
  auto stack = StartGatewayStack({"--rate_per_client=0.001", "--burst_per_client=2"});
  HttpConnection c(stack->gateway_port());
  for (const std::string forged : {"203.0.113.1", "203.0.113.2"}) {
    auto r = c.Request("GET", "/api/v1/nowhere", "", {{"X-Forwarded-For", forged}});
    REQUIRE(r.ok());
    CHECK(r->status == 404);
  }
  auto r = c.Request("GET", "/api/v1/nowhere", "", {{"X-Forwarded-For", "203.0.113.3"}});
  REQUIRE(r.ok());
  CHECK(r->status == 429);
}

TEST_CASE("keep-alive serves many requests on one connection") {
  auto stack = StartGatewayStack();
  HttpConnection c(stack->gateway_port());
  for (int i = 0; i < 50; ++i) {
    auto r = c.Request("GET", "/healthz");
    REQUIRE(r.ok());
    CHECK(r->status == 200);
  }
}

TEST_CASE("anonymous reads of public data are reused briefly, signed-in and failed ones are not") {
  auto stack = StartGatewayStack({"--public_cache_ms=60000"});
  HttpConnection http(stack->gateway_port());
  auto first = http.Request("GET", "/api/v1/topics");
  REQUIRE(first.ok());
  CHECK(first->status == 200);
  CHECK(first->header("x-cache").empty());
  auto second = http.Request("GET", "/api/v1/topics");
  REQUIRE(second.ok());
  CHECK(second->status == 200);
  CHECK(second->header("x-cache") == "hit");
  CHECK(second->body == first->body);
  CHECK(second->header("cache-control") == "public, max-age=60");
  // A different query is a different answer.
  auto other = http.Request("GET", "/api/v1/topics?regionCode=440000000000");
  REQUIRE(other.ok());
  CHECK(other->header("x-cache").empty());
  // With a cookie the request goes the whole way (session, rate limits).
  auto with_cookie = http.Request("GET", "/api/v1/topics", "", {{"Cookie", "ow_session=unknown"}});
  REQUIRE(with_cookie.ok());
  CHECK(with_cookie->header("x-cache").empty());
  // Errors are never cached.
  for (int i = 0; i < 2; ++i) {
    auto missing = http.Request("GET", "/api/v1/regions/440000000000");
    REQUIRE(missing.ok());
    CHECK(missing->status == 404);
    CHECK(missing->header("x-cache").empty());
  }
}

}  // namespace
}  // namespace onewindow
