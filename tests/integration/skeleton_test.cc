// The walking skeleton: every process boots, reports health and metrics, and
// each backend answers real RPCs from its own store.
#include <grpcpp/client_context.h>
#include <signal.h>

#include <fstream>

#include <catch2/catch.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/client/channels.h"
#include "libs/client/health.h"
#include "libs/testing/demo_regions.h"
#include "libs/testing/grpc_context.h"
#include "libs/testing/http_client.h"
#include "libs/testing/principals.h"
#include "libs/testing/process.h"
#include "libs/testing/stack.h"
#include "libs/workday/deadline.h"
#include "onewindow/approval/v1/approval.grpc.pb.h"
#include "onewindow/catalog/v1/catalog.grpc.pb.h"
#include "onewindow/complaint/v1/complaint.grpc.pb.h"
#include "onewindow/identity/v1/identity.grpc.pb.h"
#include "onewindow/intake/v1/intake.grpc.pb.h"
#include "onewindow/notification/v1/notification.grpc.pb.h"
#include "tests/integration/require_ok.h"

namespace onewindow {
namespace {

using testing::RequireOk;
using testing::Stack;
using testing::TokenContext;

auth::v1::Principal Citizen(const std::string& subject) {
  return testing::MakePrincipal(auth::v1::CITIZEN, subject);
}

TEST_CASE("all seven processes start and report SERVING") {
  auto stack = Stack::Start();
  INFO(stack.status().ToString());
  REQUIRE(stack.ok());
  for (const auto& name : testing::AllBackends()) {
    auto channel = client::MakeChannel((*stack)->Address(name));
    CHECK(client::CheckHealth(channel.get(), "", absl::Seconds(2)).ok());
  }
  auto healthz = testing::HttpGet((*stack)->gateway_port(), "/healthz");
  REQUIRE(healthz.ok());
  CHECK(healthz->status == 200);
}

TEST_CASE("a region request through the gateway reaches catalog and comes back as JSON") {
  auto stack = Stack::Start({{"catalog"}, true, true, {}});
  INFO(stack.status().ToString());
  REQUIRE(stack.ok());
  RequireOk(testing::ImportDemoRegions(**stack));
  auto r = testing::HttpGet((*stack)->gateway_port(), "/api/v1/regions/440100000000",
                            {{"X-Request-Id", "trace-abc"}});
  REQUIRE(r.ok());
  CHECK(r->status == 200);
  CHECK(absl::StrContains(r->body, R"("name":"广州市")"));
  CHECK(absl::StrContains(r->body, R"("level":"CITY")"));
  CHECK(absl::StrContains(r->body, R"("parentCode":"440000000000")"));
  CHECK(r->header("x-request-id") == "trace-abc");

  auto children =
      testing::HttpGet((*stack)->gateway_port(), "/api/v1/regions/440000000000/children");
  REQUIRE(children.ok());
  CHECK(children->status == 200);
  CHECK(absl::StrContains(children->body, "东莞市"));

  auto missing = testing::HttpGet((*stack)->gateway_port(), "/api/v1/regions/440199000000",
                                  {{"X-Request-Id", "trace-missing"}});
  REQUIRE(missing.ok());
  CHECK(missing->status == 404);
  // The request id crossed into catalog's log line for the failed call.
  CHECK(absl::StrContains((*stack)->Logs("catalog"), R"("request_id":"trace-missing")"));
  CHECK(absl::StrContains(missing->body, R"("code":"NOT_FOUND")"));
  auto malformed = testing::HttpGet((*stack)->gateway_port(), "/api/v1/regions/12ab");
  REQUIRE(malformed.ok());
  CHECK(malformed->status == 400);
}

TEST_CASE("readyz turns 503 naming a killed backend and 200 again after it restarts") {
  auto stack = Stack::Start();
  INFO(stack.status().ToString());
  REQUIRE(stack.ok());
  Stack& s = **stack;
  auto wait_for = [&](int status) {
    testing::HttpResult last;
    for (int i = 0; i < 100; ++i) {
      auto r = testing::HttpGet(s.gateway_port(), "/readyz");
      if (r.ok()) last = *r;
      if (r.ok() && r->status == status) return last;
      absl::SleepFor(absl::Milliseconds(100));
    }
    return last;
  };
  CHECK(wait_for(200).status == 200);
  s.Stop("catalog", SIGKILL);
  const testing::HttpResult down = wait_for(503);
  CHECK(down.status == 503);
  CHECK(absl::StrContains(down.body, "\"catalog\""));
  CHECK_FALSE(absl::StrContains(down.body, "\"intake\""));
  REQUIRE(s.Restart("catalog").ok());
  CHECK(wait_for(200).status == 200);
}

TEST_CASE("readyz reports Redis when it is down") {
  auto stack = Stack::Start();
  INFO(stack.status().ToString());
  REQUIRE(stack.ok());
  (*stack)->Stop("redis", SIGKILL);
  testing::HttpResult last;
  for (int i = 0; i < 200 && last.status != 503; ++i) {
    auto r = testing::HttpGet((*stack)->gateway_port(), "/readyz");
    if (r.ok()) last = *r;
    absl::SleepFor(absl::Milliseconds(100));
  }
  CHECK(last.status == 503);
  CHECK(absl::StrContains(last.body, "\"redis\""));
}

TEST_CASE("every backend answers a real RPC from its own store") {
  auto stack = Stack::Start({testing::AllBackends(), false, false, {}});
  INFO(stack.status().ToString());
  REQUIRE(stack.ok());
  Stack& s = **stack;

  auto identity =
      identity::v1::IdentityService::NewStub(client::MakeChannel(s.Address("identity")));
  identity::v1::RegisterCitizenRequest reg;
  reg.set_resident_id("11010519491231002X");
  reg.set_name("张三");
  reg.set_phone("13812341234");
  reg.set_region_code("440106001001");
  reg.set_password("Correct-horse-9");
  identity::v1::Account account;
  REQUIRE(identity->RegisterCitizen(TokenContext("").get(), reg, &account).ok());
  CHECK(account.resident_id() == "11010519491231002X");
  identity::v1::GetAccountRequest get_account;
  get_account.set_id(account.id());
  identity::v1::Account fetched;
  REQUIRE(
      identity
          ->GetAccount(TokenContext(s.Token(Citizen(account.id()))).get(), get_account, &fetched)
          .ok());
  CHECK(fetched.display_name() == "张三");
  // Someone else asking gets NOT_FOUND, not the account.
  grpc::Status other = identity->GetAccount(TokenContext(s.Token(Citizen("acc_other"))).get(),
                                            get_account, &fetched);
  CHECK(other.error_code() == grpc::NOT_FOUND);

  // Intake answers from its own store (submissions need a published item:
  // intake_integration_test covers them).
  const std::string citizen = s.Token(Citizen(account.id()));
  auto intake = intake::v1::IntakeService::NewStub(client::MakeChannel(s.Address("intake")));
  intake::v1::ListApplicationsResponse mine;
  REQUIRE(intake
              ->ListApplications(TokenContext(citizen).get(), intake::v1::ListApplicationsRequest(),
                                 &mine)
              .ok());
  CHECK(mine.applications_size() == 0);

  auto approval =
      approval::v1::ApprovalService::NewStub(client::MakeChannel(s.Address("approval")));
  // Opening cases needs a published item (approval_integration_test).
  const auth::v1::Principal clerk =
      testing::StaffPrincipal("acc_clerk", "11440100MB2C92740W", {"approver"});
  approval::v1::ListQueueResponse queue;
  REQUIRE(approval->ListQueue(TokenContext(s.Token(clerk)).get(), {}, &queue).ok());
  CHECK(queue.tasks_size() == 0);

  auto notification = notification::v1::NotificationService::NewStub(
      client::MakeChannel(s.Address("notification")));
  notification::v1::NotifyRequest notify;
  notify.mutable_event()->set_event_id("evt-2");
  notify.mutable_event()->set_type("application.accepted");
  notify.mutable_event()->set_recipient_id(account.id());
  notification::v1::NotifyResponse notified;
  REQUIRE(notification->Notify(TokenContext(s.AdminToken()).get(), notify, &notified).ok());
  CHECK(notified.created());
  REQUIRE(notification->Notify(TokenContext(s.AdminToken()).get(), notify, &notified).ok());
  CHECK_FALSE(notified.created());
  notification::v1::ListInboxResponse inbox;
  REQUIRE(notification->ListInbox(TokenContext(citizen).get(), {}, &inbox).ok());
  CHECK(inbox.messages_size() == 1);
  CHECK(inbox.unread_count() == 1);

  auto complaint =
      complaint::v1::ComplaintService::NewStub(client::MakeChannel(s.Address("complaint")));
  complaint::v1::IngestHotlineTicketRequest ticket;
  ticket.set_hotline_id("12345-gz");
  ticket.set_hotline_ticket_id("T-1");
  ticket.set_kind(complaint::v1::COMPLAINT);
  ticket.set_title("窗口排队太久");
  complaint::v1::WorkOrder order, repeat;
  REQUIRE(complaint->IngestHotlineTicket(TokenContext(s.AdminToken()).get(), ticket, &order).ok());
  REQUIRE(complaint->IngestHotlineTicket(TokenContext(s.AdminToken()).get(), ticket, &repeat).ok());
  CHECK(order.work_order_id() == repeat.work_order_id());
}

TEST_CASE("a backend rejects tampered and expired principal tokens as UNAUTHENTICATED") {
  auto stack = Stack::Start({{"intake"}, false, false, {}});
  INFO(stack.status().ToString());
  REQUIRE(stack.ok());
  auto intake =
      intake::v1::IntakeService::NewStub(client::MakeChannel((*stack)->Address("intake")));
  intake::v1::GetApplicationRequest get;
  get.set_application_id("app_x");
  intake::v1::Application out;
  std::string token = (*stack)->Token(Citizen("acc_1"));
  token[token.size() / 2] = token[token.size() / 2] == 'A' ? 'B' : 'A';
  CHECK(intake->GetApplication(TokenContext(token).get(), get, &out).error_code() ==
        grpc::UNAUTHENTICATED);
  CHECK(intake->GetApplication(TokenContext("v1.nope.abc.def").get(), get, &out).error_code() ==
        grpc::UNAUTHENTICATED);
  CHECK(intake->GetApplication(TokenContext("").get(), get, &out).error_code() ==
        grpc::UNAUTHENTICATED);
  const std::string expired = (*stack)->Token(Citizen("acc_1"), absl::Seconds(1));
  absl::SleepFor(absl::Milliseconds(2100));
  CHECK(intake->GetApplication(TokenContext(expired).get(), get, &out).error_code() ==
        grpc::UNAUTHENTICATED);
}

TEST_CASE("a backend exports gRPC server metrics on its metrics port") {
  auto stack = Stack::Start({{"catalog"}, false, false, {}});
  INFO(stack.status().ToString());
  REQUIRE(stack.ok());
  auto catalog =
      catalog::v1::CatalogService::NewStub(client::MakeChannel((*stack)->Address("catalog")));
  catalog::v1::GetRegionRequest get;
  get.set_code("440100000000");
  catalog::v1::Region region;
  for (int i = 0; i < 2; ++i) {
    grpc::ClientContext context;
    CHECK(catalog->GetRegion(&context, get, &region).error_code() == grpc::NOT_FOUND);
  }
  get.set_code("");
  CHECK(catalog->GetRegion(TokenContext("").get(), get, &region).error_code() ==
        grpc::INVALID_ARGUMENT);
  auto metrics = testing::HttpGet((*stack)->metrics_port("catalog"), "/metrics");
  REQUIRE(metrics.ok());
  CHECK(absl::StrContains(
      metrics->body,
      R"(onewindow_grpc_server_handled_total{code="NOT_FOUND",method="GetRegion",service="onewindow.catalog.v1.CatalogService"} 2)"));
  CHECK(absl::StrContains(
      metrics->body,
      R"(onewindow_grpc_server_handled_total{code="INVALID_ARGUMENT",method="GetRegion",service="onewindow.catalog.v1.CatalogService"} 1)"));
  CHECK(absl::StrContains(
      metrics->body,
      R"(onewindow_grpc_server_handling_seconds_count{method="GetRegion",service="onewindow.catalog.v1.CatalogService"} 3)"));
  CHECK(absl::StrContains(metrics->body, "onewindow_grpc_server_handling_seconds_bucket"));
}

TEST_CASE("the services that count working days export how far their holiday calendar reaches") {
  // Files for this year and next, whatever year the test runs in; the year
  // after that is missing.
  const int year = static_cast<int>(workday::ChinaDay(absl::Now()).year());
  testing::TempDir dir;
  for (const int y : {year, year + 1}) {
    std::ofstream(absl::StrCat(dir.path(), "/cn-", y, ".txt")) << "year " << y << "\n";
  }
  const std::string flag = absl::StrCat("--calendar_dir=", dir.path());
  testing::StackOptions options;
  options.backends = {"intake", "approval", "complaint"};
  options.gateway = false;
  options.redis = false;
  for (const auto& service : options.backends) options.extra_flags[service] = {flag};
  auto stack = Stack::Start(options);
  INFO(stack.status().ToString());
  REQUIRE(stack.ok());
  for (const auto& service : options.backends) {
    INFO(service);
    auto metrics = testing::HttpGet((*stack)->metrics_port(service), "/metrics");
    REQUIRE(metrics.ok());
    CHECK(absl::StrContains(
        metrics->body,
        absl::StrCat("\nonewindow_holiday_calendar_covered_through_year ", year + 1, "\n")));
  }
}

TEST_CASE("SIGTERM stops a backend cleanly and its data survives the restart") {
  auto stack = Stack::Start({{"catalog"}, false, false, {}});
  INFO(stack.status().ToString());
  REQUIRE(stack.ok());
  RequireOk(testing::ImportDemoRegions(**stack));
  (*stack)->Stop("catalog", SIGTERM);
  CHECK(absl::StrContains((*stack)->Logs("catalog"), R"("msg":"stopped")"));
  REQUIRE((*stack)->Restart("catalog").ok());
  auto catalog =
      catalog::v1::CatalogService::NewStub(client::MakeChannel((*stack)->Address("catalog")));
  catalog::v1::GetRegionRequest get;
  get.set_code("441900000000");
  catalog::v1::Region region;
  REQUIRE(catalog->GetRegion(TokenContext("").get(), get, &region).ok());
  CHECK(region.name() == "东莞市");
}

TEST_CASE("a backend without its principal keys refuses to start and says why") {
  testing::TempDir dir;
  testing::ChildProcess p;
  const std::string log = absl::StrCat(dir.path(), "/catalog.log");
  REQUIRE(p.Start({testing::BinaryPath("catalog"), absl::StrCat("--data_dir=", dir.path()),
                   "--listen=127.0.0.1:0", "--metrics_listen=127.0.0.1:0"},
                  {{"OW_PRINCIPAL_KEYS", ""}}, log)
              .ok());
  const int status = p.Stop(0, absl::Seconds(10));
  (void)status;
  for (int i = 0; i < 50 && !absl::StrContains(testing::ReadFile(log), "OW_PRINCIPAL_KEYS"); ++i) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  CHECK(absl::StrContains(testing::ReadFile(log), "--principal_keys (OW_PRINCIPAL_KEYS)"));
}

}  // namespace
}  // namespace onewindow
