// The operators' supervision page (/ops) in headless Chromium: the whole
// platform runs on free ports with a generated province in the catalog, some
// traffic and a backend down, an operator account exists; ops_page.mjs then
// loads the page, signs in through its form and checks every rendered
// figure against the JSON API (see that file). Needs Debian's chromium and
// Node.js (deploy/scripts/install-deps.sh).
#include <google/protobuf/struct.pb.h>
#include <grpcpp/client_context.h>
#include <signal.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/client/channels.h"
#include "libs/server/call.h"
#include "libs/status/proto_json.h"
#include "libs/testing/http_client.h"
#include "libs/testing/stack.h"
#include "onewindow/complaint/v1/complaint.grpc.pb.h"
#include "onewindow/identity/v1/identity.grpc.pb.h"

namespace onewindow {
namespace {

using testing::HttpConnection;
using testing::HttpResult;
using testing::Stack;

constexpr char kOperator[] = "ops.watch";
constexpr char kPassword[] = "Watch-the-dials-7";
// 社保 (social insurance): a two-character search every province has.
constexpr char kSearch[] = "/api/v1/items?q=%E7%A4%BE%E4%BF%9D&pageSize=5";
constexpr int kSearches = 7;
constexpr int kComplaints = 2;

int RunToCompletion(const std::vector<std::string>& argv,
                    const std::map<std::string, std::string>& env, const std::string& log,
                    absl::Duration timeout) {
  testing::ChildProcess p;
  const absl::Status started = p.Start(argv, env, log);
  INFO(started.ToString());
  REQUIRE(started.ok());
  const int status = p.Stop(0, timeout);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string CookieFrom(const HttpResult& r) {
  const std::string set_cookie = r.header("set-cookie");
  return set_cookie.substr(0, set_cookie.find(';'));
}

std::unique_ptr<Stack> StartPlatform() {
  testing::StackOptions options;
  // The page, the script and this test sign in five times between them.
  options.extra_flags["gateway"] = {"--login_burst_per_client=20"};
  auto stack = Stack::Start(options);
  INFO(stack.status().ToString());
  REQUIRE(stack.ok());
  return *std::move(stack);
}

void LoadCatalog(const Stack& stack) {
  const std::string out = absl::StrCat(stack.data_dir(), "/province");
  const std::string log = absl::StrCat(stack.data_dir(), "/tools.log");
  const std::map<std::string, std::string> env = {{"OW_PRINCIPAL_KEYS", stack.principal_keys()},
                                                  {"OW_CATALOG_ADDR", stack.Address("catalog")}};
  const int generated =
      RunToCompletion({testing::BinaryPath("catalog_gen/catalog_gen"), absl::StrCat("--out=", out),
                       "--implementations=400", "--seed=11"},
                      env, log, absl::Seconds(120));
  INFO(testing::ReadFile(log));
  REQUIRE(generated == 0);
  REQUIRE(RunToCompletion(
              {testing::BinaryPath("catalog_import/catalog_import"), absl::StrCat("--dir=", out)},
              env, log, absl::Seconds(120)) == 0);
}

void CreateOperator(const Stack& stack) {
  auto identity =
      identity::v1::IdentityService::NewStub(client::MakeChannel(stack.Address("identity")));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  context.AddMetadata(server::kPrincipalHeader, stack.AdminToken());
  identity::v1::CreateStaffAccountRequest request;
  request.set_username(kOperator);
  request.set_display_name("值班运维 Ops Watch");
  request.set_kind(auth::v1::OPERATOR);
  request.set_password(kPassword);
  identity::v1::Account account;
  const grpc::Status created = identity->CreateStaffAccount(&context, request, &account);
  INFO(created.error_message());
  REQUIRE(created.ok());
}

// Citizens file complaints, so the work-order figures are not all zero.
void FileComplaints(const Stack& stack, int count) {
  auto complaint =
      complaint::v1::ComplaintService::NewStub(client::MakeChannel(stack.Address("complaint")));
  for (int i = 0; i < count; ++i) {
    auth::v1::Principal citizen;
    citizen.set_kind(auth::v1::CITIZEN);
    citizen.set_subject(absl::StrCat("citizen-", i));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    context.AddMetadata(server::kPrincipalHeader, stack.Token(citizen));
    complaint::v1::SubmitWorkOrderRequest request;
    request.set_category_code("noise");
    request.set_title("夜间施工噪音");
    request.set_description("每晚十一点后仍在施工");
    request.mutable_location()->set_region_code("440106001001");
    complaint::v1::WorkOrder order;
    const grpc::Status filed = complaint->SubmitWorkOrder(&context, request, &order);
    INFO(filed.error_message());
    REQUIRE(filed.ok());
  }
}

std::string SignIn(int port) {
  auto r = testing::HttpPost(port, "/api/v1/sessions",
                             absl::StrCat(R"({"kind":"STAFF_LOGIN","loginId":")", kOperator,
                                          R"(","password":")", kPassword, R"("})"));
  REQUIRE(r.ok());
  INFO(r->body);
  REQUIRE(r->status == 200);
  return CookieFrom(*r);
}

// The number a traffic answer gives `field` in the row of `route`.
double RouteFigure(const std::string& traffic_json, const std::string& route,
                   const std::string& field) {
  google::protobuf::Struct body;
  REQUIRE(status::JsonToMessage(traffic_json, &body).ok());
  for (const auto& row : body.fields().at("routes").list_value().values()) {
    const auto& fields = row.struct_value().fields();
    if (fields.at("route").string_value() == route) return fields.at(field).number_value();
  }
  return -1;
}

TEST_CASE("the supervision page renders the figures the APIs answer, in headless Chromium") {
  std::unique_ptr<Stack> stack = StartPlatform();
  LoadCatalog(*stack);
  CreateOperator(*stack);
  FileComplaints(*stack, kComplaints);
  const int port = stack->gateway_port();

  // Traffic the page must show: searches (catalog), and 503s from a
  // backend that is down (notification), whose routes the page never calls.
  HttpConnection http(port);
  for (int i = 0; i < kSearches; ++i) {
    auto r = http.Request("GET", kSearch);
    REQUIRE(r.ok());
    REQUIRE(r->status == 200);
  }
  const std::string cookie = SignIn(port);
  stack->Stop("notification", SIGKILL);
  auto down = http.Request("GET", "/api/v1/inbox", "", {{"Cookie", cookie}});
  REQUIRE(down.ok());
  CHECK(down->status == 503);
  // The readiness poller notices within its interval.
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  bool noticed = false;
  while (!noticed && absl::Now() < deadline) {
    auto ready = http.Request("GET", "/readyz");
    noticed = ready.ok() && absl::StrContains(ready->body, "\"notification\"");
    if (!noticed) absl::SleepFor(absl::Milliseconds(100));
  }
  REQUIRE(noticed);

  // The traffic endpoint counts exactly and answers operators only.
  auto anonymous = http.Request("GET", "/api/v1/ops/traffic");
  REQUIRE(anonymous.ok());
  CHECK(anonymous->status == 401);
  auto traffic = http.Request("GET", "/api/v1/ops/traffic", "", {{"Cookie", cookie}});
  REQUIRE(traffic.ok());
  INFO(traffic->body);
  REQUIRE(traffic->status == 200);
  CHECK(RouteFigure(traffic->body, "/api/v1/items", "requests") == kSearches);
  CHECK(RouteFigure(traffic->body, "/api/v1/items", "errors") == 0);
  CHECK(RouteFigure(traffic->body, "/api/v1/inbox", "errors") == 1);
  CHECK(RouteFigure(traffic->body, "/healthz", "requests") == -1);
  auto orders = http.Request("GET", "/api/v1/supervision/work-orders", "", {{"Cookie", cookie}});
  REQUIRE(orders.ok());
  INFO(orders->body);
  CHECK(absl::StrContains(orders->body, absl::StrCat(R"("received":")", kComplaints, R"(")")));

  // The page, signed in through its form, shows the same figures. The
  // screenshot stays in the build tree for people to look at.
  const std::string log = absl::StrCat(stack->data_dir(), "/browser.log");
  const std::string screenshot =
      absl::StrCat(OW_BINARY_DIR, "/tests/browser/ops_page_screenshot.png");
  const int exit_code = RunToCompletion(
      {"node", absl::StrCat(OW_SOURCE_DIR, "/tests/browser/ops_page.mjs"),
       absl::StrCat("--base=http://127.0.0.1:", port), absl::StrCat("--user=", kOperator),
       absl::StrCat("--password=", kPassword), absl::StrCat("--screenshot=", screenshot),
       "--expect-route=/api/v1/items", "--expect-down=notification"},
      {{"HOME", stack->data_dir()}}, log, absl::Seconds(150));
  const std::string gateway_log = stack->Logs("gateway");
  INFO(testing::ReadFile(log));
  INFO("gateway log (end):\n"
       << gateway_log.substr(gateway_log.size() > 4000 ? gateway_log.size() - 4000 : 0));
  CHECK(exit_code == 0);
}

}  // namespace
}  // namespace onewindow
