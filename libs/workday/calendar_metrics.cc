#include "libs/workday/calendar_metrics.h"

#include <prometheus/gauge.h>

#include "libs/workday/deadline.h"

namespace onewindow::workday {

void ExportCalendarReach(const Calendar& calendar, absl::Time now, prometheus::Registry& registry) {
  const int year = static_cast<int>(ChinaDay(now).year());
  prometheus::BuildGauge()
      .Name("onewindow_holiday_calendar_covered_through_year")
      .Help(
          "Last year of the unbroken run of years the holiday calendar covers from the year "
          "the process started (China Standard Time); 0 when that year is not covered")
      .Register(registry)
      .Add({})
      .Set(calendar.CoveredThrough(year));
}

}  // namespace onewindow::workday
