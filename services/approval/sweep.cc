#include "services/approval/sweep.h"

#include <SQLiteCpp/Statement.h>

#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/status/macros.h"
#include "libs/store/times.h"
#include "libs/workday/deadline.h"

namespace onewindow::approval {
namespace {

// Short transactions: decisions wait for the writer meanwhile.
constexpr int kBatch = 200;

std::string FormatCst(const google::protobuf::Timestamp& ts) {
  return absl::FormatTime("%Y-%m-%d %H:%M CST", store::FromProtoTime(ts),
                          workday::ChinaStandardTime());
}

}  // namespace

Sweep::Sweep(Deps deps, log::Logger logger, prometheus::Registry* metrics)
    : deps_(std::move(deps)), logger_(std::move(logger)) {
  if (metrics == nullptr) return;
  auto gauge = [&](const char* name, const char* help) {
    return &prometheus::BuildGauge().Name(name).Help(help).Register(*metrics);
  };
  open_tasks_ = gauge("onewindow_approval_open_tasks",
                      "Live tasks (open or waiting for a supplement), by department.");
  due_soon_tasks_ = gauge("onewindow_approval_due_soon_tasks",
                          "Live tasks marked yellow (80 % of the limit used), by department.");
  overdue_tasks_ =
      gauge("onewindow_approval_overdue_tasks", "Live tasks marked red (overdue), by department.");
  open_cases_ = gauge("onewindow_approval_open_cases",
                      "Live cases (open or suspended), by owning department.");
  overdue_cases_ =
      gauge("onewindow_approval_overdue_cases", "Live cases marked red, by owning department.");
  due_soon_cases_ = gauge("onewindow_approval_due_soon_cases",
                          "Live cases marked yellow (80 % of the limit used), by department.");
  closed_ = &prometheus::BuildCounter()
                 .Name("onewindow_approval_cases_closed_total")
                 .Help("Cases decided, by department and timeliness (on_time, late).")
                 .Register(*metrics);
  marks_ = &prometheus::BuildCounter()
                .Name("onewindow_approval_marks_total")
                .Help("Timeliness marks the sweep set, by scope (task, case) and mark.")
                .Register(*metrics);
  duration_ = &prometheus::BuildHistogram()
                   .Name("onewindow_approval_sweep_duration_seconds")
                   .Help("One timeliness sweep, marks and gauges.")
                   .Register(*metrics)
                   .Add({}, prometheus::Histogram::BucketBoundaries{0.01, 0.05, 0.1, 0.25, 0.5, 1,
                                                                    2.5, 5, 10, 30});
}

absl::StatusOr<Sweep::Batch> Sweep::MarkBatch(Scope scope, absl::Time now) {
  Batch result;
  RETURN_IF_ERROR(deps_.db->Write([&](store::Connection& tx) -> absl::Status {
    std::vector<TaskRecord> tasks;
    std::vector<std::string> case_ids;
    if (scope == Scope::kTask) {
      tasks = case_store::TasksToWatch(tx, now, kBatch);
      for (const TaskRecord& t : tasks) case_ids.push_back(t.t.case_id());
    } else {
      for (const CaseRecord& c : case_store::CasesToWatch(tx, now, kBatch)) {
        case_ids.push_back(c.c.case_id());
      }
    }
    result.seen = static_cast<int>(case_ids.size());
    for (size_t i = 0; i < case_ids.size(); ++i) {
      // Read again: an earlier row of this batch may have changed the case.
      std::optional<CaseRecord> record = case_store::FindCase(tx, case_ids[i]);
      if (!record.has_value()) continue;
      TaskRecord* task = scope == Scope::kTask ? &tasks[i] : nullptr;
      const google::protobuf::Timestamp* due = nullptr;
      if (task != nullptr) {
        due = task->t.has_due_time() ? &task->t.due_time() : nullptr;
      } else {
        due = record->c.has_due_time() ? &record->c.due_time() : nullptr;
      }
      const bool red = due != nullptr && now > store::FromProtoTime(*due);
      const approval::v1::Mark mark = red ? approval::v1::RED : approval::v1::YELLOW;
      const approval::v1::Mark current = task != nullptr ? task->t.mark() : record->c.mark();
      // Yellow and due this very microsecond: red only once it has passed.
      if (mark <= current) continue;
      const std::string level = red ? "overdue" : "due_soon";
      const approval::v1::Case& c = record->c;
      std::map<std::string, std::string> params = {
          {"scope", task != nullptr ? "task" : "case"},
          {"case_id", c.case_id()},
          // Named as notification's case.* templates name them.
          {"number", c.application_number()},
          {"item_name", c.item_name()},
      };
      std::string department = c.department_id();
      std::string key = absl::StrCat(c.case_id(), "/", level);
      std::string task_id;
      std::string stage = c.stage_name();
      if (task != nullptr) {
        task->t.set_mark(mark);
        case_store::UpdateTask(tx, *task);
        department = task->t.department_id();
        key = absl::StrCat(task->t.task_id(), "/", level);
        task_id = task->t.task_id();
        stage = task->t.stage_name();
        params["task_id"] = task_id;
      } else {
        record->c.set_mark(mark);
      }
      params["stage"] = stage;
      const std::string due_text = due != nullptr ? FormatCst(*due) : "";
      params["due_date"] = due_text;
      Journal::Record(tx, *record, Actor::System(),
                      absl::StrCat(task != nullptr ? "task." : "case.", level), task_id, stage,
                      absl::StrCat(red ? "overdue since " : "due ", due_text), now);
      case_store::UpdateCase(tx, *record);
      RETURN_IF_ERROR(Journal::ToDepartment(tx, department, key,
                                            red ? "case.overdue" : "case.due_soon",
                                            std::move(params), red, now));
      (red ? result.red : result.yellow)++;
    }
    return absl::OkStatus();
  }));
  if (marks_ != nullptr) {
    const char* scope_name = scope == Scope::kTask ? "task" : "case";
    if (result.yellow > 0) {
      marks_->Add({{"scope", scope_name}, {"mark", "due_soon"}}).Increment(result.yellow);
    }
    if (result.red > 0)
      marks_->Add({{"scope", scope_name}, {"mark", "overdue"}}).Increment(result.red);
  }
  return result;
}

absl::StatusOr<Sweep::Result> Sweep::RunOnce() {
  const absl::Time started = absl::Now();
  const absl::Time now = deps_.clock->Now();
  Result result;
  for (Scope scope : {Scope::kTask, Scope::kCase}) {
    while (true) {
      ASSIGN_OR_RETURN(const Batch batch, MarkBatch(scope, now));
      int& yellow = scope == Scope::kTask ? result.tasks_yellow : result.cases_yellow;
      int& red = scope == Scope::kTask ? result.tasks_red : result.cases_red;
      yellow += batch.yellow;
      red += batch.red;
      if (batch.seen < kBatch || batch.yellow + batch.red == 0) break;
    }
  }
  if (result.tasks_red + result.tasks_yellow + result.cases_red + result.cases_yellow > 0) {
    deps_.Announce();
  }
  RETURN_IF_ERROR(RefreshGauges());
  if (duration_ != nullptr) duration_->Observe(absl::ToDoubleSeconds(absl::Now() - started));
  return result;
}

absl::Status Sweep::RefreshGauges() {
  if (open_tasks_ == nullptr) return absl::OkStatus();
  struct Counts {
    double open_tasks = 0, due_soon = 0, overdue_tasks = 0, open_cases = 0, overdue_cases = 0;
    double due_soon_cases = 0, on_time = 0, late = 0;
  };
  std::map<std::string, Counts> counts;
  RETURN_IF_ERROR(deps_.db->Read([&](store::Connection& db) {
    SQLite::Statement tasks(db,
                            "SELECT department_id, COUNT(*), SUM(mark = 2), SUM(mark = 3)"
                            " FROM tasks WHERE state <= 2 GROUP BY department_id");
    while (tasks.executeStep()) {
      Counts& c = counts[tasks.getColumn(0).getString()];
      c.open_tasks = tasks.getColumn(1).getDouble();
      c.due_soon = tasks.getColumn(2).getDouble();
      c.overdue_tasks = tasks.getColumn(3).getDouble();
    }
    SQLite::Statement cases(
        db,
        "SELECT department_id, COUNT(*), SUM(mark = 3), SUM(mark = 2) FROM cases"
        " WHERE state <= 2 GROUP BY department_id");
    while (cases.executeStep()) {
      Counts& c = counts[cases.getColumn(0).getString()];
      c.open_cases = cases.getColumn(1).getDouble();
      c.overdue_cases = cases.getColumn(2).getDouble();
      c.due_soon_cases = cases.getColumn(3).getDouble();
    }
    // Approved (3) or rejected (4), against the promised limit.
    SQLite::Statement closed(db,
                             "SELECT department_id, SUM(close_time <= due_time),"
                             " SUM(close_time > due_time) FROM cases WHERE state IN (3, 4)"
                             " GROUP BY department_id");
    while (closed.executeStep()) {
      Counts& c = counts[closed.getColumn(0).getString()];
      c.on_time = closed.getColumn(1).getDouble();
      c.late = closed.getColumn(2).getDouble();
    }
    return absl::OkStatus();
  }));
  for (const std::string& gone : gauged_) counts.try_emplace(gone);
  for (const auto& [department, c] : counts) {
    const std::map<std::string, std::string> labels = {{"department", department}};
    open_tasks_->Add(labels).Set(c.open_tasks);
    due_soon_tasks_->Add(labels).Set(c.due_soon);
    overdue_tasks_->Add(labels).Set(c.overdue_tasks);
    open_cases_->Add(labels).Set(c.open_cases);
    overdue_cases_->Add(labels).Set(c.overdue_cases);
    due_soon_cases_->Add(labels).Set(c.due_soon_cases);
    for (const auto& [timeliness, total] : {std::pair{"on_time", c.on_time}, {"late", c.late}}) {
      prometheus::Counter& counter =
          closed_->Add({{"department", department}, {"timeliness", timeliness}});
      if (total > counter.Value()) counter.Increment(total - counter.Value());
    }
    gauged_.insert(department);
  }
  return absl::OkStatus();
}

void Sweep::RunAndLog() {
  absl::StatusOr<Result> result = RunOnce();
  if (!result.ok()) {
    logger_.Warn("timeliness sweep failed", {{"error", result.status().ToString()}});
  } else if (result->tasks_red + result->tasks_yellow + result->cases_red + result->cases_yellow >
             0) {
    logger_.Info("timeliness sweep", {{"tasks_yellow", result->tasks_yellow},
                                      {"tasks_red", result->tasks_red},
                                      {"cases_yellow", result->cases_yellow},
                                      {"cases_red", result->cases_red}});
  }
}

}  // namespace onewindow::approval
