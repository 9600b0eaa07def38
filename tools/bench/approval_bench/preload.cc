#include "tools/bench/approval_bench/preload.h"

#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "libs/codes/credit_code.h"
#include "libs/status/macros.h"
#include "libs/store/database.h"
#include "libs/store/times.h"
#include "libs/workday/calendar.h"
#include "services/approval/case_store.h"
#include "services/approval/deadlines.h"
#include "services/approval/journal.h"
#include "services/approval/processes.h"
#include "services/approval/schema.h"

namespace onewindow::bench {
namespace {

using approval::CaseRecord;
using approval::TaskRecord;

constexpr int kClosedDepartments = 1000;
constexpr int kDecisionDepartments = 10;
constexpr int kBatch = 5000;
constexpr int kStageDays[] = {1, 3, 1};
constexpr const char* kStageNames[] = {"accept", "review", "decide"};

std::string Dept(int n) {
  const std::string first17 = absl::StrFormat("11440000%09d", n);
  return first17 + codes::CreditCodeCheckChar(first17);
}

catalog::v1::Implementation Item(int n, const std::string& department) {
  catalog::v1::Implementation i;
  i.set_basic_code(absl::StrFormat("XK%05d001", n % 100000));
  i.set_implementation_code(absl::StrCat(i.basic_code(), "-", department));
  i.set_name(absl::StrFormat("许可事项%05d", n));
  i.set_department_credit_code(department);
  i.set_region_code(absl::StrFormat("4401%02d000000", 3 + n % 15));
  i.set_revision(1);
  catalog::v1::Guide* g = i.mutable_guide();
  for (int s = 0; s < 3; ++s) {
    catalog::v1::Stage* stage = g->add_stages();
    stage->set_stage_id(absl::StrCat("S", s + 1));
    stage->set_name(kStageNames[s]);
    stage->set_department_credit_code(department);
    stage->set_time_limit_days(kStageDays[s]);
  }
  g->set_statutory_limit_days(20);
  g->set_promised_limit_days(5);
  g->set_handling(catalog::v1::PROMISED);
  g->set_result_name("许可证");
  g->set_result_type("licence");
  g->set_result_licence_type(absl::StrCat(i.name(), "证"));
  catalog::v1::Material* m = g->add_materials();
  m->set_material_id("M01");
  m->set_name("申请书");
  m->set_required(true);
  return i;
}

class Loader {
 public:
  Loader(store::Database* db, const approval::Deadlines* deadlines, absl::Time now)
      : db_(db), deadlines_(deadlines), now_(now), rng_(42) {}

  // One case of `item` at `stage` (3 = closed), its tasks and audit lines.
  absl::Status Add(store::Connection& tx, const catalog::v1::Implementation& item, int stage,
                   absl::Time start, DecisionTask* open_task) {
    CaseRecord r;
    approval::v1::Case& c = r.c;
    const int64_t n = ++cases_;
    c.set_case_id(absl::StrFormat("case_%012x", n));
    c.set_application_id(absl::StrFormat("app-%012d", n));
    c.set_implementation_code(item.implementation_code());
    c.set_catalog_revision(item.revision());
    c.set_department_id(item.department_credit_code());
    c.set_application_number(absl::StrFormat("SQ%012d", n));
    c.set_applicant_id(absl::StrFormat("acct-%08d", n % 400000));
    c.set_applicant_kind(catalog::v1::NATURAL_PERSON);
    c.set_channel("online");
    c.set_item_name(item.name());
    c.set_region_code(item.region_code());
    c.set_handling(catalog::v1::PROMISED);
    c.set_time_limit_days(5);
    *c.mutable_open_time() = store::ToProtoTime(start);
    *c.mutable_start_time() = store::ToProtoTime(start);
    r.open_event_id = absl::StrCat("open:", c.application_id());
    RETURN_IF_ERROR(deadlines_->RefreshCase(r, {}));
    ASSIGN_OR_RETURN(const workday::TimeLimit limit, deadlines_->Fresh(start, 5));
    const approval::Actor intake{"intake", "", ""};
    const approval::Actor clerk{"token:bench", "bench", item.department_credit_code()};
    Audit(tx, r, intake, "case.opened", "", "", start);

    absl::Time at = start;
    for (int s = 0; s <= std::min(stage, 2); ++s) {
      TaskRecord t;
      approval::v1::Task& task = t.t;
      t.seq = ++r.task_seq;
      task.set_task_id(approval::TaskId(c.case_id(), t.seq));
      task.set_case_id(c.case_id());
      task.set_application_id(c.application_id());
      task.set_application_number(c.application_number());
      task.set_implementation_code(c.implementation_code());
      task.set_item_name(c.item_name());
      task.set_stage_index(s);
      task.set_stage_id(absl::StrCat("S", s + 1));
      task.set_stage_name(kStageNames[s]);
      task.set_department_id(c.department_id());
      task.set_time_limit_days(kStageDays[s]);
      *task.mutable_create_time() = store::ToProtoTime(at);
      RETURN_IF_ERROR(deadlines_->RefreshTask(t, {}));
      const bool open = s == stage;
      if (open) {
        task.set_state(approval::v1::TASK_OPEN);
        const absl::Time due = store::FromProtoTime(task.due_time());
        task.set_mark(now_ > due              ? approval::v1::RED
                      : now_ >= t.yellow_time ? approval::v1::YELLOW
                                              : approval::v1::GREEN);
        c.set_stage_index(s);
        c.set_stage_name(kStageNames[s]);
        if (open_task != nullptr) *open_task = {task.task_id(), task.department_id()};
      } else {
        at += absl::Hours(4 + static_cast<int>(rng_() % 40));
        task.set_state(approval::v1::TASK_DONE);
        task.set_outcome(approval::v1::TASK_APPROVED);
        task.set_mark(approval::v1::GREEN);
        task.set_decided_by(clerk.subject);
        *task.mutable_decide_time() = store::ToProtoTime(at);
        t.yellow_time = absl::InfiniteFuture();
      }
      approval::case_store::InsertTask(tx, t);
      if (!open) Audit(tx, r, clerk, "task.approved", task.task_id(), task.stage_name(), at);
    }
    if (stage == 3) {
      c.set_state(approval::v1::APPROVED);
      c.set_stage_index(2);
      c.set_stage_name(kStageNames[2]);
      *c.mutable_close_time() = store::ToProtoTime(at);
      c.set_used_working_days(limit.UsedWorkingDays(at));
      c.set_licence_number(absl::StrFormat("%s-2026-%08d", item.basic_code(), n));
      c.set_licence_id(absl::StrFormat("lic_%012x", n));
      r.yellow_time = absl::InfiniteFuture();
      Audit(tx, r, clerk, "case.approved", "", kStageNames[2], at);
    } else {
      c.set_state(approval::v1::OPEN);
      const absl::Time due = limit.Due();
      c.set_mark(now_ > due                 ? approval::v1::RED
                 : now_ >= limit.YellowAt() ? approval::v1::YELLOW
                                            : approval::v1::GREEN);
    }
    approval::case_store::InsertCase(tx, r);
    return absl::OkStatus();
  }

  std::mt19937_64& rng() { return rng_; }

 private:
  void Audit(store::Connection& tx, CaseRecord& r, const approval::Actor& actor,
             const std::string& action, const std::string& task_id, const std::string& stage,
             absl::Time at) {
    approval::Journal::Record(tx, r, actor, action, task_id, stage, "", at);
  }

  store::Database* db_;
  const approval::Deadlines* deadlines_;
  const absl::Time now_;
  std::mt19937_64 rng_;
  int64_t cases_ = 0;
};

}  // namespace

absl::StatusOr<Preloaded> Preload(const PreloadSpec& spec) {
  ASSIGN_OR_RETURN(const workday::Calendar calendar,
                   workday::Calendar::LoadDirectory(spec.calendar_dir));
  ASSIGN_OR_RETURN(std::unique_ptr<store::Database> db,
                   store::Database::Open({spec.path}, approval::ApprovalMigrations()));
  RETURN_IF_ERROR(db->Write([](store::Connection& tx) {
    tx.exec("PRAGMA cache_size = -262144");  // 256 MiB: the indexes stay in memory
    return absl::OkStatus();
  }));
  const approval::Deadlines deadlines(&calendar);
  const absl::Time now = absl::Now();
  Loader loader(db.get(), &deadlines, now);

  // The items: one per closed-case department, five for the big one, one
  // per decision department.
  std::vector<catalog::v1::Implementation> closed_items;
  std::vector<catalog::v1::Implementation> big_items;
  std::vector<catalog::v1::Implementation> decision_items;
  for (int i = 0; i < kClosedDepartments; ++i)
    closed_items.push_back(Item(1000 + i, Dept(1000 + i)));
  Preloaded out;
  out.big_department = Dept(1);
  for (int i = 0; i < 5; ++i) big_items.push_back(Item(10 + i, out.big_department));
  out.big_department_item = big_items[0].implementation_code();
  for (int i = 0; i < kDecisionDepartments; ++i)
    decision_items.push_back(Item(100 + i, Dept(100 + i)));
  RETURN_IF_ERROR(db->Write([&](store::Connection& tx) {
    for (const auto* list : {&closed_items, &big_items, &decision_items}) {
      for (const auto& item : *list) approval::Processes::Store(tx, item);
    }
    return absl::OkStatus();
  }));

  // Closed cases from the past year.
  for (int64_t done = 0; done < spec.closed_cases;) {
    const int64_t batch = std::min<int64_t>(kBatch, spec.closed_cases - done);
    RETURN_IF_ERROR(db->Write([&](store::Connection& tx) -> absl::Status {
      for (int64_t i = 0; i < batch; ++i) {
        const auto& item = closed_items[(done + i) % closed_items.size()];
        const absl::Time start = now - absl::Hours(240 + loader.rng()() % (24 * 355));
        RETURN_IF_ERROR(loader.Add(tx, item, 3, start, nullptr));
      }
      return absl::OkStatus();
    }));
    done += batch;
  }
  // The big department's queue: stages mixed, ages up to 8 days, so some
  // tasks are due soon and some overdue.
  RETURN_IF_ERROR(db->Write([&](store::Connection& tx) -> absl::Status {
    for (int i = 0; i < spec.department_tasks; ++i) {
      const absl::Time start = now - absl::Minutes(loader.rng()() % (8 * 24 * 60));
      RETURN_IF_ERROR(loader.Add(tx, big_items[i % big_items.size()], i % 3, start, nullptr));
    }
    return absl::OkStatus();
  }));
  // One open task per decision, a third at each stage, recent.
  for (int done = 0; done < spec.decision_tasks;) {
    const int batch = std::min(kBatch, spec.decision_tasks - done);
    RETURN_IF_ERROR(db->Write([&](store::Connection& tx) -> absl::Status {
      for (int i = done; i < done + batch; ++i) {
        DecisionTask task;
        const absl::Time start = now - absl::Minutes(loader.rng()() % (12 * 60));
        RETURN_IF_ERROR(
            loader.Add(tx, decision_items[i % decision_items.size()], i % 3, start, &task));
        out.decision_tasks.push_back(task);
        out.expected_transitions += i % 3 == 2 ? 2 : 1;
      }
      return absl::OkStatus();
    }));
    done += batch;
  }
  // Callers take tasks in this order; shuffled so departments interleave.
  std::shuffle(out.decision_tasks.begin(), out.decision_tasks.end(), loader.rng());
  db->Close();
  return out;
}

}  // namespace onewindow::bench
