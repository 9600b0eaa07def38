// The whole journey end to end (issue 9 item 6), every process real: a
// citizen registers, finds a licence item and applies through the gateway;
// the department approves with ow_dept holding an API token from identity;
// the citizen sees the timeline, the inbox and the licence, rates badly; the
// rectification order reaches the department, which replies; the citizen
// answers the callback and the order closes. A Prometheus server scrapes
// every process meanwhile and reports them all up.
//
// Citizens only ever talk to the gateway; the department talks gRPC with
// its own API tokens. Every wait for an asynchronous hand-off (outbox) polls
// against a deadline, and every failure names its step and what came back.
#include <sys/stat.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "libs/auth/random.h"
#include "libs/client/channels.h"
#include "libs/codes/resident_id.h"
#include "libs/testing/grpc_context.h"
#include "libs/testing/http_client.h"
#include "libs/testing/stack.h"
#include "libs/testing/url_encode.h"
#include "onewindow/approval/v1/approval.pb.h"
#include "onewindow/catalog/v1/catalog.grpc.pb.h"
#include "onewindow/complaint/v1/complaint.grpc.pb.h"
#include "onewindow/identity/v1/identity.pb.h"
#include "onewindow/intake/v1/intake.pb.h"
#include "onewindow/notification/v1/notification.pb.h"
#include "tests/integration/journey/browser.h"
#include "tests/integration/journey/department.h"
#include "tests/integration/journey/licence_item.h"
#include "tests/integration/journey/prometheus_server.h"
#include "tests/integration/journey/report.h"

namespace onewindow {
namespace {

using journey::Browser;
using journey::Dept;
using journey::DeptJson;
using journey::DeptRun;
using journey::ExpectOk;
using journey::Parse;
using journey::PollUntil;
using testing::Headers;
using testing::HttpResult;
using testing::Stack;
using testing::TokenContext;
using testing::UrlEncode;

constexpr char kStep1[] = "step 1 (start the stack, load the catalog, issue department tokens)";
constexpr char kStep2[] = "step 2 (citizen registers, logs in, searches, reads the guide)";
constexpr char kStep3[] = "step 3 (citizen uploads materials and applies)";
constexpr char kStep4[] = "step 4 (department approves with ow_dept)";
constexpr char kStep5[] = "step 5 (citizen sees timeline, inbox and licence)";
constexpr char kStep6[] = "step 6 (citizen rates the service badly)";
constexpr char kStep7[] = "step 7 (department receives the rectification order and replies)";
constexpr char kStep8[] = "step 8 (citizen answers the callback, the order closes)";
constexpr char kStep9[] = "step 9 (Prometheus scrapes every process, all up)";

constexpr char kPassword[] = "Journey-horse-42";
std::string PdfBytes(const std::string& what) {
  std::string pdf = absl::StrCat("%PDF-1.7\n% ", what, "\n");
  while (pdf.size() < 2000) pdf += "% onewindow journey material ..................\n";
  return pdf + "%%EOF\n";
}

// ---- Small readers ---------------------------------------------------------

std::vector<std::string> EventTypes(const notification::v1::ListInboxResponse& inbox) {
  std::vector<std::string> types;
  for (const auto& m : inbox.messages()) types.push_back(m.event_type());
  return types;
}

const notification::v1::InboxMessage* FindMessage(const notification::v1::ListInboxResponse& inbox,
                                                  const std::string& event_type) {
  for (const auto& m : inbox.messages()) {
    if (m.event_type() == event_type) return &m;
  }
  return nullptr;
}

std::vector<std::string> TimelineStatuses(const intake::v1::Application& a) {
  std::vector<std::string> statuses;
  for (const auto& entry : a.timeline()) {
    statuses.push_back(intake::v1::ApplicationStatus_Name(entry.status()));
  }
  return statuses;
}

TEST_CASE(
    "journey harness: the stack lists a metrics target for every process but Redis, each "
    "serving /metrics") {
  testing::StackOptions options;
  options.backends = {"catalog"};
  auto started = Stack::Start(options);
  INFO(started.status().ToString());
  REQUIRE(started.ok());
  const std::map<std::string, std::string> targets = (*started)->MetricsTargets();
  std::set<std::string> names;
  for (const auto& [name, address] : targets) names.insert(name);
  CHECK(names == std::set<std::string>{"catalog", "gateway"});
  for (const auto& [name, address] : targets) {
    INFO(name << " at " << address);
    CHECK(address == absl::StrCat("127.0.0.1:", (*started)->metrics_port(name)));
    auto metrics = testing::HttpGet((*started)->metrics_port(name), "/metrics");
    REQUIRE(metrics.ok());
    CHECK(metrics->status == 200);
    CHECK(absl::StrContains(metrics->body, "onewindow_"));
  }
}

TEST_CASE("journey harness: the generated scrape configuration passes promtool check config") {
  testing::TempDir dir;
  const std::string path = absl::StrCat(dir.path(), "/prometheus.yml");
  {
    std::ofstream out(path);
    out << journey::ScrapeConfig({{"gateway", "127.0.0.1:9100"}, {"catalog", "127.0.0.1:9101"}});
  }
  testing::ChildProcess promtool;
  const std::string log = absl::StrCat(dir.path(), "/promtool.log");
  REQUIRE(promtool.Start({"promtool", "check", "config", path}, {}, log).ok());
  const int status = promtool.Stop(0, absl::Seconds(30));  // signal 0: only wait for the exit
  INFO(testing::ReadFile(path) << "\n--- promtool ---\n" << testing::ReadFile(log));
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE(
    "journey: a citizen applies, is approved, gets the licence, rates badly, and the "
    "rectification is answered and called back, with every process scraped up by Prometheus") {
  // ---- 1. The stack, the catalog, the department's tokens, Prometheus -----
  testing::StackOptions options;
  const std::string calendar = absl::StrCat("--calendar_dir=", OW_SOURCE_DIR, "/deploy/calendar");
  for (const char* name : {"intake", "approval", "complaint"}) {
    options.extra_flags[name] = {calendar};
  }
  // Approval counts closed cases in its sweep: every second here.
  options.extra_flags["approval"].push_back("--sweep_interval_seconds=1");
  auto started = Stack::Start(options);
  if (!started.ok()) FAIL(kStep1 << ": " << started.status().ToString());
  std::unique_ptr<Stack> stack = *std::move(started);

  const std::string prometheus_dir = absl::StrCat(stack->data_dir(), "/prometheus");
  ::mkdir(prometheus_dir.c_str(), 0700);
  // Started now so that it scrapes all through the journey; checked last.
  auto prometheus_started =
      journey::PrometheusServer::Start(stack->MetricsTargets(), prometheus_dir);
  if (!prometheus_started.ok()) FAIL(kStep1 << ": " << prometheus_started.status().ToString());
  std::unique_ptr<journey::PrometheusServer> prometheus = *std::move(prometheus_started);

  auto catalog =
      catalog::v1::CatalogService::NewStub(client::MakeChannel(stack->Address("catalog")));
  absl::StatusOr<int64_t> published =
      journey::PublishLicenceItem(catalog.get(), stack->AdminToken());
  if (!published.ok()) FAIL(kStep1 << ": " << published.status().ToString());
  // The department's desk system decides applications; its complaint desk
  // handles work orders. Each holds only the role it needs.
  const std::string desk_token = journey::IssueApiToken(kStep1, *stack, journey::DepartmentCode(),
                                                        "卫健委审批系统", {"approver"});
  const std::string complaint_token = journey::IssueApiToken(
      kStep1, *stack, journey::DepartmentCode(), "卫健委投诉处理", {"complaint_handler"});
  const std::string code = journey::ImplementationCode();
  const std::string department = journey::DepartmentCode();

  // ---- 2. Register, log in, search, read the guide ------------------------
  Browser citizen(stack->gateway_port());
  const std::string first17 = "44010619900307123";
  const std::string resident_id =
      absl::StrCat(first17, std::string(1, codes::ResidentIdCheckChar(first17)));
  const HttpResult registered =
      citizen.Call(kStep2, "POST", "/api/v1/accounts/citizens",
                   absl::StrCat(R"({"residentId":")", resident_id,
                                R"(","name":"陈小明","phone":"13912345678",)", R"("regionCode":")",
                                journey::kCitizenRegion, R"(","password":")", kPassword, R"("})"));
  const auto account =
      Parse<identity::v1::Account>(kStep2, "the registration answer", registered.body);
  if (account.id().empty()) FAIL(kStep2 << ": no account id in " << registered.body);
  citizen.SignedIn(kStep2,
                   citizen.Call(kStep2, "POST", "/api/v1/sessions",
                                absl::StrCat(R"({"kind":"CITIZEN_LOGIN","loginId":")", resident_id,
                                             R"(","password":")", kPassword, R"("})")));
  const auto me = citizen.Get<identity::v1::Account>(kStep2, "/api/v1/me");
  CHECK(me.id() == account.id());

  const std::string search = absl::StrCat("/api/v1/items?q=", UrlEncode(journey::kSearchWord),
                                          "&regionCode=", journey::kCitizenRegion);
  const auto hits = citizen.Get<catalog::v1::SearchItemsResponse>(kStep2, search);
  int64_t revision = 0;
  for (const auto& item : hits.items()) {
    if (item.implementation_code() == code) revision = item.revision();
  }
  if (revision == 0) {
    FAIL(kStep2 << ": searching \"" << journey::kSearchWord << "\" from " << journey::kCitizenRegion
                << " did not find " << code << ": " << citizen.last());
  }
  CHECK(revision == *published);
  const auto guide = citizen.Get<catalog::v1::Implementation>(
      kStep2, absl::StrCat("/api/v1/items/", UrlEncode(code)));
  {
    INFO(kStep2 << ": guide " << citizen.last());
    CHECK(guide.name() == journey::kItemName);
    CHECK(guide.guide().result_type() == "licence");
    CHECK(guide.guide().stages_size() == 1);
    CHECK(guide.guide().materials_size() == 2);
  }

  // ---- 3. Upload what the guide asks for, apply ---------------------------
  const auto requirements = citizen.Get<intake::v1::Requirements>(
      kStep3, absl::StrCat("/api/v1/requirements/", UrlEncode(code)));
  std::vector<std::pair<std::string, std::string>> attached;  // guide material, upload
  for (const auto& m : requirements.materials()) {
    if (!m.required() || m.has_held_licence()) continue;
    const HttpResult uploaded = citizen.Call(
        kStep3, "POST", absl::StrCat("/api/v1/materials?fileName=", m.guide_material_id(), ".pdf"),
        PdfBytes(m.name()), {{"Content-Type", "application/pdf"}});
    const auto material = Parse<intake::v1::Material>(kStep3, "the upload answer", uploaded.body);
    if (material.material_id().empty() || material.content_type() != "application/pdf") {
      FAIL(kStep3 << ": odd upload answer: " << uploaded.body);
    }
    attached.emplace_back(m.guide_material_id(), material.material_id());
  }
  if (attached.size() != 2) {
    FAIL(kStep3 << ": expected two materials to upload, the requirements were: "
                << requirements.ShortDebugString());
  }
  std::string materials;
  for (const auto& [guide_material, material] : attached) {
    absl::StrAppend(&materials, materials.empty() ? "" : ",", R"({"guideMaterialId":")",
                    guide_material, R"(","materialId":")", material, R"("})");
  }
  const std::string application_body = absl::StrCat(
      R"({"implementationCode":")", code, R"(","catalogRevision":")", revision,
      R"(","form":{"venue":"天河路88号游泳馆","area":"1200"},"materials":[)", materials, "]}");
  const Headers key = {{"Idempotency-Key", absl::StrCat("journey-", auth::RandomHex(8))}};
  const auto application = Parse<intake::v1::Application>(
      kStep3, "the submission answer",
      citizen.Call(kStep3, "POST", "/api/v1/applications", application_body, key).body);
  if (application.application_id().empty() || application.number().empty()) {
    FAIL(kStep3 << ": no application id or number: " << citizen.last());
  }
  // A retry (lost answer, double click) is the same application.
  const auto retried = Parse<intake::v1::Application>(
      kStep3, "the retried submission answer",
      citizen.Call(kStep3, "POST", "/api/v1/applications", application_body, key).body);
  CHECK(retried.application_id() == application.application_id());
  CHECK(retried.number() == application.number());
  const std::string id = application.application_id();

  // ---- 4. The department's desk approves with ow_dept ---------------------
  approval::v1::Task task;
  std::string last_queue;
  PollUntil(kStep4, "in the department's queue", last_queue, [&] {
    const auto queue =
        DeptJson<approval::v1::ListQueueResponse>(kStep4, *stack, desk_token, {"queue", "--json"});
    last_queue = queue.ShortDebugString();
    for (const auto& t : queue.tasks()) {
      if (t.application_id() == id) task = t;
    }
    return !task.task_id().empty();
  });
  CHECK(task.application_number() == application.number());
  CHECK(task.department_id() == department);
  const DeptRun shown = Dept(*stack, desk_token, {"show", task.case_id()});
  if (shown.exit_code != 0) FAIL(kStep4 << ": " << shown.Describe({"show", task.case_id()}));
  CHECK(absl::StrContains(shown.output, "场所平面布局图"));
  const std::vector<std::string> approve = {"approve", task.task_id(), "--comment=准予许可",
                                            absl::StrCat("--request_id=journey-", id)};
  const DeptRun approved = Dept(*stack, desk_token, approve);
  if (approved.exit_code != 0) FAIL(kStep4 << ": " << approved.Describe(approve));
  // One stage: nothing of this application is left in the queue.
  const auto after =
      DeptJson<approval::v1::ListQueueResponse>(kStep4, *stack, desk_token, {"queue", "--json"});
  for (const auto& t : after.tasks()) {
    if (t.application_id() == id) {
      FAIL(kStep4 << ": still queued after approval: " << t.ShortDebugString());
    }
  }

  // ---- 5. Timeline, inbox, licence ----------------------------------------
  intake::v1::Application decided;
  const std::string application_target = absl::StrCat("/api/v1/applications/", id);
  // Online applications are delivered electronically: into the licence
  // wallet as soon as the result issues.
  PollUntil(kStep5, "DELIVERED with a licence", citizen.last(), [&] {
    decided = citizen.Get<intake::v1::Application>(kStep5, application_target);
    return decided.status() == intake::v1::DELIVERED && !decided.licence_id().empty();
  });
  {
    const std::vector<std::string> statuses = TimelineStatuses(decided);
    INFO(kStep5 << ": timeline " << absl::StrJoin(statuses, " > ") << " in " << citizen.last());
    auto at = [&](const char* status) {
      return std::find(statuses.begin(), statuses.end(), status) - statuses.begin();
    };
    const auto n = static_cast<long>(statuses.size());
    REQUIRE(at("SUBMITTED") < n);
    REQUIRE(at("ACCEPTED") < n);
    REQUIRE(at("APPROVED") < n);
    REQUIRE(at("RESULT_ISSUED") < n);
    REQUIRE(at("DELIVERED") < n);
    CHECK(at("SUBMITTED") < at("ACCEPTED"));
    CHECK(at("ACCEPTED") < at("APPROVED"));
    CHECK(at("APPROVED") < at("RESULT_ISSUED"));
    CHECK(at("RESULT_ISSUED") < at("DELIVERED"));
    CHECK(decided.delivery().method() == intake::v1::ELECTRONIC);
    for (const auto& entry : decided.timeline()) {
      if (entry.status() == intake::v1::APPROVED) CHECK(entry.actor() == department);
    }
  }

  notification::v1::ListInboxResponse inbox;
  PollUntil(kStep5, "told of the approval and the result in the inbox", citizen.last(), [&] {
    inbox = citizen.Get<notification::v1::ListInboxResponse>(kStep5, "/api/v1/inbox");
    return FindMessage(inbox, "application.approved") != nullptr &&
           FindMessage(inbox, "application.result_issued") != nullptr;
  });
  {
    INFO(kStep5 << ": inbox " << absl::StrJoin(EventTypes(inbox), ", "));
    CHECK(absl::StrContains(FindMessage(inbox, "application.approved")->body(),
                            application.number()));
    CHECK(inbox.unread_count() >= 2);
  }

  const auto licence = citizen.Get<intake::v1::Licence>(
      kStep5, absl::StrCat("/api/v1/licences/", decided.licence_id()));
  {
    INFO(kStep5 << ": licence " << citizen.last());
    CHECK(licence.licence_type() == journey::kLicenceType);
    CHECK(licence.holder_id() == account.id());
    CHECK(licence.issuer_department_id() == department);
    CHECK_FALSE(licence.number().empty());
    CHECK(licence.application_id() == id);
  }
  const auto wallet = citizen.Get<intake::v1::ListLicencesResponse>(kStep5, "/api/v1/licences");
  CHECK(std::any_of(wallet.licences().begin(), wallet.licences().end(),
                    [&](const auto& l) { return l.licence_id() == licence.licence_id(); }));

  // ---- 6. A bad rating ----------------------------------------------------
  const std::string rating_body = absl::StrCat(
      R"({"applicationId":")", id,
      R"(","level":1,"text":"材料要求前后说法不一，跑了两趟","efficiency":1,"guideAccuracy":1})");
  const auto rating = Parse<complaint::v1::Rating>(
      kStep6, "the rating answer",
      citizen.Call(kStep6, "POST", "/api/v1/ratings", rating_body).body);
  if (rating.rectification_work_order_id().empty()) {
    FAIL(kStep6 << ": a level-1 rating opened no rectification order: " << citizen.last());
  }
  CHECK(rating.department_id() == department);
  CHECK(rating.application_number() == application.number());
  // Sent twice, it is still one rating with one order.
  const auto again = Parse<complaint::v1::Rating>(
      kStep6, "the repeated rating answer",
      citizen.Call(kStep6, "POST", "/api/v1/ratings", rating_body).body);
  CHECK(again.rating_id() == rating.rating_id());
  CHECK(again.rectification_work_order_id() == rating.rectification_work_order_id());
  const std::string order_id = rating.rectification_work_order_id();

  // ---- 7. The department's complaint desk: sign, handle, reply ------------
  auto complaints =
      complaint::v1::ComplaintService::NewStub(client::MakeChannel(stack->Address("complaint")));
  complaint::v1::WorkOrder order;
  std::string last_orders;
  PollUntil(kStep7, "in the department's work orders", last_orders, [&] {
    complaint::v1::ListDepartmentWorkOrdersRequest list;
    list.set_department_id(department);
    complaint::v1::ListWorkOrdersResponse orders;
    grpc::Status s =
        complaints->ListDepartmentWorkOrders(TokenContext(complaint_token).get(), list, &orders);
    ExpectOk(kStep7, "ListDepartmentWorkOrders", s);
    last_orders = orders.ShortDebugString();
    for (const auto& o : orders.work_orders()) {
      if (o.work_order_id() == order_id) order = o;
    }
    return !order.work_order_id().empty();
  });
  {
    INFO(kStep7 << ": order " << order.ShortDebugString());
    CHECK(order.kind() == complaint::v1::RECTIFICATION);
    CHECK(order.state() == complaint::v1::DISPATCHED);
    CHECK(order.application_id() == id);
    CHECK(order.assigned_department_id() == department);
  }
  const std::string reply_text =
      "已核实：窗口口径已统一，材料清单以办事指南为准，并对工作人员进行了培训。";
  {
    complaint::v1::SignForWorkOrderRequest sign;
    sign.set_work_order_id(order_id);
    complaint::v1::WorkOrder signed_for;
    ExpectOk(kStep7, "SignForWorkOrder",
             complaints->SignForWorkOrder(TokenContext(complaint_token).get(), sign, &signed_for));
    complaint::v1::HandleWorkOrderRequest handle;
    handle.set_work_order_id(order_id);
    handle.set_note("核查窗口受理记录，统一材料清单");
    complaint::v1::WorkOrder handled;
    ExpectOk(kStep7, "HandleWorkOrder",
             complaints->HandleWorkOrder(TokenContext(complaint_token).get(), handle, &handled));
    complaint::v1::ReplyWorkOrderRequest reply;
    reply.set_work_order_id(order_id);
    reply.set_reply(reply_text);
    complaint::v1::WorkOrder replied;
    ExpectOk(kStep7, "ReplyWorkOrder",
             complaints->ReplyWorkOrder(TokenContext(complaint_token).get(), reply, &replied));
    INFO(kStep7 << ": " << replied.ShortDebugString());
    CHECK(replied.state() == complaint::v1::REPLIED);
  }

  // ---- 8. The callback ----------------------------------------------------
  const std::string order_target = absl::StrCat("/api/v1/work-orders/", order_id);
  const auto mine = citizen.Get<complaint::v1::WorkOrder>(kStep8, order_target);
  {
    INFO(kStep8 << ": " << citizen.last());
    CHECK(mine.state() == complaint::v1::REPLIED);
    CHECK(mine.reply() == reply_text);
  }
  PollUntil(kStep8, "told of the reply and asked for the callback in the inbox", citizen.last(),
            [&] {
              inbox = citizen.Get<notification::v1::ListInboxResponse>(kStep8, "/api/v1/inbox");
              return FindMessage(inbox, "rating.follow_up") != nullptr &&
                     FindMessage(inbox, "work_order.callback_requested") != nullptr;
            });
  CHECK(absl::StrContains(FindMessage(inbox, "rating.follow_up")->body(), reply_text));
  const auto closed = Parse<complaint::v1::WorkOrder>(
      kStep8, "the callback answer",
      citizen
          .Call(kStep8, "POST", absl::StrCat(order_target, "/callback"),
                R"({"result":"SATISFIED","note":"整改答复清楚"})")
          .body);
  {
    INFO(kStep8 << ": " << citizen.last());
    CHECK(closed.state() == complaint::v1::CLOSED);
    CHECK(closed.callback_result() == complaint::v1::SATISFIED);
    CHECK(closed.has_close_time());
    std::vector<std::string> actions;
    for (const auto& entry : closed.timeline()) actions.push_back(entry.action());
    INFO("actions: " << absl::StrJoin(actions, " > "));
    for (const char* action :
         {"received", "dispatched", "signed_for", "handled", "replied", "callback", "closed"}) {
      CHECK(std::find(actions.begin(), actions.end(), action) != actions.end());
    }
  }

  // ---- 9. Prometheus: every target up, the journey counted ----------------
  // Every sample read below comes from a scrape after this moment, so the
  // counters hold the whole journey.
  const absl::Time journey_done = absl::Now();
  const std::map<std::string, std::string> targets = stack->MetricsTargets();
  REQUIRE(targets.size() == 7);
  std::string last_targets;
  PollUntil(kStep9, "every target up and scraped after the journey", last_targets, [&] {
    auto listed = prometheus->Targets();
    if (!listed.ok()) {
      last_targets = absl::StrCat(listed.status().ToString(), "\n--- prometheus log ---\n",
                                  prometheus->Logs());
      return false;
    }
    std::vector<std::string> described;
    int fresh = 0;
    for (const auto& t : *listed) {
      described.push_back(absl::StrCat(t.job, "@", t.instance, "=", t.health,
                                       t.last_error.empty() ? "" : " (", t.last_error,
                                       t.last_error.empty() ? "" : ")"));
      const auto it = targets.find(t.job);
      if (t.health == "up" && it != targets.end() && it->second == t.instance &&
          t.last_scrape > journey_done) {
        ++fresh;
      }
    }
    last_targets = absl::StrJoin(described, ", ");
    return listed->size() == targets.size() && fresh == static_cast<int>(targets.size());
  });
  auto up = prometheus->Query("up", "job");
  if (!up.ok()) FAIL(kStep9 << ": query up -> " << up.status().ToString());
  for (const auto& [job, address] : targets) {
    INFO(kStep9 << ": up{job=\"" << job << "\"} (" << address << ") in " << last_targets);
    REQUIRE(up->count(job) == 1);
    CHECK(up->at(job) == 1.0);
  }
  CHECK(up->size() == targets.size());

  // The scrapes saw the journey itself: one submission (the retry is no
  // second one), one case closed, one level-1 rating (sent twice).
  for (const auto& [promql, want] : std::vector<std::pair<std::string, double>>{
           {R"(sum(onewindow_intake_applications_submitted_total{job="intake"}))", 1},
           {R"(sum(onewindow_approval_cases_closed_total{job="approval"}))", 1},
           {R"(sum(onewindow_complaint_ratings_total{job="complaint",level="1"}))", 1}}) {
    auto values = prometheus->Query(promql, "");
    INFO(kStep9 << ": " << promql << " -> " << (values.ok() ? "" : values.status().ToString()));
    // Checked, not required: a missing series must not hide the others.
    CHECK(values.ok());
    if (!values.ok()) continue;
    INFO(values->size() << " series"
                        << (values->empty() ? " (none: the process does not export the metric)"
                                            : ""));
    CHECK(values->size() == 1);
    if (values->size() != 1) continue;
    INFO("value " << values->begin()->second);
    CHECK(values->begin()->second == want);
  }
}

}  // namespace
}  // namespace onewindow
