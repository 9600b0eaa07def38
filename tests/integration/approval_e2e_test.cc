// The whole way round, every process real: a citizen applies through the
// gateway, intake hands the application to approval, the department works
// its queue with ow_dept logged in with an API token identity issued, and
// the citizen sees the decision and the licence through the gateway.
#include <grpcpp/client_context.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>

#include <atomic>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/client/channels.h"
#include "libs/server/call.h"
#include "libs/status/proto_json.h"
#include "libs/testing/http_client.h"
#include "libs/testing/stack.h"
#include "onewindow/approval/v1/approval.grpc.pb.h"
#include "onewindow/identity/v1/identity.grpc.pb.h"
#include "tests/unit/intake_guide.h"

namespace onewindow {
namespace {

using testing::Headers;
using testing::HttpConnection;
using testing::HttpResult;
using testing::Stack;

constexpr char kPassword[] = "Correct-horse-9";

template <typename Fn>
bool Eventually(Fn done, absl::Duration timeout = absl::Seconds(30)) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(50));
  }
  return done();
}

std::string JsonField(const std::string& body, const std::string& name) {
  const std::string key = absl::StrCat("\"", name, "\":\"");
  const size_t at = body.find(key);
  if (at == std::string::npos) return "";
  const size_t start = at + key.size();
  return body.substr(start, body.find('"', start) - start);
}

HttpResult Call(HttpConnection& c, const std::string& method, const std::string& target,
                const std::string& body, const Headers& headers) {
  auto r = c.Request(method, target, body, headers);
  REQUIRE(r.ok());
  return *r;
}

std::string Pdf() {
  std::string pdf = "%PDF-1.7\n";
  while (pdf.size() < 1000) pdf += "0123456789abcdef\n";
  return pdf;
}

// Runs ow_dept against `stack`'s approval as the holder of `token`.
std::pair<int, std::string> Dept(const Stack& stack, const std::string& token,
                                 std::vector<std::string> args) {
  static std::atomic<int> runs{0};
  const std::string log = absl::StrCat(stack.data_dir(), "/ow_dept-", ++runs, ".log");
  std::vector<std::string> argv = {absl::StrCat(OW_BINARY_DIR, "/tools/ow_dept/ow_dept"),
                                   absl::StrCat("--addr=", stack.Address("approval"))};
  argv.insert(argv.end(), args.begin(), args.end());
  testing::ChildProcess p;
  REQUIRE(p.Start(argv, {{"OW_TOKEN", token}}, log).ok());
  const int status = p.Stop(0, absl::Seconds(30));
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, testing::ReadFile(log)};
}

approval::v1::ListQueueResponse Queue(const Stack& stack, const std::string& token) {
  auto [code, out] = Dept(stack, token, {"queue", "--json"});
  INFO(out);
  REQUIRE(code == 0);
  approval::v1::ListQueueResponse queue;
  REQUIRE(status::JsonToMessage(out, &queue).ok());
  return queue;
}

TEST_CASE(
    "an application submitted through the gateway is approved with ow_dept and the applicant "
    "sees it") {
  testing::StackOptions options;
  options.extra_flags["intake"] = {
      absl::StrCat("--calendar_dir=", OW_SOURCE_DIR, "/deploy/calendar")};
  auto started = Stack::Start(options);
  INFO(started.status().ToString());
  REQUIRE(started.ok());
  std::unique_ptr<Stack> stack = *std::move(started);
  auto catalog =
      catalog::v1::CatalogService::NewStub(client::MakeChannel(stack->Address("catalog")));
  absl::StatusOr<int64_t> revision =
      intake::test::PublishTestItem(catalog.get(), stack->AdminToken());
  INFO(revision.status().ToString());
  REQUIRE(revision.ok());

  // The department's system logs in with an API token from identity.
  auto identity =
      identity::v1::IdentityService::NewStub(client::MakeChannel(stack->Address("identity")));
  identity::v1::IssueApiTokenRequest issue;
  issue.set_name("market regulation desk");
  issue.set_department_id(intake::test::kDepartment);
  issue.add_roles("approver");
  issue.set_valid_days(30);
  identity::v1::IssueApiTokenResponse issued;
  grpc::ClientContext issue_context;
  issue_context.AddMetadata(server::kPrincipalHeader, stack->AdminToken());
  grpc::Status s = identity->IssueApiToken(&issue_context, issue, &issued);
  INFO(s.error_message());
  REQUIRE(s.ok());
  const std::string token = issued.secret();

  // A citizen signs up, uploads and applies through the gateway.
  const int port = stack->gateway_port();
  auto reg = testing::HttpPost(port, "/api/v1/accounts/citizens",
                               absl::StrCat(R"({"residentId":"11010519491231002X","name":"李四",)",
                                            R"("phone":"13812341234","regionCode":"440106001001",)",
                                            R"("password":")", kPassword, R"("})"));
  REQUIRE(reg.ok());
  INFO(reg->body);
  REQUIRE(reg->status == 200);
  auto login = testing::HttpPost(
      port, "/api/v1/sessions",
      absl::StrCat(R"({"kind":"CITIZEN_LOGIN",)", R"("loginId":"11010519491231002X","password":")",
                   kPassword, R"("})"));
  REQUIRE(login.ok());
  REQUIRE(login->status == 200);
  const std::string cookie = login->header("set-cookie");
  const Headers citizen = {{"Cookie", cookie.substr(0, cookie.find(';'))},
                           {"X-CSRF-Token", JsonField(login->body, "csrfToken")}};
  HttpConnection c(port);
  auto upload = [&](const std::string& name) {
    HttpResult r =
        Call(c, "POST", absl::StrCat("/api/v1/materials?fileName=", name), Pdf(), citizen);
    INFO(r.body);
    REQUIRE(r.status == 200);
    return JsonField(r.body, "materialId");
  };
  const std::string body = absl::StrCat(
      R"({"implementationCode":")", intake::test::ImplementationCode(), R"(","catalogRevision":")",
      *revision, R"(","materials":[{"guideMaterialId":"form","materialId":")", upload("form.pdf"),
      R"("},{"guideMaterialId":"licence","materialId":")", upload("licence.pdf"), R"("}]})");
  Headers with_key = citizen;
  with_key.emplace_back("Idempotency-Key", "e2e-1");
  HttpResult submitted = Call(c, "POST", "/api/v1/applications", body, with_key);
  INFO(submitted.body);
  REQUIRE(submitted.status == 200);
  const std::string application_id = JsonField(submitted.body, "applicationId");
  REQUIRE_FALSE(application_id.empty());

  // It reaches the department's queue; each stage is approved with ow_dept.
  approval::v1::ListQueueResponse queue;
  REQUIRE(Eventually([&] {
    queue = Queue(*stack, token);
    return queue.tasks_size() == 1;
  }));
  CHECK(queue.tasks(0).application_id() == application_id);
  CHECK(queue.tasks(0).stage_name() == "受理");
  auto [show_code, shown] = Dept(*stack, token, {"show", queue.tasks(0).case_id()});
  INFO(shown);
  CHECK(show_code == 0);
  CHECK(absl::StrContains(shown, "营业执照"));
  CHECK(Dept(*stack, token, {"approve", queue.tasks(0).task_id()}).first == 0);
  queue = Queue(*stack, token);
  REQUIRE(queue.tasks_size() == 1);
  CHECK(queue.tasks(0).stage_name() == "决定");
  CHECK(Dept(*stack, token, {"approve", queue.tasks(0).task_id(), "--comment=准予许可"}).first ==
        0);

  // The applicant sees it decided, and the licence in the wallet.
  HttpResult mine;
  REQUIRE(Eventually([&] {
    mine = Call(c, "GET", absl::StrCat("/api/v1/applications/", application_id), "", citizen);
    const std::string status = JsonField(mine.body, "status");
    return status == "RESULT_ISSUED" || status == "DELIVERED";
  }));
  INFO(mine.body);
  CHECK(absl::StrContains(mine.body, "APPROVED"));  // in the timeline
  HttpResult wallet = Call(c, "GET", "/api/v1/licences", "", citizen);
  INFO(wallet.body);
  CHECK(wallet.status == 200);
  CHECK(absl::StrContains(wallet.body, "food_licence"));
}

}  // namespace
}  // namespace onewindow
