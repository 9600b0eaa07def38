#include "services/complaint/deadlines.h"

#include "absl/strings/str_cat.h"

#include "libs/store/times.h"
#include "libs/workday/deadline.h"

namespace onewindow::complaint {

bool IsBeingHandled(complaint::v1::WorkOrderState state) {
  switch (state) {
    case complaint::v1::RECEIVED:
    case complaint::v1::DISPATCHED:
    case complaint::v1::SIGNED_FOR:
    case complaint::v1::HANDLED:
      return true;
    default:
      return false;
  }
}

std::optional<absl::Time> ReminderTime(absl::Time clock_start, absl::Time due) {
  // `due` is 24:00 of the last day, which is 00:00 of the next one.
  const absl::CivilDay last_day = workday::ChinaDay(due - absl::Nanoseconds(1));
  if (last_day <= workday::ChinaDay(clock_start)) return std::nullopt;
  return workday::StartOfChinaDay(last_day);
}

std::optional<absl::Time> NextEscalation(const complaint::v1::WorkOrder& order,
                                         absl::Time clock_start) {
  if (!IsBeingHandled(order.state()) || !order.has_due_time()) return std::nullopt;
  const absl::Time due = store::FromProtoTime(order.due_time());
  switch (order.escalation_level()) {
    case 0: {
      std::optional<absl::Time> reminder = ReminderTime(clock_start, due);
      return reminder.has_value() ? reminder : due;
    }
    case 1:
      return due;
    default:
      return std::nullopt;
  }
}

EscalationLevel LevelAt(const complaint::v1::WorkOrder& order, absl::Time clock_start,
                        absl::Time now) {
  if (!IsBeingHandled(order.state()) || !order.has_due_time()) return EscalationLevel::kNone;
  const absl::Time due = store::FromProtoTime(order.due_time());
  if (now >= due) return EscalationLevel::kNotice;
  std::optional<absl::Time> reminder = ReminderTime(clock_start, due);
  if (reminder.has_value() && now >= *reminder) return EscalationLevel::kReminder;
  return EscalationLevel::kNone;
}

absl::Time ExtendDeadline(const workday::Calendar& calendar, absl::Time due, int days) {
  return workday::AddWorkingDays(calendar, due - absl::Nanoseconds(1), days);
}

std::string BeingHandledSql() {
  // RECEIVED to HANDLED, as IsBeingHandled lists them.
  return absl::StrCat("state BETWEEN ", static_cast<int>(complaint::v1::RECEIVED), " AND ",
                      static_cast<int>(complaint::v1::HANDLED));
}

}  // namespace onewindow::complaint
