#pragma once

#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "libs/workday/calendar.h"

// Statutory clocks, counted the way the Administrative Licensing Law counts
// (its articles 42 and 82): in working days, in China Standard Time whatever
// the machine's zone, and the day an application arrives does not count. A
// limit of N working days that starts at any moment of day D therefore ends at
// 24:00 CST of the N-th working day after D. Working time is measured in whole
// 24-hour working days, so half of a working day is 0.5 whatever the office
// hours are.

namespace onewindow::workday {

// UTC+8 all year; mainland China has no daylight saving time.
absl::TimeZone ChinaStandardTime();

// The CST date of `t`.
absl::CivilDay ChinaDay(absl::Time t);

// 00:00 CST at the start of `day`.
absl::Time StartOfChinaDay(absl::CivilDay day);

// End (24:00 CST) of the `days`-th working day after the CST day of `start`;
// with `days` == 0, the end of the start day itself ("same day" limits,
// whether or not that day is a working day). Negative `days` count as 0.
absl::Time AddWorkingDays(const Calendar& calendar, absl::Time start, int days);

// Working days between `from` and `to`, fractional: the part of [from, to)
// that falls on working days, in units of 24 hours. 0 when `to` <= `from`.
// Unlike AddWorkingDays it does not skip the start day; it measures time.
double WorkingDaysElapsed(const Calendar& calendar, absl::Time from, absl::Time to);

// A stretch during which a limit's clock does not run (补正 supplements,
// hearings, testing, expert review). `resumed_at` is InfiniteFuture() while
// the pause is still open.
struct PauseWindow {
  absl::Time paused_at;
  absl::Time resumed_at = absl::InfiniteFuture();

  bool open() const { return resumed_at == absl::InfiniteFuture(); }
};

// Timeliness warning (红黄牌).
enum class Mark { kGreen, kYellow, kRed };

// One statutory or promised limit, with its pauses.
//
// Counting rule: the clock runs from 00:00 CST after the start day, over
// working days only, and not while paused. Used time at a moment is the
// working time so counted up to it; the limit is due at the first moment the
// used time reaches the limit. Without pauses that is AddWorkingDays(start,
// limit). A pause therefore moves the due date later by exactly the working
// time it covered after the start day: a pause over a holiday costs nothing,
// one over a make-up Saturday costs that day, half a working day costs half a
// day, and while a pause is open the due date is unknown (InfiniteFuture())
// unless the limit had already run out before it.
//
// A limit of 0 ("same day") is due at the end of the start day and pauses
// do not move it; its used fraction is the share of the rest of the start
// day (wall time) that has passed.
//
// Not thread-safe for writes; keep one per application under its own lock.
class TimeLimit {
 public:
  // Limits beyond this are rejected as typing mistakes; the longest statutory
  // limits are a few dozen working days.
  static constexpr int kMaxLimitDays = 3650;

  // `calendar` must outlive the TimeLimit. `pauses` restores stored history:
  // they must start at or after `start`, be in order, not overlap, and only
  // the last may be open. INVALID_ARGUMENT otherwise.
  static absl::StatusOr<TimeLimit> Create(const Calendar& calendar, absl::Time start,
                                          int limit_days, std::vector<PauseWindow> pauses = {});

  // Stops the clock at `at`. FAILED_PRECONDITION when already paused;
  // INVALID_ARGUMENT when `at` is before the start or the last resumption.
  absl::Status Pause(absl::Time at);

  // Restarts the clock at `at`. FAILED_PRECONDITION when not paused;
  // INVALID_ARGUMENT when `at` is before the pause began.
  absl::Status Resume(absl::Time at);

  bool paused() const { return !pauses_.empty() && pauses_.back().open(); }
  absl::Time start() const { return start_; }
  int limit_days() const { return limit_days_; }
  const std::vector<PauseWindow>& pauses() const { return pauses_; }

  // When the limit runs out; InfiniteFuture() while an open pause holds it.
  absl::Time Due() const;

  // The first moment MarkAt() is no longer green (80 % used), so a sweep can
  // find what turns yellow with an index instead of evaluating every limit;
  // InfiniteFuture() while an open pause holds it back.
  absl::Time YellowAt() const;

  // Working days counted by `now` (see the counting rule), pauses excluded.
  double UsedWorkingDays(absl::Time now) const;

  // UsedWorkingDays(now) / limit: 1.0 exactly at Due(), above 1 once overdue.
  double UsedFraction(absl::Time now) const;

  // Red once `now` is past Due(); yellow once at least 80 % is used; green
  // before that.
  Mark MarkAt(absl::Time now) const;

 private:
  TimeLimit(const Calendar& calendar, absl::Time start, int limit_days)
      : calendar_(&calendar), start_(start), limit_days_(limit_days) {}

  // 00:00 CST after the start day: where counting begins.
  absl::Time CountFrom() const;
  absl::Duration UsedTime(absl::Time now) const;
  // The first moment UsedTime() reaches `target` (for limits above 0).
  absl::Time WhenUsed(absl::Duration target) const;

  const Calendar* calendar_;
  absl::Time start_;
  int limit_days_;
  std::vector<PauseWindow> pauses_;
};

}  // namespace onewindow::workday
