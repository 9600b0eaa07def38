#pragma once

#include <set>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/log/logger.h"
#include "services/approval/deps.h"

namespace onewindow::approval {

// The periodic timeliness sweep (红黄牌): live cases and tasks whose warning
// time (80 % of the limit used) or due time has passed get their mark, an
// audit entry by "system" and one escalation to the owning department
// through notification (case.due_soon, case.overdue; recipient
// "dept:<department>"). Marks only ever rise, and each is announced under an
// event id of its own, so a sweep interrupted by a crash repeats nothing
// when it runs again. Each pass also refreshes per-department gauges.
// main.cc runs RunAndLog on a server::PeriodicTask.
class Sweep {
 public:
  struct Result {
    int tasks_yellow = 0;
    int tasks_red = 0;
    int cases_yellow = 0;
    int cases_red = 0;
  };

  // `metrics` may be null (tests without gauges).
  Sweep(Deps deps, log::Logger logger, prometheus::Registry* metrics);

  // One pass at the clock's now, in batches of short transactions.
  absl::StatusOr<Result> RunOnce();

  // RunOnce for a background loop, which has nobody to return to: a
  // failure is logged and the next pass tries again.
  void RunAndLog();

 private:
  enum class Scope { kTask, kCase };
  struct Batch {
    int seen = 0;
    int yellow = 0;
    int red = 0;
  };
  // Marks one batch of what is due a new mark.
  absl::StatusOr<Batch> MarkBatch(Scope scope, absl::Time now);
  absl::Status RefreshGauges();

  Deps deps_;
  log::Logger logger_;
  prometheus::Family<prometheus::Gauge>* open_tasks_ = nullptr;
  prometheus::Family<prometheus::Gauge>* due_soon_tasks_ = nullptr;
  prometheus::Family<prometheus::Gauge>* overdue_tasks_ = nullptr;
  prometheus::Family<prometheus::Gauge>* open_cases_ = nullptr;
  prometheus::Family<prometheus::Gauge>* overdue_cases_ = nullptr;
  prometheus::Family<prometheus::Gauge>* due_soon_cases_ = nullptr;
  // Counted from the store (closed cases never reopen), so a restart or a
  // retried decision can neither lose nor double one.
  prometheus::Family<prometheus::Counter>* closed_ = nullptr;
  prometheus::Family<prometheus::Counter>* marks_ = nullptr;
  prometheus::Histogram* duration_ = nullptr;
  // Departments with gauges, so one that empties is set to 0, not left stale.
  std::set<std::string> gauged_;
};

}  // namespace onewindow::approval
