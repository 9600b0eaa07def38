#pragma once

#include <prometheus/registry.h>

#include "absl/time/time.h"
#include "libs/workday/calendar.h"

namespace onewindow::workday {

// Exports onewindow_holiday_calendar_covered_through_year: how far the
// holidays `calendar` knows reach from the year of `now` in China (its
// CoveredThrough; 0 when this year is not covered). A calendar is loaded
// once per process, so the value is set here and never changes; the alerts
// compare it with the current year, which keeps moving.
void ExportCalendarReach(const Calendar& calendar, absl::Time now, prometheus::Registry& registry);

}  // namespace onewindow::workday
