#pragma once

#include <string>

#include <optional>

#include "absl/time/time.h"
#include "libs/workday/calendar.h"
#include "onewindow/complaint/v1/complaint.pb.h"

namespace onewindow::complaint {

// Supervision (督办) of an open order's deadline, per DOMAIN.md: a reminder
// before the deadline, a formal notice once it has passed.
//
// The reminder comes at 00:00 CST of the limit's last day, so the
// department has that whole day; a limit that ends on the day it started
// (same-day matters) gets no reminder, only the notice. The notice comes at
// the deadline itself (24:00 CST of the last day), i.e. the first moment of
// the day after it.
enum class EscalationLevel { kNone = 0, kReminder = 1, kNotice = 2 };

// When the reminder for a deadline `due` counted from `clock_start` falls,
// or nullopt when that deadline is too short to have one.
std::optional<absl::Time> ReminderTime(absl::Time clock_start, absl::Time due);

// When the supervision sweep should next look at `order` (whose deadline
// started at `clock_start`): its reminder or notice, whichever is next for
// its escalation level; nullopt for replied and closed orders and after
// the notice.
std::optional<absl::Time> NextEscalation(const complaint::v1::WorkOrder& order,
                                         absl::Time clock_start);

// The escalation `order` has reached at `now` (what the sweep records).
EscalationLevel LevelAt(const complaint::v1::WorkOrder& order, absl::Time clock_start,
                        absl::Time now);

// `days` more working days after the deadline `due` (an approved extension).
absl::Time ExtendDeadline(const workday::Calendar& calendar, absl::Time due, int days);

// Orders still being handled: the deadline and escalation apply.
bool IsBeingHandled(complaint::v1::WorkOrderState state);
// The same as a condition on work_orders, so the overdue gauge and the
// supervision report count alike.
std::string BeingHandledSql();

}  // namespace onewindow::complaint
