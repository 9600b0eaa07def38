// Approval as real processes: catalog and approval on free ports, intake and
// notification played by a receiver inside the test (it records every event
// it is sent, as a real receiver would, idempotent on the event id), and the
// department desk driven through ow_dept and the gRPC API. Includes a
// kill -9 of approval in the middle of decisions.
#include <grpcpp/client_context.h>
#include <signal.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "libs/client/channels.h"
#include "libs/codes/credit_code.h"
#include "libs/server/call.h"
#include "libs/status/proto_json.h"
#include "libs/testing/eventually.h"
#include "libs/testing/grpc_context.h"
#include "libs/testing/grpc_server.h"
#include "libs/testing/ow_dept.h"
#include "libs/testing/principals.h"
#include "libs/testing/stack.h"
#include "onewindow/approval/v1/approval.grpc.pb.h"
#include "onewindow/catalog/v1/catalog.grpc.pb.h"
#include "onewindow/intake/v1/intake.grpc.pb.h"
#include "onewindow/notification/v1/notification.grpc.pb.h"
#include "tests/integration/require_ok.h"

namespace onewindow {
namespace {

using testing::Eventually;
using testing::RequireOk;
using testing::Stack;
namespace v1 = approval::v1;

std::string Dept(int n) {
  const std::string first17 = absl::StrFormat("11440000%09d", n);
  return first17 + codes::CreditCodeCheckChar(first17);
}
const std::string kA = Dept(11);
const std::string kB = Dept(12);
const std::string kC = Dept(13);

// Calls racing a kill -9 of approval may take longer than the usual call.
std::unique_ptr<grpc::ClientContext> Context(const std::string& token) {
  return testing::TokenContext(token, absl::Seconds(20));
}

// Intake's and notification's receiving ends.
class Receiver final : public intake::v1::IntakeService::Service,
                       public notification::v1::NotificationService::Service {
 public:
  Receiver()
      : server_(testing::RequireOk(testing::InProcessServer::Start(
            {static_cast<intake::v1::IntakeService::Service*>(this),
             static_cast<notification::v1::NotificationService::Service*>(this)}))) {}

  std::string address() const { return server_->address(); }

  grpc::Status RecordTransition(grpc::ServerContext* context,
                                const intake::v1::RecordTransitionRequest* request,
                                intake::v1::RecordTransitionResponse* response) override {
    if (context->client_metadata().count(server::kPrincipalHeader) == 0) {
      return grpc::Status(grpc::UNAUTHENTICATED, "no principal");
    }
    std::lock_guard<std::mutex> lock(mu_);
    ++calls_;
    auto [it, fresh] = transitions_.emplace(request->event_id(), *request);
    if (!fresh && it->second.SerializeAsString() != request->SerializeAsString()) {
      conflicting_ids_.insert(request->event_id());
    }
    response->set_applied(fresh);
    return grpc::Status::OK;
  }

  grpc::Status Notify(grpc::ServerContext*, const notification::v1::NotifyRequest* request,
                      notification::v1::NotifyResponse* response) override {
    std::lock_guard<std::mutex> lock(mu_);
    response->set_created(
        notifications_.emplace(request->event().event_id(), request->event()).second);
    return grpc::Status::OK;
  }

  // Distinct transitions per application, in the order their events were
  // numbered (sequence within the case).
  std::map<std::string, std::vector<intake::v1::RecordTransitionRequest>> ByApplication() {
    std::lock_guard<std::mutex> lock(mu_);
    std::map<std::string, std::map<int64_t, intake::v1::RecordTransitionRequest>> ordered;
    for (const auto& [id, t] : transitions_) {
      const int64_t seq = std::stoll(id.substr(id.find('/') + 1));
      ordered[t.application_id()][seq] = t;
    }
    std::map<std::string, std::vector<intake::v1::RecordTransitionRequest>> out;
    for (auto& [app, by_seq] : ordered) {
      for (auto& [seq, t] : by_seq) out[app].push_back(t);
    }
    return out;
  }

  size_t distinct() {
    std::lock_guard<std::mutex> lock(mu_);
    return transitions_.size();
  }
  std::set<std::string> conflicting_ids() {
    std::lock_guard<std::mutex> lock(mu_);
    return conflicting_ids_;
  }

 private:
  std::mutex mu_;
  int calls_ = 0;
  std::map<std::string, intake::v1::RecordTransitionRequest> transitions_;
  std::map<std::string, notification::v1::Event> notifications_;
  std::set<std::string> conflicting_ids_;
  // Last, so it stops before the state its handlers use is destroyed.
  std::unique_ptr<testing::InProcessServer> server_;
};

auth::v1::Principal StaffOf(const std::string& department, const std::string& name) {
  auth::v1::Principal p =
      testing::StaffPrincipal(absl::StrCat("token:", name), department, {"approver"});
  p.set_display_name(name);
  return p;
}

catalog::v1::Stage Stage(const std::string& id, const std::string& name, int days,
                         catalog::v1::CountersignMode mode = {},
                         std::vector<std::string> signers = {}) {
  catalog::v1::Stage s;
  s.set_stage_id(id);
  s.set_name(name);
  s.set_department_credit_code(kA);
  s.set_time_limit_days(days);
  s.set_countersign(mode);
  for (auto& d : signers) s.add_countersign_departments(d);
  return s;
}

struct World {
  Receiver receiver;
  std::unique_ptr<Stack> stack;
  std::unique_ptr<v1::ApprovalService::Stub> approval;
  catalog::v1::Implementation sequential;
  catalog::v1::Implementation countersign;

  World() {
    testing::StackOptions options;
    options.backends = {"catalog", "approval"};
    options.gateway = false;
    options.redis = false;
    options.extra_flags["approval"] = {absl::StrCat("--intake_addr=", receiver.address()),
                                       absl::StrCat("--notification_addr=", receiver.address()),
                                       "--revocation_poll_seconds=1"};
    stack = RequireOk(Stack::Start(options));
    approval = v1::ApprovalService::NewStub(client::MakeChannel(stack->Address("approval")));
    LoadCatalog();
  }

  void LoadCatalog() {
    auto catalog =
        catalog::v1::CatalogService::NewStub(client::MakeChannel(stack->Address("catalog")));
    const std::string admin = stack->AdminToken();
    catalog::v1::ImportRegionsRequest regions;
    for (auto [code, name] : {std::pair{"440000000000", "广东省"},
                              {"440100000000", "广州市"},
                              {"440106000000", "天河区"}}) {
      auto* r = regions.add_regions();
      r->set_code(code);
      r->set_name(name);
    }
    catalog::v1::ImportRegionsResponse imported;
    REQUIRE(catalog->ImportRegions(Context(admin).get(), regions, &imported).ok());
    catalog::v1::ImportDepartmentsRequest departments;
    for (auto [code, name] : {std::pair{kA, "天河区市场监督管理局"},
                              {kB, "天河区消防救援大队"},
                              {kC, "天河区住房和城乡建设局"}}) {
      auto* d = departments.add_departments();
      d->set_credit_code(code);
      d->set_name(name);
      d->set_region_code("440106000000");
    }
    catalog::v1::ImportResponse response;
    REQUIRE(catalog->ImportDepartments(Context(admin).get(), departments, &response).ok());
    REQUIRE(response.rejected().empty());
    catalog::v1::ImportBasicItemsRequest basics;
    for (auto [code, name] :
         {std::pair{"XK00101001", "食品经营许可"}, {"XK00102001", "公众聚集场所投入使用许可"}}) {
      auto* b = basics.add_items();
      b->set_basic_code(code);
      b->set_name(name);
      b->set_legal_basis("《中华人民共和国行政许可法》");
      b->add_applicant_kinds(catalog::v1::LEGAL_PERSON);
    }
    REQUIRE(catalog->ImportBasicItems(Context(admin).get(), basics, &response).ok());
    REQUIRE(response.rejected().empty());
    sequential =
        Publish(catalog.get(), admin, "XK00101001", "食品经营许可",
                {Stage("S1", "accept", 1), Stage("S2", "review", 2), Stage("S3", "decide", 2)});
    countersign = Publish(
        catalog.get(), admin, "XK00102001", "公众聚集场所投入使用许可",
        {Stage("S1", "accept", 1), Stage("S2", "countersign", 2, catalog::v1::ALL_OF, {kB, kC}),
         Stage("S3", "decide", 2)});
  }

  catalog::v1::Implementation Publish(catalog::v1::CatalogService::Stub* catalog,
                                      const std::string& admin, const std::string& basic,
                                      const std::string& name,
                                      std::vector<catalog::v1::Stage> stages) {
    catalog::v1::PublishImplementationRequest publish;
    catalog::v1::Implementation* impl = publish.mutable_implementation();
    impl->set_implementation_code(absl::StrCat(basic, "-", kA));
    impl->set_basic_code(basic);
    impl->set_name(name);
    impl->set_department_credit_code(kA);
    impl->set_region_code("440106000000");
    catalog::v1::Guide* g = impl->mutable_guide();
    g->set_acceptance_conditions("持有营业执照");
    for (auto [id, material] : {std::pair{"M01", "申请书"}, {"M02", "营业执照"}}) {
      auto* m = g->add_materials();
      m->set_material_id(id);
      m->set_name(material);
      m->set_required(true);
      m->set_originals(1);
      m->set_form(catalog::v1::PAPER_OR_ELECTRONIC);
    }
    for (auto& s : stages) *g->add_stages() = s;
    g->set_statutory_limit_days(20);
    g->set_promised_limit_days(5);
    g->set_handling(catalog::v1::PROMISED);
    g->set_on_site_visits(0);
    g->set_online_depth(catalog::v1::FULLY_ONLINE);
    g->set_consultation_phone("020-12345678");
    g->set_complaint_phone("12345");
    g->set_result_name(absl::StrCat(name, "证"));
    g->set_result_type("licence");
    g->set_result_licence_type(absl::StrCat(name, "证"));
    catalog::v1::Implementation published;
    grpc::Status s = catalog->PublishImplementation(Context(admin).get(), publish, &published);
    INFO(s.error_message());
    REQUIRE(s.ok());
    return published;
  }

  std::string IntakeToken() const {
    return stack->Token(testing::MakePrincipal(auth::v1::SERVICE, "intake"));
  }

  v1::OpenCaseRequest OpenRequest(const std::string& application_id,
                                  const catalog::v1::Implementation& item) const {
    v1::OpenCaseRequest r;
    r.set_event_id(absl::StrCat("open:", application_id));
    r.set_application_id(application_id);
    r.set_implementation_code(item.implementation_code());
    r.set_catalog_revision(item.revision());
    r.set_department_id(kA);
    r.set_application_number(absl::StrCat("SQ-", application_id));
    r.set_applicant_id(absl::StrCat("acct-", application_id));
    r.set_channel("online");
    return r;
  }

  v1::Case Open(const std::string& application_id, const catalog::v1::Implementation& item) {
    v1::Case c;
    grpc::Status s =
        approval->OpenCase(Context(IntakeToken()).get(), OpenRequest(application_id, item), &c);
    INFO(s.error_message());
    REQUIRE(s.ok());
    return c;
  }

  v1::CaseDetail Detail(const std::string& case_id) {
    v1::GetCaseDetailRequest r;
    r.set_case_id(case_id);
    v1::CaseDetail detail;
    const std::string op = stack->Token(testing::MakePrincipal(auth::v1::OPERATOR, "op"));
    grpc::Status s = approval->GetCaseDetail(Context(op).get(), r, &detail);
    INFO(s.error_message());
    REQUIRE(s.ok());
    return detail;
  }

  testing::ToolRun Cli(const std::string& token, const std::vector<std::string>& args) const {
    return testing::RunOwDept(*stack, token, args);
  }

  v1::ListQueueResponse QueueJson(const std::string& token) {
    auto [code, out] = Cli(token, {"queue", "--json"});
    INFO(out);
    REQUIRE(code == 0);
    v1::ListQueueResponse queue;
    REQUIRE(status::JsonToMessage(out, &queue).ok());
    return queue;
  }
};

TEST_CASE("a case opened by intake's hand-off is worked to approval with ow_dept") {
  World w;
  const v1::Case opened = w.Open("app-cli", w.countersign);
  const std::string a = w.stack->Token(StaffOf(kA, "市监窗口"));
  const std::string b = w.stack->Token(StaffOf(kB, "消防"));
  const std::string c = w.stack->Token(StaffOf(kC, "住建"));

  // Department A's queue holds the accept task; B's holds nothing yet.
  v1::ListQueueResponse queue = w.QueueJson(a);
  REQUIRE(queue.tasks_size() == 1);
  CHECK(queue.tasks(0).case_id() == opened.case_id());
  CHECK(w.QueueJson(b).tasks().empty());
  auto [table_code, table] = w.Cli(a, {"queue"});
  CHECK(table_code == 0);
  CHECK(absl::StrContains(table, "公众聚集场所投入使用许可"));
  CHECK(absl::StrContains(table, "accept"));

  auto [show_code, shown] = w.Cli(a, {"show", opened.case_id()});
  INFO(shown);
  CHECK(show_code == 0);
  CHECK(absl::StrContains(shown, "营业执照"));     // materials list
  CHECK(absl::StrContains(shown, "case.opened"));  // history

  CHECK(w.Cli(a, {"claim", queue.tasks(0).task_id()}).exit_code == 0);
  CHECK(w.Cli(a, {"approve", queue.tasks(0).task_id(), "--comment=材料齐全"}).exit_code == 0);

  // Countersign: B and C each approve their own task; neither sees the other's.
  const v1::ListQueueResponse for_b = w.QueueJson(b);
  const v1::ListQueueResponse for_c = w.QueueJson(c);
  REQUIRE(for_b.tasks_size() == 1);
  REQUIRE(for_c.tasks_size() == 1);
  auto [wrong_code, wrong] = w.Cli(b, {"approve", for_c.tasks(0).task_id()});
  CHECK(wrong_code == 1);
  CHECK(absl::StrContains(wrong, "not found"));
  CHECK(w.Cli(b, {"approve", for_b.tasks(0).task_id()}).exit_code == 0);
  CHECK(w.Cli(c, {"approve", for_c.tasks(0).task_id()}).exit_code == 0);

  const v1::ListQueueResponse decide = w.QueueJson(a);
  REQUIRE(decide.tasks_size() == 1);
  CHECK(decide.tasks(0).stage_name() == "decide");
  auto [approve_code, approved] = w.Cli(a, {"approve", decide.tasks(0).task_id(), "--json"});
  INFO(approved);
  REQUIRE(approve_code == 0);
  v1::DecisionResponse decision;
  REQUIRE(status::JsonToMessage(approved, &decision).ok());
  CHECK(decision.case_().state() == v1::APPROVED);

  // Intake hears every step, ending with the licence.
  REQUIRE(Eventually([&] { return w.receiver.ByApplication()["app-cli"].size() == 5; }));
  const auto told = w.receiver.ByApplication()["app-cli"];
  std::vector<intake::v1::ApplicationStatus> statuses;
  for (const auto& t : told) statuses.push_back(t.status());
  CHECK(statuses == std::vector<intake::v1::ApplicationStatus>{
                        intake::v1::ACCEPTED, intake::v1::IN_REVIEW, intake::v1::IN_REVIEW,
                        intake::v1::APPROVED, intake::v1::RESULT_ISSUED});
  CHECK(told.back().result().licence_type() == "公众聚集场所投入使用许可证");
  CHECK(told.back().result().holder_id() == "acct-app-cli");
  CHECK(told.back().result().number() == decision.case_().licence_number());

  auto [audit_code, audit] = w.Cli(a, {"audit", opened.case_id()});
  CHECK(audit_code == 0);
  CHECK(absl::StrContains(audit, "licence.issued"));
  CHECK(absl::StrContains(audit, "task.claimed"));

  auto [usage_code, usage] = w.Cli(a, {"reject", "task_x"});
  CHECK(usage_code == 1);
  CHECK(absl::StrContains(usage, "reason"));
}

TEST_CASE(
    "batched hand-offs over gRPC answer each case, and a wrong caller or size is refused whole") {
  World w;
  v1::OpenCasesRequest batch;
  *batch.add_cases() = w.OpenRequest("app-b1", w.sequential);
  v1::OpenCaseRequest unknown = w.OpenRequest("app-b2", w.sequential);
  unknown.set_catalog_revision(99);
  *batch.add_cases() = unknown;
  *batch.add_cases() = w.OpenRequest("app-b1", w.sequential);

  api::v1::HandoffResults results;
  const std::string citizen = w.stack->Token(testing::MakePrincipal(auth::v1::CITIZEN, "acct"));
  CHECK(w.approval->OpenCases(Context(citizen).get(), batch, &results).error_code() ==
        grpc::PERMISSION_DENIED);
  CHECK(w.approval->OpenCases(Context("").get(), batch, &results).error_code() ==
        grpc::UNAUTHENTICATED);
  grpc::Status empty =
      w.approval->OpenCases(Context(w.IntakeToken()).get(), v1::OpenCasesRequest(), &results);
  CHECK(empty.error_code() == grpc::INVALID_ARGUMENT);
  CHECK(absl::StrContains(empty.error_message(), "cases"));
  v1::OpenCasesRequest too_many;
  for (int i = 0; i < 257; ++i) *too_many.add_cases() = w.OpenRequest("app-x", w.sequential);
  CHECK(w.approval->OpenCases(Context(w.IntakeToken()).get(), too_many, &results).error_code() ==
        grpc::INVALID_ARGUMENT);
  CHECK(results.results().empty());

  grpc::Status s = w.approval->OpenCases(Context(w.IntakeToken()).get(), batch, &results);
  INFO(s.error_message());
  REQUIRE(s.ok());
  REQUIRE(results.results_size() == 3);
  CHECK(results.results(0).code() == grpc::OK);
  CHECK(results.results(1).code() == grpc::NOT_FOUND);
  CHECK(results.results(2).code() == grpc::OK);
  // One case for app-b1, however often it came; its accept task is queued.
  const std::string a = w.stack->Token(StaffOf(kA, "desk"));
  const v1::ListQueueResponse queue = w.QueueJson(a);
  REQUIRE(queue.tasks_size() == 1);
  CHECK(queue.tasks(0).application_id() == "app-b1");
}

TEST_CASE(
    "a decision over gRPC is refused without a principal, across departments or without a task") {
  World w;
  w.Open("app-d", w.sequential);
  const std::string a = w.stack->Token(StaffOf(kA, "desk"));
  const std::string b = w.stack->Token(StaffOf(kB, "other"));
  const v1::ListQueueResponse queue = w.QueueJson(a);
  REQUIRE(queue.tasks_size() == 1);
  v1::ApproveTaskRequest approve;
  approve.set_task_id(queue.tasks(0).task_id());
  v1::DecisionResponse decision;

  CHECK(w.approval->ApproveTask(Context("").get(), approve, &decision).error_code() ==
        grpc::UNAUTHENTICATED);
  CHECK(w.approval->ApproveTask(Context(b).get(), approve, &decision).error_code() ==
        grpc::NOT_FOUND);
  grpc::Status no_task =
      w.approval->ApproveTask(Context(a).get(), v1::ApproveTaskRequest(), &decision);
  CHECK(no_task.error_code() == grpc::INVALID_ARGUMENT);
  CHECK(absl::StrContains(no_task.error_message(), "task_id"));

  grpc::Status s = w.approval->ApproveTask(Context(a).get(), approve, &decision);
  INFO(s.error_message());
  REQUIRE(s.ok());
  CHECK(decision.task().task_id() == approve.task_id());
  // One decision per task.
  CHECK(w.approval->ApproveTask(Context(a).get(), approve, &decision).error_code() ==
        grpc::FAILED_PRECONDITION);
}

TEST_CASE("a kill -9 of approval mid-flow loses and doubles no case, decision or event") {
  World w;
  constexpr int kCases = 60;
  std::map<std::string, std::string> case_of;  // application -> case
  for (int i = 0; i < kCases; ++i) {
    const std::string app = absl::StrCat("app-", i);
    case_of[app] = w.Open(app, w.sequential).case_id();
  }
  const std::string token = w.stack->Token(StaffOf(kA, "desk"));

  // Four clerks approve whatever is in the queue until approval dies.
  std::mutex mu;
  std::set<std::string> acknowledged;  // task ids whose approval returned OK
  std::atomic<bool> stop{false};
  std::atomic<int> decided{0};
  auto clerk = [&](int offset) {
    auto stub = v1::ApprovalService::NewStub(client::MakeChannel(w.stack->Address("approval")));
    while (!stop) {
      v1::ListQueueRequest list;
      list.set_page_size(20);
      v1::ListQueueResponse queue;
      if (!stub->ListQueue(Context(token).get(), list, &queue).ok() || queue.tasks().empty()) {
        absl::SleepFor(absl::Milliseconds(5));
        continue;
      }
      const auto& task = queue.tasks((offset + decided) % queue.tasks_size());
      v1::ApproveTaskRequest approve;
      approve.set_task_id(task.task_id());
      v1::DecisionResponse reply;
      auto context = Context(token);
      context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
      if (stub->ApproveTask(context.get(), approve, &reply).ok()) {
        std::lock_guard<std::mutex> lock(mu);
        acknowledged.insert(task.task_id());
        ++decided;
      }
    }
  };
  std::vector<std::thread> clerks;
  for (int i = 0; i < 4; ++i) clerks.emplace_back(clerk, i * 5);
  REQUIRE(Eventually([&] { return decided >= 40; }, absl::Seconds(60)));
  w.stack->Stop("approval", SIGKILL);
  const int before_kill = decided;
  stop = true;
  for (auto& t : clerks) t.join();
  INFO("decisions acknowledged before the kill: " << before_kill);
  REQUIRE(w.stack->Restart("approval").ok());

  // Intake's relay redelivers every hand-off: nothing opens twice.
  for (const auto& [app, case_id] : case_of) CHECK(w.Open(app, w.sequential).case_id() == case_id);

  // Every acknowledged decision survived; every case is consistent.
  int done_tasks = 0;
  for (const auto& [app, case_id] : case_of) {
    const v1::CaseDetail detail = w.Detail(case_id);
    std::set<int> stages;
    int done = 0;
    for (const auto& t : detail.tasks()) {
      CHECK(stages.insert(t.stage_index()).second);  // no stage started twice
      if (t.state() == v1::TASK_DONE) ++done;
      if (acknowledged.count(t.task_id()) > 0) CHECK(t.state() == v1::TASK_DONE);
    }
    done_tasks += done;
    if (detail.case_().state() == v1::APPROVED) {
      CHECK(done == 3);
    } else {
      CHECK(detail.case_().state() == v1::OPEN);
      CHECK(done == detail.case_().stage_index());
      CHECK(detail.tasks_size() == done + 1);
    }
    for (int i = 0; i < detail.history_size(); ++i) {
      CHECK(detail.history(i).sequence() == detail.history(0).sequence() + i);
    }
  }
  CHECK(done_tasks >= static_cast<int>(acknowledged.size()));

  // Finish every case through the API, then every transition reaches intake
  // exactly once per event id, in order, with nothing missing.
  while (true) {
    v1::ListQueueRequest list;
    list.set_page_size(200);
    v1::ListQueueResponse queue;
    REQUIRE(w.approval->ListQueue(Context(token).get(), list, &queue).ok());
    if (queue.tasks().empty()) break;
    for (const auto& t : queue.tasks()) {
      v1::ApproveTaskRequest approve;
      approve.set_task_id(t.task_id());
      v1::DecisionResponse reply;
      REQUIRE(w.approval->ApproveTask(Context(token).get(), approve, &reply).ok());
    }
  }
  REQUIRE(Eventually([&] { return w.receiver.distinct() == kCases * 5; }, absl::Seconds(60)));
  CHECK(w.receiver.conflicting_ids().empty());
  std::set<std::string> licences;
  for (const auto& [app, told] : w.receiver.ByApplication()) {
    std::vector<intake::v1::ApplicationStatus> statuses;
    for (const auto& t : told) statuses.push_back(t.status());
    CHECK(statuses == std::vector<intake::v1::ApplicationStatus>{
                          intake::v1::ACCEPTED, intake::v1::IN_REVIEW, intake::v1::IN_REVIEW,
                          intake::v1::APPROVED, intake::v1::RESULT_ISSUED});
    licences.insert(told.back().result().number());
  }
  CHECK(licences.size() == kCases);
}

}  // namespace
}  // namespace onewindow
