#include "libs/workday/deadline.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"

namespace onewindow::workday {
namespace {

constexpr absl::Duration kDay = absl::Hours(24);

// Working time in [from, to), in the units the counting rule uses.
absl::Duration WorkingTime(const Calendar& calendar, absl::Time from, absl::Time to) {
  absl::Duration total = absl::ZeroDuration();
  absl::CivilDay day = ChinaDay(from);
  // China keeps one offset all year, so every day is 24 hours long: a day's
  // start is the previous one's plus a day, without converting each civil
  // day (two conversions a day were two thirds of a deadline's cost).
  for (absl::Time day_start = StartOfChinaDay(day); day_start < to; ++day, day_start += kDay) {
    if (calendar.IsWorkingDay(day)) {
      total += std::min(day_start + kDay, to) - std::max(day_start, from);
    }
  }
  return total;
}

// 80 % of `limit`, rounded up so that MarkAt() agrees exactly: integer
// division may round down by a tick, and MarkAt() compares used * 5 against
// limit * 4.
absl::Duration YellowThreshold(absl::Duration limit) {
  absl::Duration threshold = limit * 4 / 5;
  while (threshold * 5 < limit * 4) {
    threshold += absl::Nanoseconds(1);
  }
  return threshold;
}

}  // namespace

absl::TimeZone ChinaStandardTime() {
  // FixedTimeZone looks the zone up in a locked registry on every call; the
  // working-day clock asks several times per request.
  static const absl::TimeZone cst = absl::FixedTimeZone(8 * 60 * 60);
  return cst;
}

absl::CivilDay ChinaDay(absl::Time t) { return absl::ToCivilDay(t, ChinaStandardTime()); }

absl::Time StartOfChinaDay(absl::CivilDay day) { return absl::FromCivil(day, ChinaStandardTime()); }

absl::Time AddWorkingDays(const Calendar& calendar, absl::Time start, int days) {
  if (start == absl::InfiniteFuture() || start == absl::InfinitePast()) {
    return start;
  }
  absl::CivilDay day = ChinaDay(start);
  for (int counted = 0; counted < days;) {
    ++day;
    if (calendar.IsWorkingDay(day)) {
      ++counted;
    }
  }
  return StartOfChinaDay(day + 1);
}

double WorkingDaysElapsed(const Calendar& calendar, absl::Time from, absl::Time to) {
  if (to <= from) {
    return 0;
  }
  if (to == absl::InfiniteFuture() || from == absl::InfinitePast()) {
    return std::numeric_limits<double>::infinity();
  }
  return absl::FDivDuration(WorkingTime(calendar, from, to), kDay);
}

absl::StatusOr<TimeLimit> TimeLimit::Create(const Calendar& calendar, absl::Time start,
                                            int limit_days, std::vector<PauseWindow> pauses) {
  if (start == absl::InfiniteFuture() || start == absl::InfinitePast()) {
    return absl::InvalidArgumentError("a time limit needs a finite start");
  }
  if (limit_days < 0 || limit_days > kMaxLimitDays) {
    return absl::InvalidArgumentError(
        absl::StrCat("limit of ", limit_days, " working days is outside 0..", kMaxLimitDays));
  }
  TimeLimit limit(calendar, start, limit_days);
  // Replaying through Pause/Resume applies the same checks as live updates.
  for (size_t i = 0; i < pauses.size(); ++i) {
    const PauseWindow& pause = pauses[i];
    if (pause.paused_at == absl::InfiniteFuture() || pause.paused_at == absl::InfinitePast()) {
      return absl::InvalidArgumentError(absl::StrCat("pause ", i + 1, " has no finite start"));
    }
    absl::Status status = limit.Pause(pause.paused_at);
    if (status.ok() && !pause.open()) {
      status = limit.Resume(pause.resumed_at);
    }
    if (!status.ok()) {
      // A stored history that replays badly is bad input, whatever the cause.
      return absl::InvalidArgumentError(absl::StrCat("pause ", i + 1, ": ", status.message()));
    }
  }
  return limit;
}

absl::Status TimeLimit::Pause(absl::Time at) {
  if (paused()) {
    return absl::FailedPreconditionError("the clock is already paused");
  }
  if (at < start_) {
    return absl::InvalidArgumentError("a pause cannot begin before the limit starts");
  }
  if (!pauses_.empty() && at < pauses_.back().resumed_at) {
    return absl::InvalidArgumentError("a pause cannot begin before the previous one ended");
  }
  pauses_.push_back(PauseWindow{at, absl::InfiniteFuture()});
  return absl::OkStatus();
}

absl::Status TimeLimit::Resume(absl::Time at) {
  if (!paused()) {
    return absl::FailedPreconditionError("the clock is not paused");
  }
  if (at == absl::InfiniteFuture()) {
    return absl::InvalidArgumentError("a resumption needs a finite time");
  }
  if (at < pauses_.back().paused_at) {
    return absl::InvalidArgumentError("the clock cannot resume before it was paused");
  }
  pauses_.back().resumed_at = at;
  return absl::OkStatus();
}

absl::Time TimeLimit::CountFrom() const { return StartOfChinaDay(ChinaDay(start_) + 1); }

absl::Time TimeLimit::Due() const {
  if (limit_days_ == 0) {
    return CountFrom();
  }
  return WhenUsed(kDay * limit_days_);
}

absl::Time TimeLimit::YellowAt() const {
  if (limit_days_ == 0) {
    // Same-day limits count wall time from the start (see MarkAt()).
    return start_ + YellowThreshold(CountFrom() - start_);
  }
  return WhenUsed(YellowThreshold(kDay * limit_days_));
}

absl::Time TimeLimit::WhenUsed(absl::Duration target) const {
  const absl::Time count_from = CountFrom();
  absl::Duration remaining = target;
  if (remaining <= absl::ZeroDuration()) {
    return count_from;
  }
  // Walks the unpaused stretches of each working day until `target` is used
  // up, mirroring UsedTime() so that UsedFraction(Due()) is exactly 1.
  // Days are 24 hours long in China (see WorkingTime).
  absl::CivilDay day = ChinaDay(count_from);
  for (absl::Time day_start = StartOfChinaDay(day);; ++day, day_start += kDay) {
    const absl::Time day_end = day_start + kDay;
    if (paused() && pauses_.back().paused_at <= day_start) {
      return absl::InfiniteFuture();
    }
    if (!calendar_->IsWorkingDay(day)) {
      continue;
    }
    absl::Time cursor = day_start;
    auto consume_until = [&](absl::Time stretch_end) {
      const absl::Duration stretch = std::max(stretch_end - cursor, absl::ZeroDuration());
      if (stretch >= remaining) {
        return true;
      }
      remaining -= stretch;
      return false;
    };
    for (const PauseWindow& pause : pauses_) {
      if (pause.resumed_at <= day_start || pause.paused_at >= day_end) {
        continue;
      }
      if (consume_until(std::min(pause.paused_at, day_end))) {
        return cursor + remaining;
      }
      cursor = std::max(cursor, std::min(pause.resumed_at, day_end));
    }
    if (consume_until(day_end)) {
      return cursor + remaining;
    }
  }
}

absl::Duration TimeLimit::UsedTime(absl::Time now) const {
  const absl::Time count_from = CountFrom();
  if (now <= count_from) {
    return absl::ZeroDuration();
  }
  absl::Duration used = WorkingTime(*calendar_, count_from, now);
  for (const PauseWindow& pause : pauses_) {
    const absl::Time from = std::max(pause.paused_at, count_from);
    const absl::Time to = std::min(pause.resumed_at, now);
    if (from < to) {
      used -= WorkingTime(*calendar_, from, to);
    }
  }
  return used;
}

double TimeLimit::UsedWorkingDays(absl::Time now) const {
  return absl::FDivDuration(UsedTime(now), kDay);
}

double TimeLimit::UsedFraction(absl::Time now) const {
  if (limit_days_ == 0) {
    const absl::Duration elapsed = std::max(now - start_, absl::ZeroDuration());
    return absl::FDivDuration(elapsed, CountFrom() - start_);
  }
  return absl::FDivDuration(UsedTime(now), kDay * limit_days_);
}

Mark TimeLimit::MarkAt(absl::Time now) const {
  if (now > Due()) {
    return Mark::kRed;
  }
  // Compared as exact durations: "80 %" must not depend on float rounding.
  const absl::Duration used =
      limit_days_ == 0 ? std::max(now - start_, absl::ZeroDuration()) : UsedTime(now);
  const absl::Duration limit = limit_days_ == 0 ? CountFrom() - start_ : kDay * limit_days_;
  return used * 5 >= limit * 4 ? Mark::kYellow : Mark::kGreen;
}

}  // namespace onewindow::workday
