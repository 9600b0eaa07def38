#include "services/notification/quiet_hours.h"

#include "absl/time/civil_time.h"
#include "libs/workday/deadline.h"

namespace onewindow::notification {

bool InQuietHours(absl::Time t, const QuietHours& quiet) {
  if (quiet.start_hour == quiet.end_hour) return false;
  const int hour = absl::ToCivilHour(t, workday::ChinaStandardTime()).hour();
  if (quiet.start_hour > quiet.end_hour) {  // Spans midnight, as 22-08 does.
    return hour >= quiet.start_hour || hour < quiet.end_hour;
  }
  return hour >= quiet.start_hour && hour < quiet.end_hour;
}

absl::Time QuietHoursRelease(absl::Time t, const QuietHours& quiet) {
  if (!InQuietHours(t, quiet)) return t;
  const absl::TimeZone cst = workday::ChinaStandardTime();
  const absl::CivilHour hour = absl::ToCivilHour(t, cst);
  absl::CivilDay day(hour);
  if (hour.hour() >= quiet.end_hour) day += 1;  // Evening: tomorrow morning.
  return absl::FromCivil(absl::CivilHour(day) + quiet.end_hour, cst);
}

}  // namespace onewindow::notification
