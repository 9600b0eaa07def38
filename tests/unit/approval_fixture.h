#pragma once

// Approval's domain classes over a real SQLite store in a temp directory, the
// shipped holiday calendars, a fake clock and a catalog held in memory.

#include <SQLiteCpp/Statement.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "libs/codes/credit_code.h"
#include "libs/log/logger.h"
#include "libs/store/database.h"
#include "libs/store/times.h"
#include "libs/testing/process.h"
#include "libs/workday/calendar.h"
#include "libs/workday/clock.h"
#include "libs/workday/deadline.h"
#include "onewindow/intake/v1/intake.pb.h"
#include "onewindow/notification/v1/notification.pb.h"
#include "services/approval/cases.h"
#include "services/approval/desk.h"
#include "services/approval/reports.h"
#include "services/approval/schema.h"
#include "services/approval/sweep.h"
#include "services/approval/views.h"

#ifndef OW_SOURCE_DIR
#error "OW_SOURCE_DIR must name the repository root (set by tests/unit/CMakeLists.txt)"
#endif

namespace onewindow::approval::test {

// A valid government-body credit code, distinct per `n`.
inline std::string Dept(int n) {
  const std::string first17 = absl::StrFormat("11440000%09d", n);
  return first17 + codes::CreditCodeCheckChar(first17);
}

inline const std::string kA = Dept(1);  // the implementing body
inline const std::string kB = Dept(2);  // countersigners
inline const std::string kC = Dept(3);
inline const std::string kD = Dept(4);  // transfers go here
inline constexpr char kTianhe[] = "440106000000";
inline constexpr char kYuexiu[] = "440104000000";

// An instant given as CST wall time.
inline absl::Time Cst(int year, int month, int day, int hour = 0, int minute = 0) {
  return absl::FromCivil(absl::CivilSecond(year, month, day, hour, minute, 0),
                         workday::ChinaStandardTime());
}

inline catalog::v1::Stage MakeStage(const std::string& id, const std::string& name,
                                    const std::string& department, int days,
                                    catalog::v1::CountersignMode mode = {},
                                    std::vector<std::string> signers = {}) {
  catalog::v1::Stage s;
  s.set_stage_id(id);
  s.set_name(name);
  s.set_department_credit_code(department);
  s.set_time_limit_days(days);
  s.set_countersign(mode);
  for (auto& d : signers) s.add_countersign_departments(d);
  return s;
}

inline catalog::v1::Implementation MakeItem(
    const std::string& basic, const std::string& name, std::vector<catalog::v1::Stage> stages,
    int promised, catalog::v1::HandlingType handling = catalog::v1::PROMISED,
    const std::string& department = kA, const std::string& region = kTianhe) {
  catalog::v1::Implementation i;
  i.set_implementation_code(absl::StrCat(basic, "-", department));
  i.set_basic_code(basic);
  i.set_name(name);
  i.set_department_credit_code(department);
  i.set_region_code(region);
  i.set_revision(1);
  i.set_type(catalog::v1::LICENSING);
  catalog::v1::Guide* g = i.mutable_guide();
  g->set_acceptance_conditions("dropped by Trim");
  for (auto& s : stages) *g->add_stages() = s;
  g->set_statutory_limit_days(20);
  g->set_promised_limit_days(promised);
  g->set_handling(handling);
  g->set_result_name(absl::StrCat(name, "决定书"));
  g->set_result_type("licence");
  g->set_result_licence_type("食品经营许可证");
  catalog::v1::Material* m = g->add_materials();
  m->set_material_id("M01");
  m->set_name("申请书");
  m->set_required(true);
  m = g->add_materials();
  m->set_material_id("M02");
  m->set_name("营业执照");
  m->set_required(true);
  return i;
}

// Items the tests use, by short name.
inline std::map<std::string, catalog::v1::Implementation> Items() {
  using catalog::v1::ALL_OF;
  using catalog::v1::ANY_OF;
  std::map<std::string, catalog::v1::Implementation> items;
  items["sequential"] =
      MakeItem("XK00001001", "食品经营许可",
               {MakeStage("S1", "accept", kA, 1), MakeStage("S2", "review", kA, 3),
                MakeStage("S3", "decide", kA, 1)},
               5);
  items["all_of"] = MakeItem(
      "XK00002001", "建设工程规划许可",
      {MakeStage("S1", "accept", kA, 1), MakeStage("S2", "countersign", kA, 2, ALL_OF, {kB, kC}),
       MakeStage("S3", "decide", kA, 1)},
      5);
  items["any_of"] = MakeItem(
      "XK00003001", "户外广告设置许可",
      {MakeStage("S1", "accept", kA, 1), MakeStage("S2", "countersign", kA, 2, ANY_OF, {kB, kC}),
       MakeStage("S3", "decide", kA, 1)},
      5);
  items["instant"] = MakeItem("GG00004001", "证明开具",
                              {MakeStage("S1", "accept", kA, 0), MakeStage("S2", "decide", kA, 0)},
                              0, catalog::v1::INSTANT);
  items["single"] = MakeItem("QR00005001", "登记确认", {MakeStage("S1", "review", kA, 5)}, 5);
  // Published before the catalog required a promise of PROMISED items.
  items["unpromised"] = MakeItem("QR00007001", "旧版登记", {MakeStage("S1", "review", kA, 5)}, 0);
  items["yuexiu"] = MakeItem("XK00006001", "越秀许可", {MakeStage("S1", "review", kB, 2)}, 2,
                             catalog::v1::PROMISED, kB, kYuexiu);
  return items;
}

// The catalog as a map; counts reads so caching can be checked.
class FakeSource final : public ImplementationSource {
 public:
  explicit FakeSource(std::map<std::string, catalog::v1::Implementation> items) {
    for (auto& [name, item] : items) items_[item.implementation_code()] = item;
  }
  absl::StatusOr<catalog::v1::Implementation> Get(const std::string& code,
                                                  int64_t revision) override {
    ++reads;
    if (!available) return absl::UnavailableError("catalog down");
    auto it = items_.find(code);
    if (it == items_.end() || it->second.revision() != revision) {
      return absl::NotFoundError(absl::StrCat(code, " r", revision));
    }
    return it->second;
  }
  std::atomic<int> reads{0};
  std::atomic<bool> available{true};

 private:
  std::map<std::string, catalog::v1::Implementation> items_;
};

inline auth::v1::Principal Staff(const std::string& department, const std::string& subject,
                                 std::vector<std::string> roles = {"reviewer"}) {
  auth::v1::Principal p;
  p.set_kind(auth::v1::STAFF);
  p.set_subject(subject);
  p.set_display_name(subject);
  p.set_department_id(department);
  for (auto& r : roles) p.add_roles(r);
  return p;
}

inline auth::v1::Principal Intake() {
  auth::v1::Principal p;
  p.set_kind(auth::v1::SERVICE);
  p.set_subject("intake");
  return p;
}

inline auth::v1::Principal Operator() {
  auth::v1::Principal p;
  p.set_kind(auth::v1::OPERATOR);
  p.set_subject("op-1");
  return p;
}

template <typename T>
T Ok(absl::StatusOr<T> value) {
  INFO(value.status().ToString());
  REQUIRE(value.ok());
  return *std::move(value);
}

struct Fixture {
  Fixture() : clock(Cst(2026, 3, 2, 10)) {
    auto loaded = workday::Calendar::LoadDirectory(std::string(OW_SOURCE_DIR) + "/deploy/calendar");
    REQUIRE(loaded.ok());
    calendar = *std::move(loaded);
    auto opened =
        store::Database::Open({absl::StrCat(dir.path(), "/approval.db")}, ApprovalMigrations());
    INFO(opened.status().ToString());
    REQUIRE(opened.ok());
    db = *std::move(opened);
    items = Items();
    source = std::make_unique<FakeSource>(items);
    processes = std::make_unique<Processes>(db.get(), source.get());
    deadlines = std::make_unique<Deadlines>(&calendar);
    flow = std::make_unique<Flow>(deadlines.get());
    Deps deps{db.get(), &clock, deadlines.get(), flow.get(), processes.get(), [this] { ++wakes; }};
    cases = std::make_unique<Cases>(deps);
    desk = std::make_unique<Desk>(deps);
    views = std::make_unique<Views>(deps);
    reports = std::make_unique<Reports>(deps);
    sweep =
        std::make_unique<Sweep>(deps, log::Logger::Stderr("test", log::Level::kWarn), &registry);
  }

  // Cached statements go before the store they were prepared on.

  // Opens a case for `item` as intake's hand-off would.
  approval::v1::Case Open(const std::string& application_id, const std::string& item,
                          absl::Time submit = absl::InfinitePast()) {
    return Ok(cases->Open(OpenRequest(application_id, item, submit), Actor::Of(Intake())));
  }

  approval::v1::OpenCaseRequest OpenRequest(const std::string& application_id,
                                            const std::string& item,
                                            absl::Time submit = absl::InfinitePast()) {
    const catalog::v1::Implementation& i = items.at(item);
    approval::v1::OpenCaseRequest r;
    r.set_event_id(absl::StrCat("open:", application_id));
    r.set_application_id(application_id);
    r.set_implementation_code(i.implementation_code());
    r.set_catalog_revision(i.revision());
    r.set_department_id(i.department_credit_code());
    r.set_application_number(absl::StrCat("SQ-", application_id));
    r.set_applicant_id(absl::StrCat("acct-", application_id));
    r.set_applicant_kind(catalog::v1::NATURAL_PERSON);
    r.set_channel("online");
    if (submit != absl::InfinitePast()) *r.mutable_submit_time() = store::ToProtoTime(submit);
    return r;
  }

  std::vector<approval::v1::Task> Queue(const std::string& department,
                                        approval::v1::ListQueueRequest request = {}) {
    auto response = Ok(views->Queue(Staff(department, "lister"), request));
    return {response.tasks().begin(), response.tasks().end()};
  }

  // The one open task of `department` for `case_id`.
  approval::v1::Task TaskOf(const std::string& department, const std::string& case_id) {
    for (const auto& t : Queue(department)) {
      if (t.case_id() == case_id) return t;
    }
    FAIL("no open task for case " << case_id << " in " << department);
    return {};
  }

  approval::v1::DecisionResponse Approve(const std::string& department, const std::string& task_id,
                                         const std::string& who = "li") {
    approval::v1::ApproveTaskRequest r;
    r.set_task_id(task_id);
    return Ok(desk->Approve(Staff(department, who), r));
  }

  approval::v1::DecisionResponse Reject(const std::string& department, const std::string& task_id,
                                        const std::string& reason) {
    approval::v1::RejectTaskRequest r;
    r.set_task_id(task_id);
    r.set_reason(reason);
    return Ok(desk->Reject(Staff(department, "li"), r));
  }

  approval::v1::CaseDetail Detail(const std::string& case_id) {
    return Ok(views->Detail(Operator(), case_id));
  }

  // Transitions sent to intake for `application_id`, in order.
  std::vector<intake::v1::RecordTransitionRequest> ToIntake(const std::string& application_id) {
    std::vector<intake::v1::RecordTransitionRequest> out;
    REQUIRE(db->Read([&](store::Connection& d) {
                SQLite::Statement q(d,
                                    "SELECT payload FROM outbox WHERE topic = ? AND"
                                    " ordering_key = ? ORDER BY sequence");
                q.bind(1, kTopicIntake);
                q.bind(2, application_id);
                while (q.executeStep()) {
                  intake::v1::RecordTransitionRequest r;
                  const SQLite::Column blob = q.getColumn(0);
                  REQUIRE(r.ParseFromArray(blob.getBlob(), blob.getBytes()));
                  out.push_back(r);
                }
                return absl::OkStatus();
              }).ok());
    return out;
  }

  std::vector<intake::v1::ApplicationStatus> Statuses(const std::string& application_id) {
    std::vector<intake::v1::ApplicationStatus> out;
    for (const auto& t : ToIntake(application_id)) out.push_back(t.status());
    return out;
  }

  // Escalations sent to departments, in order.
  std::vector<notification::v1::Event> Escalations() {
    std::vector<notification::v1::Event> out;
    REQUIRE(db->Read([&](store::Connection& d) {
                SQLite::Statement q(d,
                                    "SELECT payload FROM outbox WHERE topic = ? ORDER BY sequence");
                q.bind(1, kTopicNotify);
                while (q.executeStep()) {
                  notification::v1::NotifyRequest r;
                  const SQLite::Column blob = q.getColumn(0);
                  REQUIRE(r.ParseFromArray(blob.getBlob(), blob.getBytes()));
                  out.push_back(r.event());
                }
                return absl::OkStatus();
              }).ok());
    return out;
  }

  std::vector<std::string> Actions(const std::string& case_id) {
    approval::v1::ListAuditRequest request;
    request.set_case_id(case_id);
    request.set_page_size(500);
    const approval::v1::ListAuditResponse audit = Ok(views->Audit(Operator(), request));
    std::vector<std::string> out;
    for (const auto& e : audit.entries()) out.push_back(e.action());
    return out;
  }

  testing::TempDir dir;
  workday::Calendar calendar;
  workday::FakeClock clock;
  std::unique_ptr<store::Database> db;
  std::map<std::string, catalog::v1::Implementation> items;
  std::unique_ptr<FakeSource> source;
  std::unique_ptr<Processes> processes;
  std::unique_ptr<Deadlines> deadlines;
  std::unique_ptr<Flow> flow;
  std::unique_ptr<Cases> cases;
  std::unique_ptr<Desk> desk;
  std::unique_ptr<Views> views;
  std::unique_ptr<Reports> reports;
  prometheus::Registry registry;
  std::unique_ptr<Sweep> sweep;
  std::atomic<int> wakes{0};
};

}  // namespace onewindow::approval::test
