// How cases move through their process: sequential stages, countersign,
// instant items, rejection, supplements against the working-day clock,
// transfer, withdrawal, and what intake hears of each step.
#include "libs/outbox/batch_receiver.h"
#include "tests/unit/approval_fixture.h"

namespace onewindow::approval::test {
namespace {

using intake::v1::ApplicationStatus;

TEST_CASE("a sequential case moves stage by stage and its approval issues a licence") {
  Fixture f;
  const approval::v1::Case opened = f.Open("app-1", "sequential");
  CHECK(opened.state() == approval::v1::OPEN);
  CHECK(opened.stage_name() == "accept");
  CHECK(opened.item_name() == "食品经营许可");
  CHECK(opened.time_limit_days() == 5);
  // Opened Monday Mar 2 2026: Mar 3-6 and 9 are the five working days.
  CHECK(store::FromProtoTime(opened.due_time()) == Cst(2026, 3, 10));

  for (const char* stage : {"accept", "review", "decide"}) {
    INFO(stage);
    const approval::v1::Task task = f.TaskOf(kA, opened.case_id());
    CHECK(task.stage_name() == stage);
    CHECK(f.Queue(kA).size() == 1);
    f.clock.Advance(absl::Hours(1));
    f.Approve(kA, task.task_id());
  }
  CHECK(f.Queue(kA).empty());
  const approval::v1::CaseDetail detail = f.Detail(opened.case_id());
  const approval::v1::Case& closed = detail.case_();
  CHECK(closed.state() == approval::v1::APPROVED);
  CHECK(closed.has_close_time());
  CHECK_FALSE(closed.licence_number().empty());
  CHECK(detail.tasks_size() == 3);
  CHECK(detail.materials_size() == 2);
  CHECK(detail.stages_size() == 3);

  CHECK(f.Statuses("app-1") ==
        std::vector<ApplicationStatus>{intake::v1::ACCEPTED, intake::v1::IN_REVIEW,
                                       intake::v1::IN_REVIEW, intake::v1::APPROVED,
                                       intake::v1::RESULT_ISSUED});
  const auto transitions = f.ToIntake("app-1");
  const intake::v1::RecordTransitionRequest& issued = transitions.back();
  CHECK(issued.case_id() == opened.case_id());
  CHECK(issued.result().licence_type() == "食品经营许可证");
  CHECK(issued.result().title() == "食品经营许可");
  CHECK(issued.result().holder_id() == "acct-app-1");
  CHECK(issued.result().issuer_department_id() == kA);
  CHECK(issued.result().number() == closed.licence_number());
  CHECK(transitions.front().has_due_time());
  // Every event id is distinct and names the case.
  std::set<std::string> ids;
  for (const auto& t : transitions) ids.insert(t.event_id());
  CHECK(ids.size() == transitions.size());

  CHECK(f.Actions(opened.case_id()) ==
        std::vector<std::string>{"case.opened", "stage.started", "task.approved", "stage.started",
                                 "task.approved", "stage.started", "task.approved", "case.approved",
                                 "licence.issued"});
}

TEST_CASE("licence numbers are unique across cases") {
  Fixture f;
  std::set<std::string> numbers;
  for (int i = 0; i < 3; ++i) {
    const auto c = f.Open(absl::StrCat("app-", i), "instant");
    const auto done = f.Approve(kA, f.TaskOf(kA, c.case_id()).task_id());
    numbers.insert(done.case_().licence_number());
  }
  CHECK(numbers.size() == 3);
}

TEST_CASE("an old guide that promised nothing is held to its statutory limit, as intake shows") {
  Fixture f;
  const auto c = f.Open("app-u", "unpromised");
  CHECK(c.handling() == catalog::v1::PROMISED);
  CHECK(c.time_limit_days() == 20);
}

TEST_CASE("an instant item is decided at its accept stage") {
  Fixture f;
  const auto c = f.Open("app-i", "instant");
  CHECK(c.handling() == catalog::v1::INSTANT);
  CHECK(c.time_limit_days() == 0);
  // Same-day limit: due at the end of the day it arrived.
  CHECK(store::FromProtoTime(c.due_time()) == Cst(2026, 3, 3));
  const auto task = f.TaskOf(kA, c.case_id());
  CHECK(task.stage_name() == "accept");
  const auto done = f.Approve(kA, task.task_id());
  CHECK(done.case_().state() == approval::v1::APPROVED);
  CHECK(f.Detail(c.case_id()).tasks_size() == 1);
  CHECK(f.Statuses("app-i").back() == intake::v1::RESULT_ISSUED);
}

TEST_CASE("an all-of countersign needs every signer and one rejection rejects the case") {
  Fixture f;
  SECTION("all approve") {
    const auto c = f.Open("app-all", "all_of");
    f.Approve(kA, f.TaskOf(kA, c.case_id()).task_id());
    const auto b = f.TaskOf(kB, c.case_id());
    const auto cc = f.TaskOf(kC, c.case_id());
    CHECK(b.countersign() == catalog::v1::ALL_OF);
    CHECK(f.Queue(kA).empty());
    auto after_b = f.Approve(kB, b.task_id());
    CHECK(after_b.case_().stage_name() == "countersign");
    CHECK(f.Queue(kA).empty());
    auto after_c = f.Approve(kC, cc.task_id());
    CHECK(after_c.case_().stage_name() == "decide");
    f.Approve(kA, f.TaskOf(kA, c.case_id()).task_id());
    CHECK(f.Detail(c.case_id()).case_().state() == approval::v1::APPROVED);
  }
  SECTION("one rejects") {
    const auto c = f.Open("app-all", "all_of");
    f.Approve(kA, f.TaskOf(kA, c.case_id()).task_id());
    const auto b = f.TaskOf(kB, c.case_id());
    const auto cc = f.TaskOf(kC, c.case_id());
    f.Approve(kB, b.task_id());
    const auto rejected = f.Reject(kC, cc.task_id(), "不符合规划条件");
    CHECK(rejected.case_().state() == approval::v1::REJECTED);
    CHECK(rejected.case_().reason() == "不符合规划条件");
    const auto last = f.ToIntake("app-all").back();
    CHECK(last.status() == intake::v1::REJECTED);
    CHECK(last.reason() == "不符合规划条件");
    CHECK_FALSE(last.appeal().empty());
  }
}

TEST_CASE("an any-of countersign needs one signer, the case fails only when all reject") {
  Fixture f;
  SECTION("the first approval completes the stage and cancels the other") {
    const auto c = f.Open("app-any", "any_of");
    f.Approve(kA, f.TaskOf(kA, c.case_id()).task_id());
    const auto cc = f.TaskOf(kC, c.case_id());
    const auto after = f.Approve(kB, f.TaskOf(kB, c.case_id()).task_id());
    CHECK(after.case_().stage_name() == "decide");
    CHECK(f.Queue(kC).empty());
    approval::v1::ApproveTaskRequest late;
    late.set_task_id(cc.task_id());
    CHECK(f.desk->Approve(Staff(kC, "wang"), late).status().code() ==
          absl::StatusCode::kFailedPrecondition);
    bool cancelled = false;
    const approval::v1::CaseDetail detail = f.Detail(c.case_id());
    for (const auto& t : detail.tasks()) {
      if (t.task_id() == cc.task_id()) cancelled = t.state() == approval::v1::TASK_CANCELLED;
    }
    CHECK(cancelled);
  }
  SECTION("one rejection leaves the stage to the other signer") {
    const auto c = f.Open("app-any", "any_of");
    f.Approve(kA, f.TaskOf(kA, c.case_id()).task_id());
    const auto after_b = f.Reject(kB, f.TaskOf(kB, c.case_id()).task_id(), "not ours");
    CHECK(after_b.case_().state() == approval::v1::OPEN);
    CHECK(after_b.case_().stage_name() == "countersign");
    SECTION("and the other approves") {
      CHECK(f.Approve(kC, f.TaskOf(kC, c.case_id()).task_id()).case_().stage_name() == "decide");
    }
    SECTION("and the other rejects too") {
      CHECK(f.Reject(kC, f.TaskOf(kC, c.case_id()).task_id(), "no").case_().state() ==
            approval::v1::REJECTED);
    }
  }
}

TEST_CASE("a rejection at a plain stage rejects the case with how to appeal") {
  Fixture f;
  const auto c = f.Open("app-r", "sequential");
  const auto rejected = f.Reject(kA, f.TaskOf(kA, c.case_id()).task_id(), "材料不齐");
  CHECK(rejected.case_().state() == approval::v1::REJECTED);
  CHECK(rejected.task().outcome() == approval::v1::TASK_REJECTED);
  CHECK(f.Queue(kA).empty());
  CHECK(f.Statuses("app-r").back() == intake::v1::REJECTED);
}

TEST_CASE(
    "a supplement stops the clock across the Spring Festival and a make-up Saturday, and a "
    "resume restarts it") {
  Fixture f;
  // Arrived Wednesday Feb 11 2026, 10:00 CST, 5 working days: Feb 12, 13,
  // Saturday Feb 14 (worked), then the holiday Feb 15-23, Feb 24, 25.
  f.clock.Set(Cst(2026, 2, 11, 10));
  const auto c = f.Open("app-s", "single");
  CHECK(store::FromProtoTime(c.due_time()) == Cst(2026, 2, 26));
  const auto task = f.TaskOf(kA, c.case_id());

  // Friday Feb 13 at noon, 1.5 days used, the reviewer asks for everything
  // missing at once.
  f.clock.Set(Cst(2026, 2, 13, 12));
  approval::v1::RequestSupplementRequest ask;
  ask.set_task_id(task.task_id());
  auto* m = ask.add_materials();
  m->set_material_name("营业执照");
  m->set_reason("复印件不清晰");
  m = ask.add_materials();
  m->set_material_name("申请书");
  m->set_reason("缺少签名");
  ask.set_request_id("desk-1");
  const auto suspended = Ok(f.desk->RequestSupplement(Staff(kA, "li"), ask));
  CHECK(suspended.case_().state() == approval::v1::SUSPENDED);
  CHECK_FALSE(suspended.case_().has_due_time());
  CHECK(suspended.case_().supplement_size() == 2);
  CHECK(suspended.task().state() == approval::v1::TASK_SUSPENDED);
  const auto told = f.ToIntake("app-s").back();
  CHECK(told.status() == intake::v1::SUPPLEMENT_NEEDED);
  REQUIRE(told.supplement_size() == 2);
  CHECK(told.supplement(0).material_name() == "营业执照");
  CHECK(told.supplement(1).reason() == "缺少签名");
  CHECK_FALSE(told.has_due_time());

  // While suspended it leaves the queue and takes no decision.
  CHECK(f.Queue(kA).empty());
  approval::v1::ListQueueRequest with_suspended;
  with_suspended.set_include_suspended(true);
  CHECK(f.Queue(kA, with_suspended).size() == 1);
  approval::v1::ApproveTaskRequest approve;
  approve.set_task_id(task.task_id());
  CHECK(f.desk->Approve(Staff(kA, "li"), approve).status().code() ==
        absl::StatusCode::kFailedPrecondition);
  // The old due date passes without a red mark.
  f.clock.Set(Cst(2026, 2, 27));
  CHECK(Ok(f.sweep->RunOnce()).cases_red == 0);

  // Materials arrive Wednesday Feb 25 at noon (intake's hand-off). Paused:
  // half of Feb 13, Saturday Feb 14, Feb 24, half of Feb 25: three working
  // days. Left: 3.5 days = rest of Feb 25, Feb 26, 27 and Saturday Feb 28.
  f.clock.Set(Cst(2026, 2, 25, 12));
  approval::v1::ResumeCaseRequest resume;
  resume.set_event_id("supplied-1");
  resume.set_application_id("app-s");
  resume.add_supplied_materials("营业执照");
  resume.add_supplied_materials("申请书");
  const auto resumed = Ok(f.cases->Resume(resume, Actor::Of(Intake())));
  CHECK(resumed.state() == approval::v1::OPEN);
  CHECK(store::FromProtoTime(resumed.due_time()) == Cst(2026, 3, 1));
  CHECK(resumed.supplement().empty());
  const auto reopened = f.TaskOf(kA, c.case_id());
  CHECK(reopened.task_id() == task.task_id());
  CHECK(store::FromProtoTime(reopened.due_time()) == Cst(2026, 3, 1));
  CHECK(f.ToIntake("app-s").back().status() == intake::v1::IN_REVIEW);
  CHECK(store::FromProtoTime(f.ToIntake("app-s").back().due_time()) == Cst(2026, 3, 1));

  // A redelivered resume changes nothing; a new one finds nothing to resume.
  const size_t events = f.ToIntake("app-s").size();
  f.clock.Advance(absl::Hours(1));
  CHECK(store::FromProtoTime(Ok(f.cases->Resume(resume, Actor::Of(Intake()))).due_time()) ==
        store::FromProtoTime(resumed.due_time()));
  CHECK(f.ToIntake("app-s").size() == events);
  resume.set_event_id("supplied-2");
  CHECK(f.cases->Resume(resume, Actor::Of(Intake())).status().code() ==
        absl::StatusCode::kFailedPrecondition);

  // Approved on Saturday Feb 28, within the limit: on time, 5 days used.
  // The reviewer's client reuses the supplement request's id: a new
  // action, applied, not taken for a retry of the supplement.
  f.clock.Set(Cst(2026, 2, 28, 18));
  approval::v1::ApproveTaskRequest approve_after;
  approve_after.set_task_id(reopened.task_id());
  approve_after.set_request_id("desk-1");
  const auto done = Ok(f.desk->Approve(Staff(kA, "li"), approve_after));
  CHECK(done.task().state() == approval::v1::TASK_DONE);
  CHECK(done.case_().state() == approval::v1::APPROVED);
  CHECK(done.case_().used_working_days() == Approx(1.5 + 0.5 + 2 + 0.75));
  auto report = Ok(f.reports->Supervision(Operator(), {}));
  REQUIRE(report.departments_size() == 1);
  CHECK(report.departments(0).timeliness().closed_on_time() == 1);
}

TEST_CASE("the sweep marks yellow at 80 percent and red once overdue, once each") {
  Fixture f;
  // Monday Mar 2 2026 10:00, 5 days: 80 % at the end of Friday Mar 6, due
  // at the end of Monday Mar 9.
  const auto c = f.Open("app-m", "single");
  const auto task = f.TaskOf(kA, c.case_id());
  f.clock.Set(Cst(2026, 3, 6, 23, 59));
  auto none = Ok(f.sweep->RunOnce());
  CHECK(none.tasks_yellow + none.cases_yellow + none.tasks_red + none.cases_red == 0);

  f.clock.Set(Cst(2026, 3, 7));
  auto yellow = Ok(f.sweep->RunOnce());
  CHECK(yellow.tasks_yellow == 1);
  CHECK(yellow.cases_yellow == 1);
  CHECK(f.TaskOf(kA, c.case_id()).mark() == approval::v1::YELLOW);
  CHECK(f.Detail(c.case_id()).case_().mark() == approval::v1::YELLOW);
  approval::v1::ListQueueRequest due_soon;
  due_soon.set_due_soon(true);
  CHECK(f.Queue(kA, due_soon).size() == 1);
  approval::v1::ListQueueRequest overdue;
  overdue.set_overdue(true);
  CHECK(f.Queue(kA, overdue).empty());
  auto again = Ok(f.sweep->RunOnce());
  CHECK(again.tasks_yellow + again.cases_yellow == 0);

  f.clock.Set(Cst(2026, 3, 10) + absl::Seconds(1));
  auto red = Ok(f.sweep->RunOnce());
  CHECK(red.tasks_red == 1);
  CHECK(red.cases_red == 1);
  CHECK(f.TaskOf(kA, c.case_id()).mark() == approval::v1::RED);
  CHECK(f.Queue(kA, overdue).size() == 1);
  CHECK(Ok(f.sweep->RunOnce()).tasks_red == 0);

  const auto escalations = f.Escalations();
  REQUIRE(escalations.size() == 4);
  std::multiset<std::string> types;
  for (const auto& e : escalations) {
    types.insert(e.type());
    CHECK(e.recipient_id() == absl::StrCat("dept:", kA));
    CHECK(e.params().at("case_id") == c.case_id());
    // What notification's case.due_soon and case.overdue templates print.
    CHECK(e.params().at("number") == c.application_number());
    CHECK(absl::StartsWith(e.params().at("due_date"), "2026-03-"));
    CHECK(e.params().at("item_name") == c.item_name());
  }
  CHECK(types.count("case.due_soon") == 2);
  CHECK(types.count("case.overdue") == 2);
  const auto actions = f.Actions(c.case_id());
  CHECK(std::count(actions.begin(), actions.end(), "task.overdue") == 1);
  CHECK(std::count(actions.begin(), actions.end(), "case.due_soon") == 1);

  // Gauges per department.
  bool saw_overdue_gauge = false;
  for (const auto& family : f.registry.Collect()) {
    if (family.name != "onewindow_approval_overdue_tasks") continue;
    for (const auto& metric : family.metric) {
      if (metric.label.size() == 1 && metric.label[0].value == kA) {
        saw_overdue_gauge = metric.gauge.value == 1;
      }
    }
  }
  CHECK(saw_overdue_gauge);

  // Closed late.
  f.Approve(kA, task.task_id());
  auto report = Ok(f.reports->Supervision(Operator(), {}));
  REQUIRE(report.departments_size() == 1);
  CHECK(report.departments(0).timeliness().closed_late() == 1);
  CHECK(report.departments(0).timeliness().on_time_ratio() == 0.0);
}

TEST_CASE("a transfer moves the task to another department's queue with its due time") {
  Fixture f;
  const auto c = f.Open("app-t", "sequential");
  const auto task = f.TaskOf(kA, c.case_id());
  approval::v1::TransferTaskRequest move;
  move.set_task_id(task.task_id());
  move.set_to_department_id(kD);
  move.set_reason("属于市场监管部门职责");
  const auto moved = Ok(f.desk->Transfer(Staff(kA, "li"), move));
  CHECK(moved.task().department_id() == kD);
  CHECK(store::FromProtoTime(moved.task().due_time()) == store::FromProtoTime(task.due_time()));
  CHECK(f.Queue(kA).empty());
  REQUIRE(f.Queue(kD).size() == 1);
  // The old department can no longer act on it; the new one can.
  approval::v1::ApproveTaskRequest approve;
  approve.set_task_id(task.task_id());
  CHECK(f.desk->Approve(Staff(kA, "li"), approve).status().code() == absl::StatusCode::kNotFound);
  CHECK(f.Approve(kD, task.task_id()).case_().stage_name() == "review");
  const auto transitions = f.ToIntake("app-t");
  bool told = false;
  for (const auto& t : transitions) {
    told |= absl::StrContains(t.reason(), "transferred to") &&
            absl::StrContains(t.reason(), "市场监管");
  }
  CHECK(told);
  const auto actions = f.Actions(c.case_id());
  CHECK(std::count(actions.begin(), actions.end(), "task.transferred") == 1);

  SECTION("a transfer needs a valid department and a reason") {
    approval::v1::TransferTaskRequest bad;
    bad.set_task_id(f.TaskOf(kA, c.case_id()).task_id());
    bad.set_to_department_id("123");
    auto s = f.desk->Transfer(Staff(kA, "li"), bad).status();
    CHECK(s.code() == absl::StatusCode::kInvalidArgument);
    CHECK(absl::StrContains(s.message(), "to_department_id"));
    CHECK(absl::StrContains(s.message(), "reason"));
  }
}

TEST_CASE("opening is idempotent on the application and reads the catalog once per revision") {
  Fixture f;
  const auto first = f.Open("app-o", "sequential");
  const auto again = f.Open("app-o", "sequential");
  CHECK(again.case_id() == first.case_id());
  CHECK(f.Statuses("app-o").size() == 1);
  CHECK(f.Queue(kA).size() == 1);
  f.Open("app-o2", "sequential");
  CHECK(f.source->reads == 1);

  SECTION("a catalog outage is retryable and leaves nothing behind") {
    f.source->available = false;
    auto s = f.cases->Open(f.OpenRequest("app-x", "any_of"), Actor::Of(Intake()));
    CHECK(s.status().code() == absl::StatusCode::kUnavailable);
    f.source->available = true;
    CHECK(f.Open("app-x", "any_of").state() == approval::v1::OPEN);
  }
  SECTION("an unknown revision is NOT_FOUND; missing fields are named together") {
    auto r = f.OpenRequest("app-y", "sequential");
    r.set_catalog_revision(9);
    CHECK(f.cases->Open(r, Actor::Of(Intake())).status().code() == absl::StatusCode::kNotFound);
    approval::v1::OpenCaseRequest empty;
    auto s = f.cases->Open(empty, Actor::Of(Intake())).status();
    CHECK(s.code() == absl::StatusCode::kInvalidArgument);
    CHECK(absl::StrContains(s.message(), "event_id"));
    CHECK(absl::StrContains(s.message(), "application_id"));
    CHECK(absl::StrContains(s.message(), "catalog_revision"));
  }
}

TEST_CASE("hand-offs opened together each get their own answer, a bad one failing alone") {
  Fixture f;
  std::vector<approval::v1::OpenCaseRequest> batch = {
      f.OpenRequest("app-b1", "sequential"), f.OpenRequest("app-b2", "instant"),
      f.OpenRequest("app-b3", "sequential"), f.OpenRequest("app-b1", "sequential")};
  batch[2].set_catalog_revision(9);  // Not in the catalog.
  api::v1::HandoffResults results;
  outbox::ApplyEach(
      batch.size(),
      [&](size_t i, outbox::Done done) {
        f.cases->OpenAsync(batch[i], Actor::Of(Intake()),
                           [done](absl::StatusOr<approval::v1::Case> c) { done(c.status()); });
      },
      log::Logger::Stderr("test"), &results);
  REQUIRE(results.results_size() == 4);
  CHECK(results.results(0).code() == 0);
  CHECK(results.results(1).code() == 0);
  CHECK(results.results(2).code() == static_cast<int>(absl::StatusCode::kNotFound));
  // The same application twice in one batch still opens one case.
  CHECK(results.results(3).code() == 0);
  CHECK(f.Queue(kA).size() == 2);
  CHECK(f.Statuses("app-b1").size() == 1);
  CHECK(f.Statuses("app-b3").empty());
}

TEST_CASE("the clock starts when the application arrived, not when the hand-off did") {
  Fixture f;
  // Submitted Friday Feb 27 2026; the hand-off arrives Monday Mar 2.
  const auto c = f.Open("app-late", "single", Cst(2026, 2, 27, 16));
  // Feb 28 (make-up Saturday), Mar 2-5.
  CHECK(store::FromProtoTime(c.due_time()) == Cst(2026, 3, 6));
}

TEST_CASE("a withdrawal cancels the live tasks, and is refused once decided") {
  Fixture f;
  const auto c = f.Open("app-w", "sequential");
  approval::v1::WithdrawCaseRequest w;
  w.set_application_id("app-w");
  w.set_reason("不再需要");
  const auto withdrawn = Ok(f.cases->Withdraw(w, Actor::Of(Intake())));
  CHECK(withdrawn.state() == approval::v1::WITHDRAWN);
  CHECK(f.Queue(kA).empty());
  CHECK(Ok(f.cases->Withdraw(w, Actor::Of(Intake()))).state() == approval::v1::WITHDRAWN);

  const auto d = f.Open("app-d", "instant");
  f.Approve(kA, f.TaskOf(kA, d.case_id()).task_id());
  w.set_application_id("app-d");
  CHECK(f.cases->Withdraw(w, Actor::Of(Intake())).status().code() ==
        absl::StatusCode::kFailedPrecondition);

  // Intake's hand-offs echo what the desk took: no more than it takes.
  w.set_reason(std::string(4001, 'r'));
  CHECK(absl::StrContains(f.cases->Withdraw(w, Actor::Of(Intake())).status().message(),
                          "reason: longer than 4000 bytes"));
  approval::v1::ResumeCaseRequest resume;
  resume.set_event_id("r-big");
  resume.set_application_id("app-w");
  for (int i = 0; i < 101; ++i) resume.add_supplied_materials("营业执照");
  resume.set_supplied_materials(0, std::string(4001, 'm'));
  const auto refused = f.cases->Resume(resume, Actor::Of(Intake()));
  CHECK(absl::StrContains(refused.status().message(), "supplied_materials: more than 100"));
  CHECK(absl::StrContains(refused.status().message(),
                          "supplied_materials[0]: longer than 4000 bytes"));
}

TEST_CASE("a withdrawal that arrives before its case leaves a tombstone, the case never opens") {
  Fixture f;
  approval::v1::WithdrawCaseRequest w;
  w.set_application_id("app-early");
  w.set_reason("changed my mind");
  const auto tomb = Ok(f.cases->Withdraw(w, Actor::Of(Intake())));
  CHECK(tomb.state() == approval::v1::WITHDRAWN);
  CHECK(tomb.case_id().empty());
  const auto late = f.Open("app-early", "sequential");
  CHECK(late.state() == approval::v1::WITHDRAWN);
  CHECK(late.case_id().empty());
  CHECK(f.Queue(kA).empty());
  CHECK(f.ToIntake("app-early").empty());
}

TEST_CASE("the audit trail cannot be changed, even by a direct write") {
  Fixture f;
  f.Open("app-a", "sequential");
  absl::Status s = f.db->Write([](store::Connection& db) {
    db.exec("UPDATE audit SET detail = 'forged'");
    return absl::OkStatus();
  });
  CHECK_FALSE(s.ok());
  s = f.db->Write([](store::Connection& db) {
    db.exec("DELETE FROM audit");
    return absl::OkStatus();
  });
  CHECK_FALSE(s.ok());
}

TEST_CASE("a hand-off is refused naming each field that intake could never have sent") {
  Fixture f;
  auto r = f.OpenRequest("app-bad", "sequential");
  r.set_application_number(std::string(129, 'n'));
  r.set_department_id("not-a-credit-code");
  r.set_applicant_kind(static_cast<catalog::v1::ApplicantKind>(99));
  r.set_channel("fax");
  *r.mutable_submit_time() = store::ToProtoTime(f.clock.Now() - absl::Hours(24 * 400));
  const auto refused = f.cases->Open(r, Actor::Of(Intake()));
  REQUIRE(refused.status().code() == absl::StatusCode::kInvalidArgument);
  for (const char* field :
       {"application_number: longer than 128 bytes",
        "department_id: ", "applicant_kind: unknown value 99",
        "channel: one of online, window, hotline", "submit_time: not a time within 366 days"}) {
    INFO(field);
    CHECK(absl::StrContains(refused.status().message(), field));
  }
  // Out of the Timestamp range altogether: refused, not counted from.
  auto ancient = f.OpenRequest("app-ancient", "sequential");
  ancient.mutable_submit_time()->set_seconds(-9'000'000'000'000'000);
  CHECK(f.cases->Open(ancient, Actor::Of(Intake())).status().code() ==
        absl::StatusCode::kInvalidArgument);
  // A redelivered hand-off of a case already open is answered, not
  // checked again: it may predate a check.
  const auto opened = f.Open("app-open", "sequential");
  auto redelivered = f.OpenRequest("app-open", "sequential");
  redelivered.set_channel("fax");
  CHECK(Ok(f.cases->Open(redelivered, Actor::Of(Intake()))).case_id() == opened.case_id());
  // A day-old hand-off still opens, its clock from the submission.
  auto late = f.OpenRequest("app-late", "sequential", f.clock.Now() - absl::Hours(24));
  REQUIRE(f.cases->Open(late, Actor::Of(Intake())).ok());
}

}  // namespace
}  // namespace onewindow::approval::test
