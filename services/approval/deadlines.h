#pragma once

#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/workday/calendar.h"
#include "libs/workday/deadline.h"
#include "services/approval/case_store.h"

namespace onewindow::approval {

// The working-day clocks of cases and tasks, computed by libs/workday from
// what the store keeps: the start, the limit and the case's supplement
// pauses. A case's clock starts when the application arrived and runs for
// the item's promised limit; a task's starts when its stage began and runs
// for the stage's limit; both stop while the applicant supplements.
class Deadlines {
 public:
  explicit Deadlines(const workday::Calendar* calendar) : calendar_(calendar) {}

  // Sets the case's due and warning times.
  absl::Status RefreshCase(CaseRecord& record,
                           const std::vector<workday::PauseWindow>& pauses) const;
  // Sets the task's due and warning times. `case_pauses` are all of its
  // case's; those before the task began do not concern it.
  absl::Status RefreshTask(TaskRecord& record,
                           const std::vector<workday::PauseWindow>& case_pauses) const;
  // Working days the case's clock ran by `at`.
  absl::StatusOr<double> UsedDays(const CaseRecord& record,
                                  const std::vector<workday::PauseWindow>& pauses,
                                  absl::Time at) const;

  // The clock of a new task or case (no pauses yet).
  absl::StatusOr<workday::TimeLimit> Fresh(absl::Time start, int limit_days) const;

  const workday::Calendar& calendar() const { return *calendar_; }

 private:
  absl::StatusOr<workday::TimeLimit> Limit(absl::Time start, int limit_days,
                                           const std::vector<workday::PauseWindow>& pauses) const;

  const workday::Calendar* calendar_;
};

}  // namespace onewindow::approval
