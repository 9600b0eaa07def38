// The whole way round, every process real: a citizen applies through the
// gateway, intake hands the application to approval, the department works
// its queue with ow_dept logged in with an API token identity issued, and
// the citizen sees the decision and the licence through the gateway.
#include <catch2/catch.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/status/proto_json.h"
#include "libs/testing/accounts.h"
#include "libs/testing/api_tokens.h"
#include "libs/testing/eventually.h"
#include "libs/testing/fake_pdf.h"
#include "libs/testing/http_client.h"
#include "libs/testing/json_fields.h"
#include "libs/testing/ow_dept.h"
#include "libs/testing/stack.h"
#include "onewindow/approval/v1/approval.pb.h"
#include "tests/integration/require_ok.h"
#include "tests/integration/test_item.h"
#include "tests/unit/intake_guide.h"

namespace onewindow {
namespace {

using testing::Eventually;
using testing::Headers;
using testing::HttpConnection;
using testing::HttpResult;
using testing::JsonField;
using testing::RequireOk;
using testing::RunOwDept;
using testing::Stack;
using testing::ToolRun;

HttpResult Call(HttpConnection& c, const std::string& method, const std::string& target,
                const std::string& body, const Headers& headers) {
  return RequireOk(c.Request(method, target, body, headers));
}

approval::v1::ListQueueResponse Queue(const Stack& stack, const std::string& token) {
  const ToolRun run = RunOwDept(stack, token, {"queue", "--json"});
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  approval::v1::ListQueueResponse queue;
  REQUIRE(status::JsonToMessage(run.output, &queue).ok());
  return queue;
}

TEST_CASE(
    "an application submitted through the gateway is approved with ow_dept and the applicant "
    "sees it") {
  testing::StackOptions options;
  options.extra_flags["intake"] = {
      absl::StrCat("--calendar_dir=", OW_SOURCE_DIR, "/deploy/calendar")};
  std::unique_ptr<Stack> stack = RequireOk(Stack::Start(options));
  const int64_t revision = testing::PublishTestItem(*stack);

  // The department's system logs in with an API token from identity.
  const std::string token =
      RequireOk(testing::IssueApiToken(
                    *stack, {intake::test::kDepartment, "market regulation desk", {"approver"}}))
          .secret();

  // A citizen signs up, uploads and applies through the gateway.
  const int port = stack->gateway_port();
  const Headers citizen =
      RequireOk(testing::RegisterAndSignIn(port, {"11010519491231002X", "13812341234"})).headers();
  HttpConnection c(port);
  auto upload = [&](const std::string& name) {
    HttpResult r = Call(c, "POST", absl::StrCat("/api/v1/materials?fileName=", name),
                        testing::FakePdf(1000), citizen);
    INFO(r.body);
    REQUIRE(r.status == 200);
    return JsonField(r.body, "materialId");
  };
  const std::string body = absl::StrCat(
      R"({"implementationCode":")", intake::test::ImplementationCode(), R"(","catalogRevision":")",
      revision, R"(","materials":[{"guideMaterialId":"form","materialId":")", upload("form.pdf"),
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
  const ToolRun shown = RunOwDept(*stack, token, {"show", queue.tasks(0).case_id()});
  INFO(shown.output);
  CHECK(shown.exit_code == 0);
  CHECK(absl::StrContains(shown.output, "营业执照"));
  CHECK(RunOwDept(*stack, token, {"approve", queue.tasks(0).task_id()}).exit_code == 0);
  queue = Queue(*stack, token);
  REQUIRE(queue.tasks_size() == 1);
  CHECK(queue.tasks(0).stage_name() == "决定");
  CHECK(RunOwDept(*stack, token, {"approve", queue.tasks(0).task_id(), "--comment=准予许可"})
            .exit_code == 0);

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
