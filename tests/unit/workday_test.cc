#include <string>

#include <prometheus/registry.h>
#include <catch2/catch.hpp>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "libs/workday/calendar.h"
#include "libs/workday/calendar_metrics.h"
#include "libs/workday/clock.h"
#include "libs/workday/deadline.h"

#ifndef OW_SOURCE_DIR
#error "OW_SOURCE_DIR must name the repository root (set by tests/unit/CMakeLists.txt)"
#endif

namespace onewindow::workday {
namespace {

const std::string kCalendarDir = std::string(OW_SOURCE_DIR) + "/deploy/calendar";

// An instant given as CST wall time.
absl::Time Cst(int year, int month, int day, int hour = 0, int minute = 0) {
  return absl::FromCivil(absl::CivilSecond(year, month, day, hour, minute, 0), ChinaStandardTime());
}

// An instant given as UTC wall time, as a server would receive it.
absl::Time Utc(int year, int month, int day, int hour, int minute) {
  return absl::FromCivil(absl::CivilSecond(year, month, day, hour, minute, 0), absl::UTCTimeZone());
}

Calendar Real() {
  absl::StatusOr<Calendar> calendar = Calendar::LoadDirectory(kCalendarDir);
  INFO(calendar.status().ToString());
  REQUIRE(calendar.ok());
  return *std::move(calendar);
}

TimeLimit MakeLimit(const Calendar& calendar, absl::Time start, int days) {
  absl::StatusOr<TimeLimit> limit = TimeLimit::Create(calendar, start, days);
  INFO(limit.status().ToString());
  REQUIRE(limit.ok());
  return *std::move(limit);
}

void RequireParseError(absl::string_view text, absl::string_view where, absl::string_view what) {
  absl::StatusOr<Calendar> calendar = Calendar::Parse(text, "test.txt");
  REQUIRE_FALSE(calendar.ok());
  const std::string message(calendar.status().message());
  INFO(message);
  CHECK(calendar.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(message, where));
  CHECK(absl::StrContains(message, what));
}

TEST_CASE("a calendar file with comments, names and CRLF line ends parses") {
  absl::StatusOr<Calendar> calendar = Calendar::Parse(
      "\xEF\xBB\xBF# header\r\n\r\nyear 2025  # the year\r\n"
      "2025-01-26 workday 春节调休\r\n2025-01-28\tholiday  春节 (除夕)\r\n",
      "test.txt");
  INFO(calendar.status().ToString());
  REQUIRE(calendar.ok());
  CHECK(calendar->Covers(2025));
  CHECK_FALSE(calendar->Covers(2026));
  CHECK(calendar->IsWorkingDay(absl::CivilDay(2025, 1, 26)));
  CHECK_FALSE(calendar->IsWorkingDay(absl::CivilDay(2025, 1, 28)));
  const Calendar::Entry* entry = calendar->Find(absl::CivilDay(2025, 1, 28));
  REQUIRE(entry != nullptr);
  CHECK(entry->name == "春节 (除夕)");
  CHECK(entry->line == 5);
  CHECK(calendar->Find(absl::CivilDay(2025, 1, 29)) == nullptr);
}

TEST_CASE("a bad calendar line is rejected naming the file, the line and the problem") {
  RequireParseError("year 2025\n\n2025-02-30 holiday x\n", "test.txt:3:", "2025-02-30");
  RequireParseError("year 2025\n2025-1-28 holiday x\n", "test.txt:2:", "YYYY-MM-DD");
  RequireParseError("year 2025\n2025-01-28 holliday\n", "test.txt:2:", "unknown kind 'holliday'");
  RequireParseError("year 2025\n2025-01-28\n", "test.txt:2:", "missing kind");
  RequireParseError("# no year yet\n2025-01-28 holiday\n", "test.txt:2:", "'year YYYY'");
  RequireParseError("year 25\n", "test.txt:1:", "year YYYY");
  RequireParseError("year 2025\n2052-01-28 holiday\n", "test.txt:2:", "2052-01-28");
  RequireParseError("year 2025\n2025-01-27 workday\n", "test.txt:2:", "Monday");
  RequireParseError("# only comments\n", "test.txt", "no 'year YYYY' line");
}

TEST_CASE("a date listed twice with conflicting kinds is rejected") {
  RequireParseError("year 2025\n2025-02-08 workday\n# x\n2025-02-08 holiday\n",
                    "test.txt:4:", "line 2");
  // The same kind twice is harmless.
  CHECK(Calendar::Parse("year 2025\n2025-02-08 workday\n2025-02-08 workday a\n", "t").ok());
}

TEST_CASE("missing calendar files and directories are reported, not silently ignored") {
  CHECK(Calendar::LoadFiles({kCalendarDir + "/nope.txt"}).status().code() ==
        absl::StatusCode::kNotFound);
  CHECK(Calendar::LoadDirectory(kCalendarDir + "/nope").status().code() ==
        absl::StatusCode::kNotFound);
  CHECK(Calendar::LoadFiles({}).status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("the shipped calendar files load and cover 2025 and 2026 only") {
  const Calendar calendar = Real();
  CHECK(calendar.CoveredYears() == std::vector<int>{2025, 2026});
  CHECK(calendar.CoversSpan(absl::CivilDay(2025, 12, 20), absl::CivilDay(2026, 1, 20)));
  CHECK_FALSE(calendar.CoversSpan(absl::CivilDay(2026, 12, 20), absl::CivilDay(2027, 1, 20)));

  absl::StatusOr<Calendar> by_files =
      Calendar::LoadFiles({kCalendarDir + "/cn-2025.txt", kCalendarDir + "/cn-2026.txt"});
  REQUIRE(by_files.ok());
  CHECK(by_files->CoveredYears() == calendar.CoveredYears());
}

TEST_CASE("2026 holidays and make-up days come from deploy/calendar/cn-2026.txt") {
  const Calendar calendar = Real();
  using D = absl::CivilDay;
  // New Year: Jan 1-3 off, Sunday Jan 4 worked.
  CHECK_FALSE(calendar.IsWorkingDay(D(2026, 1, 2)));
  CHECK(calendar.IsWorkingDay(D(2026, 1, 4)));
  // Spring Festival: Feb 15-23 off, Saturdays Feb 14 and Feb 28 worked.
  CHECK(calendar.IsWorkingDay(D(2026, 2, 14)));
  for (int day = 15; day <= 23; ++day) {
    CHECK_FALSE(calendar.IsWorkingDay(D(2026, 2, day)));
  }
  CHECK(calendar.IsWorkingDay(D(2026, 2, 24)));
  CHECK(calendar.IsWorkingDay(D(2026, 2, 28)));
  CHECK_FALSE(calendar.IsWorkingDay(D(2026, 4, 6)));
  CHECK_FALSE(calendar.IsWorkingDay(D(2026, 5, 5)));
  CHECK(calendar.IsWorkingDay(D(2026, 5, 9)));
  CHECK_FALSE(calendar.IsWorkingDay(D(2026, 6, 19)));
  CHECK_FALSE(calendar.IsWorkingDay(D(2026, 9, 25)));
  CHECK(calendar.IsWorkingDay(D(2026, 9, 20)));
  CHECK_FALSE(calendar.IsWorkingDay(D(2026, 10, 7)));
  CHECK(calendar.IsWorkingDay(D(2026, 10, 8)));
  CHECK(calendar.IsWorkingDay(D(2026, 10, 10)));
  // An ordinary weekend stays off.
  CHECK_FALSE(calendar.IsWorkingDay(D(2026, 3, 7)));

  // Accepted Friday Feb 13: Sat Feb 14 is day 1, Feb 24-27 days 2-5.
  CHECK(AddWorkingDays(calendar, Cst(2026, 2, 13, 9), 5) == Cst(2026, 2, 28));
  // Day 6 is the make-up Saturday Feb 28.
  CHECK(AddWorkingDays(calendar, Cst(2026, 2, 13, 9), 6) == Cst(2026, 3, 1));
}

TEST_CASE("an uncovered year falls back to Monday to Friday and says so") {
  const Calendar calendar = Real();
  CHECK_FALSE(calendar.Covers(2027));
  // 2027-01-01 is a Friday; no file says it is a holiday.
  CHECK(calendar.IsWorkingDay(absl::CivilDay(2027, 1, 1)));
  CHECK_FALSE(calendar.IsWorkingDay(absl::CivilDay(2027, 1, 2)));
  const Calendar empty;
  CHECK_FALSE(empty.Covers(2025));
  CHECK(empty.IsWorkingDay(absl::CivilDay(2025, 1, 28)));
}

TEST_CASE("a calendar reaches as far as its unbroken run of years from a given one") {
  auto calendar =
      Calendar::Parse("year 2025\nyear 2026\nyear 2028\n2025-01-01 holiday\n", "years.txt");
  REQUIRE(calendar.ok());
  CHECK(calendar->CoveredThrough(2025) == 2026);
  CHECK(calendar->CoveredThrough(2026) == 2026);
  // 2027 is missing: 2028's file does not make 2027's deadlines right.
  CHECK(calendar->CoveredThrough(2027) == 0);
  CHECK(calendar->CoveredThrough(2028) == 2028);
  CHECK(Calendar().CoveredThrough(2026) == 0);
}

TEST_CASE("a service exports how far its holiday calendar reaches") {
  auto calendar = Calendar::Parse("year 2026\nyear 2027\n", "years.txt");
  REQUIRE(calendar.ok());
  prometheus::Registry registry;
  // 2026-12-31 17:00 UTC is already 2027 in China.
  ExportCalendarReach(
      *calendar, absl::FromCivil(absl::CivilSecond(2026, 12, 31, 17, 0, 0), absl::UTCTimeZone()),
      registry);
  const auto families = registry.Collect();
  REQUIRE(families.size() == 1);
  CHECK(families[0].name == "onewindow_holiday_calendar_covered_through_year");
  REQUIRE(families[0].metric.size() == 1);
  CHECK(families[0].metric[0].gauge.value == 2027);

  prometheus::Registry uncovered;
  ExportCalendarReach(Calendar(), absl::Now(), uncovered);
  CHECK(uncovered.Collect()[0].metric[0].gauge.value == 0);
}

TEST_CASE("a limit started before the 2025 Spring Festival skips it and counts Saturday Feb 8") {
  const Calendar calendar = Real();
  const absl::Time accepted = Cst(2025, 1, 20, 10);  // Monday
  // Jan 21-24 are days 1-4, make-up Sunday Jan 26 day 5, Jan 27 day 6.
  CHECK(AddWorkingDays(calendar, accepted, 6) == Cst(2025, 1, 28));
  // Jan 28-Feb 4 are off: day 7 is Wednesday Feb 5.
  CHECK(AddWorkingDays(calendar, accepted, 7) == Cst(2025, 2, 6));
  // Days 8 and 9 are Feb 6 and 7; day 10 is the make-up Saturday Feb 8.
  CHECK(AddWorkingDays(calendar, accepted, 10) == Cst(2025, 2, 9));
  CHECK(AddWorkingDays(calendar, accepted, 11) == Cst(2025, 2, 11));

  const TimeLimit limit = MakeLimit(calendar, accepted, 10);
  CHECK(limit.Due() == Cst(2025, 2, 9));
  // The holiday uses nothing: 6 days used before it and still 6 at its end.
  CHECK(limit.UsedWorkingDays(Cst(2025, 1, 28)) == Approx(6.0));
  CHECK(limit.UsedWorkingDays(Cst(2025, 2, 5)) == Approx(6.0));
}

TEST_CASE("a make-up working Sunday counts as a working day") {
  const Calendar calendar = Real();
  // Accepted Friday Apr 25 2025: the next working day is Sunday Apr 27.
  CHECK(calendar.IsWorkingDay(absl::CivilDay(2025, 4, 27)));
  CHECK(AddWorkingDays(calendar, Cst(2025, 4, 25, 16), 1) == Cst(2025, 4, 28));
  // Without the calendar it would be Monday Apr 28.
  CHECK(AddWorkingDays(Calendar(), Cst(2025, 4, 25, 16), 1) == Cst(2025, 4, 29));
  // Sunday Sep 28 2025 too.
  CHECK(AddWorkingDays(calendar, Cst(2025, 9, 26, 9), 1) == Cst(2025, 9, 29));
}

TEST_CASE("the start day does not count and a zero limit ends with the start day") {
  const Calendar calendar = Real();
  // Accepted on a Tuesday at 08:00 or at 23:59: day 1 is Wednesday either way.
  CHECK(AddWorkingDays(calendar, Cst(2025, 3, 4, 8), 1) == Cst(2025, 3, 6));
  CHECK(AddWorkingDays(calendar, Cst(2025, 3, 4, 23, 59), 1) == Cst(2025, 3, 6));
  // Accepted on a holiday: the first working day after it is day 1.
  CHECK(AddWorkingDays(calendar, Cst(2025, 10, 3, 11), 1) == Cst(2025, 10, 10));
  CHECK(AddWorkingDays(calendar, Cst(2025, 3, 4, 8), 0) == Cst(2025, 3, 5));
  CHECK(AddWorkingDays(calendar, Cst(2025, 3, 8, 8), 0) == Cst(2025, 3, 9));  // Saturday
}

TEST_CASE("days are cut at midnight China Standard Time, not UTC") {
  const Calendar calendar = Real();
  // 2025-03-06 15:30 UTC is Thursday 23:30 CST: Friday is day 1.
  const absl::Time thursday_night = Utc(2025, 3, 6, 15, 30);
  CHECK(ChinaDay(thursday_night) == absl::CivilDay(2025, 3, 6));
  CHECK(AddWorkingDays(calendar, thursday_night, 1) == Utc(2025, 3, 7, 16, 0));
  // One hour later, 16:30 UTC the same UTC day, is Friday 00:30 CST: Monday is day 1.
  const absl::Time friday_early = Utc(2025, 3, 6, 16, 30);
  CHECK(ChinaDay(friday_early) == absl::CivilDay(2025, 3, 7));
  CHECK(AddWorkingDays(calendar, friday_early, 1) == Utc(2025, 3, 10, 16, 0));
}

TEST_CASE("working days elapsed count only the hours of working days") {
  const Calendar calendar = Real();
  // Friday noon to Monday noon: half of Friday plus half of Monday.
  CHECK(WorkingDaysElapsed(calendar, Cst(2025, 3, 7, 12), Cst(2025, 3, 10, 12)) == Approx(1.0));
  // Across the whole 2025 Spring Festival break only the make-up days count.
  CHECK(WorkingDaysElapsed(calendar, Cst(2025, 1, 25), Cst(2025, 2, 10)) == Approx(6.0));
  CHECK(WorkingDaysElapsed(calendar, Cst(2025, 3, 10), Cst(2025, 3, 7)) == 0.0);
  // The boundary is CST midnight: 15:00-17:00 UTC Friday is 23:00-01:00 CST.
  CHECK(WorkingDaysElapsed(calendar, Utc(2025, 3, 7, 15, 0), Utc(2025, 3, 7, 17, 0)) ==
        Approx(1.0 / 24));
}

TEST_CASE("working days over two whole calendar years count every listed holiday and make-up day") {
  const Calendar calendar = Real();
  // Counted here day by day, each day's bounds converted on its own.
  int working_days = 0;
  for (absl::CivilDay day(2025, 1, 1); day <= absl::CivilDay(2026, 12, 31); ++day) {
    CHECK(StartOfChinaDay(day + 1) - StartOfChinaDay(day) == absl::Hours(24));
    if (calendar.IsWorkingDay(day)) ++working_days;
  }
  // 2025 and 2026 each have about 250 working days.
  CHECK(working_days > 480);
  CHECK(WorkingDaysElapsed(calendar, Cst(2025, 1, 1), Cst(2027, 1, 1)) ==
        Approx(working_days).epsilon(1e-12));
  // Cut short at both ends: New Year's Day is a holiday, then three
  // quarters of Thursday 2025-01-02 and of Thursday 2026-12-31 go.
  REQUIRE_FALSE(calendar.IsWorkingDay(absl::CivilDay(2025, 1, 1)));
  REQUIRE(calendar.IsWorkingDay(absl::CivilDay(2026, 12, 31)));
  CHECK(WorkingDaysElapsed(calendar, Cst(2025, 1, 2, 18), Cst(2026, 12, 31, 6)) ==
        Approx(working_days - 0.75 - 0.75).epsilon(1e-12));
}

TEST_CASE("a limit turns yellow at 80 percent used and red once past due") {
  const Calendar calendar = Real();
  // Accepted Monday Mar 3 2025, 10 working days: Mar 4-7, 10-14, 17.
  const TimeLimit limit = MakeLimit(calendar, Cst(2025, 3, 3, 10), 10);
  REQUIRE(limit.Due() == Cst(2025, 3, 18));
  CHECK(limit.MarkAt(Cst(2025, 3, 3, 10)) == Mark::kGreen);
  CHECK(limit.UsedFraction(Cst(2025, 3, 4)) == 0.0);
  CHECK(limit.MarkAt(Cst(2025, 3, 13, 23)) == Mark::kGreen);
  // End of Thursday Mar 13: 8 of 10 days used.
  CHECK(limit.UsedFraction(Cst(2025, 3, 14)) == Approx(0.8));
  CHECK(limit.MarkAt(Cst(2025, 3, 14)) == Mark::kYellow);
  CHECK(limit.MarkAt(Cst(2025, 3, 16, 12)) == Mark::kYellow);  // weekend uses nothing
  CHECK(limit.UsedFraction(Cst(2025, 3, 18)) == Approx(1.0));
  CHECK(limit.MarkAt(Cst(2025, 3, 18)) == Mark::kYellow);
  CHECK(limit.MarkAt(Cst(2025, 3, 18) + absl::Seconds(1)) == Mark::kRed);
  CHECK(limit.UsedFraction(Cst(2025, 3, 19)) == Approx(1.1));
}

TEST_CASE(
    "a same-day limit is due at midnight CST and warns at 80 percent of the rest of the day") {
  const Calendar calendar = Real();
  const TimeLimit limit = MakeLimit(calendar, Cst(2025, 3, 4, 14), 0);  // 10 hours left
  CHECK(limit.Due() == Cst(2025, 3, 5));
  CHECK(limit.MarkAt(Cst(2025, 3, 4, 21)) == Mark::kGreen);
  CHECK(limit.MarkAt(Cst(2025, 3, 4, 22)) == Mark::kYellow);
  CHECK(limit.MarkAt(Cst(2025, 3, 5, 0, 1)) == Mark::kRed);
}

TEST_CASE(
    "a pause across a holiday and a make-up Saturday moves the due date by the working "
    "time paused") {
  const Calendar calendar = Real();
  // Accepted Monday Jan 20 2025 with 5 days: due at the end of make-up Sunday Jan 26.
  TimeLimit limit = MakeLimit(calendar, Cst(2025, 1, 20, 10), 5);
  REQUIRE(limit.Due() == Cst(2025, 1, 27));

  // Supplement asked for at noon Friday Jan 24, after 3.5 days used.
  REQUIRE(limit.Pause(Cst(2025, 1, 24, 12)).ok());
  CHECK(limit.paused());
  CHECK(limit.Due() == absl::InfiniteFuture());
  CHECK(limit.UsedWorkingDays(Cst(2025, 2, 1)) == Approx(3.5));
  // The original due date passes during the pause without a red mark.
  CHECK(limit.MarkAt(Cst(2025, 2, 1)) == Mark::kGreen);

  // Materials arrive at noon Monday Feb 10. The pause covered half of Jan 24,
  // Sunday Jan 26, Jan 27, Feb 5-7, Saturday Feb 8 and half of Feb 10: 7 working
  // days. The 1.5 days left are the rest of Feb 10 and all of Feb 11.
  REQUIRE(limit.Resume(Cst(2025, 2, 10, 12)).ok());
  CHECK_FALSE(limit.paused());
  CHECK(limit.Due() == Cst(2025, 2, 12));
  CHECK(limit.Due() == AddWorkingDays(calendar, Cst(2025, 1, 26, 12), 7));
  CHECK(limit.UsedWorkingDays(Cst(2025, 2, 10, 12)) == Approx(3.5));
  CHECK(limit.UsedFraction(limit.Due()) == Approx(1.0));
  CHECK(limit.MarkAt(Cst(2025, 2, 11, 12)) == Mark::kYellow);
  CHECK(limit.MarkAt(Cst(2025, 2, 12, 0, 1)) == Mark::kRed);
}

TEST_CASE("a pause that covers only holidays and weekends does not move the due date") {
  const Calendar calendar = Real();
  TimeLimit limit = MakeLimit(calendar, Cst(2025, 9, 22, 9), 8);
  const absl::Time due_without_pause = limit.Due();
  REQUIRE(limit.Pause(Cst(2025, 10, 1, 9)).ok());
  REQUIRE(limit.Resume(Cst(2025, 10, 8, 18)).ok());
  CHECK(limit.Due() == due_without_pause);
}

TEST_CASE("a limit that ran out before an open pause stays overdue") {
  const Calendar calendar = Real();
  TimeLimit limit = MakeLimit(calendar, Cst(2025, 3, 3, 10), 2);  // due end of Mar 5
  REQUIRE(limit.Pause(Cst(2025, 3, 7, 9)).ok());
  CHECK(limit.Due() == Cst(2025, 3, 6));
  CHECK(limit.MarkAt(Cst(2025, 3, 10)) == Mark::kRed);
}

TEST_CASE("a pause on the start day costs nothing because the start day does not count") {
  const Calendar calendar = Real();
  TimeLimit limit = MakeLimit(calendar, Cst(2025, 3, 3, 10), 2);
  REQUIRE(limit.Pause(Cst(2025, 3, 3, 11)).ok());
  REQUIRE(limit.Resume(Cst(2025, 3, 4)).ok());
  CHECK(limit.Due() == Cst(2025, 3, 6));
}

TEST_CASE("pauses out of order or a limit out of range are rejected") {
  const Calendar calendar = Real();
  const absl::Time start = Cst(2025, 3, 3, 10);
  TimeLimit limit = MakeLimit(calendar, start, 5);
  CHECK(limit.Resume(Cst(2025, 3, 4)).code() == absl::StatusCode::kFailedPrecondition);
  CHECK(limit.Pause(Cst(2025, 3, 2)).code() == absl::StatusCode::kInvalidArgument);
  REQUIRE(limit.Pause(Cst(2025, 3, 4)).ok());
  CHECK(limit.Pause(Cst(2025, 3, 5)).code() == absl::StatusCode::kFailedPrecondition);
  CHECK(limit.Resume(Cst(2025, 3, 3, 12)).code() == absl::StatusCode::kInvalidArgument);
  REQUIRE(limit.Resume(Cst(2025, 3, 5)).ok());
  CHECK(limit.Pause(Cst(2025, 3, 4, 12)).code() == absl::StatusCode::kInvalidArgument);

  CHECK(TimeLimit::Create(calendar, start, -1).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(TimeLimit::Create(calendar, start, 5,
                          {PauseWindow{Cst(2025, 3, 5), Cst(2025, 3, 6)},
                           PauseWindow{Cst(2025, 3, 4), Cst(2025, 3, 7)}})
            .status()
            .code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("a stored pause history restores to the same due date as live updates") {
  const Calendar calendar = Real();
  const absl::Time start = Cst(2025, 1, 20, 10);
  absl::StatusOr<TimeLimit> restored = TimeLimit::Create(
      calendar, start, 5, {PauseWindow{Cst(2025, 1, 24, 12), Cst(2025, 2, 10, 12)}});
  REQUIRE(restored.ok());
  CHECK(restored->Due() == Cst(2025, 2, 12));
  absl::StatusOr<TimeLimit> open =
      TimeLimit::Create(calendar, start, 5, {PauseWindow{Cst(2025, 1, 24, 12)}});
  REQUIRE(open.ok());
  CHECK(open->paused());
}

TEST_CASE("YellowAt is the first moment the mark turns yellow, pauses included") {
  const Calendar calendar = Real();
  // 10 days from Monday Mar 3 2025: 8 days used at the end of Thursday Mar 13.
  TimeLimit limit = MakeLimit(calendar, Cst(2025, 3, 3, 10), 10);
  CHECK(limit.YellowAt() == Cst(2025, 3, 14));
  CHECK(limit.MarkAt(limit.YellowAt() - absl::Nanoseconds(1)) == Mark::kGreen);
  CHECK(limit.MarkAt(limit.YellowAt()) == Mark::kYellow);

  // 3 days: 2.4 days is 09:36 on the third counted day.
  const TimeLimit three = MakeLimit(calendar, Cst(2025, 3, 3, 10), 3);
  CHECK(three.YellowAt() == Cst(2025, 3, 6, 9, 36));
  CHECK(three.MarkAt(three.YellowAt() - absl::Nanoseconds(1)) == Mark::kGreen);
  CHECK(three.MarkAt(three.YellowAt()) == Mark::kYellow);

  // Paused before it turned yellow: unknown until resumed, then later by the
  // working time paused (Mar 10-11, two days).
  REQUIRE(limit.Pause(Cst(2025, 3, 10)).ok());
  CHECK(limit.YellowAt() == absl::InfiniteFuture());
  REQUIRE(limit.Resume(Cst(2025, 3, 12)).ok());
  CHECK(limit.YellowAt() == Cst(2025, 3, 18));

  // Same-day limits warn at 80 % of the rest of the start day.
  const TimeLimit same_day = MakeLimit(calendar, Cst(2025, 3, 4, 14), 0);
  CHECK(same_day.YellowAt() == Cst(2025, 3, 4, 22));
  CHECK(same_day.MarkAt(same_day.YellowAt()) == Mark::kYellow);
}

TEST_CASE("a fake clock reports the time it was set to") {
  FakeClock clock(Cst(2025, 1, 27, 17));
  const Clock& as_clock = clock;
  CHECK(as_clock.Now() == Cst(2025, 1, 27, 17));
  clock.Advance(absl::Hours(7));
  CHECK(as_clock.Now() == Cst(2025, 1, 28));
  clock.Set(Cst(2026, 2, 14, 9));
  CHECK(ChinaDay(as_clock.Now()) == absl::CivilDay(2026, 2, 14));
  const SystemClock system;
  CHECK(system.Now() > Cst(2025, 1, 1));
}

}  // namespace
}  // namespace onewindow::workday
