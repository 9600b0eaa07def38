#include "services/approval/deadlines.h"

#include "absl/strings/str_cat.h"
#include "libs/status/macros.h"
#include "libs/store/times.h"

namespace onewindow::approval {
absl::StatusOr<workday::TimeLimit> Deadlines::Limit(
    absl::Time start, int limit_days, const std::vector<workday::PauseWindow>& pauses) const {
  std::vector<workday::PauseWindow> relevant;
  for (const workday::PauseWindow& pause : pauses) {
    if (pause.paused_at >= start) relevant.push_back(pause);
  }
  absl::StatusOr<workday::TimeLimit> limit =
      workday::TimeLimit::Create(*calendar_, start, limit_days, std::move(relevant));
  if (!limit.ok()) {
    // Stored history that does not replay is our bug, not the caller's.
    return absl::InternalError(absl::StrCat("clock history: ", limit.status().message()));
  }
  return limit;
}

absl::StatusOr<workday::TimeLimit> Deadlines::Fresh(absl::Time start, int limit_days) const {
  return Limit(start, limit_days, {});
}

absl::Status Deadlines::RefreshCase(CaseRecord& record,
                                    const std::vector<workday::PauseWindow>& pauses) const {
  ASSIGN_OR_RETURN(
      const workday::TimeLimit limit,
      Limit(store::FromProtoTime(record.c.start_time()), record.c.time_limit_days(), pauses));
  const absl::Time due = limit.Due();
  if (due == absl::InfiniteFuture()) {
    record.c.clear_due_time();
  } else {
    *record.c.mutable_due_time() = store::ToProtoTime(due);
  }
  record.yellow_time = limit.YellowAt();
  return absl::OkStatus();
}

absl::Status Deadlines::RefreshTask(TaskRecord& record,
                                    const std::vector<workday::PauseWindow>& case_pauses) const {
  ASSIGN_OR_RETURN(
      const workday::TimeLimit limit,
      Limit(store::FromProtoTime(record.t.create_time()), record.t.time_limit_days(), case_pauses));
  const absl::Time due = limit.Due();
  if (due == absl::InfiniteFuture()) {
    record.t.clear_due_time();
  } else {
    *record.t.mutable_due_time() = store::ToProtoTime(due);
  }
  record.yellow_time = limit.YellowAt();
  return absl::OkStatus();
}

absl::StatusOr<double> Deadlines::UsedDays(const CaseRecord& record,
                                           const std::vector<workday::PauseWindow>& pauses,
                                           absl::Time at) const {
  ASSIGN_OR_RETURN(
      const workday::TimeLimit limit,
      Limit(store::FromProtoTime(record.c.start_time()), record.c.time_limit_days(), pauses));
  return limit.UsedWorkingDays(at);
}

}  // namespace onewindow::approval
