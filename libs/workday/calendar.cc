#include "libs/workday/calendar.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "libs/status/macros.h"

namespace onewindow::workday {
namespace {

constexpr absl::string_view kUtf8Bom = "\xEF\xBB\xBF";

absl::string_view KindName(Calendar::Kind kind) {
  return kind == Calendar::Kind::kHoliday ? "holiday" : "workday";
}

bool IsWeekend(absl::CivilDay day) {
  const absl::Weekday weekday = absl::GetWeekday(day);
  return weekday == absl::Weekday::saturday || weekday == absl::Weekday::sunday;
}

absl::string_view WeekdayName(absl::CivilDay day) {
  switch (absl::GetWeekday(day)) {
    case absl::Weekday::monday:
      return "Monday";
    case absl::Weekday::tuesday:
      return "Tuesday";
    case absl::Weekday::wednesday:
      return "Wednesday";
    case absl::Weekday::thursday:
      return "Thursday";
    case absl::Weekday::friday:
      return "Friday";
    case absl::Weekday::saturday:
      return "Saturday";
    case absl::Weekday::sunday:
      return "Sunday";
  }
  return "?";
}

bool AllDigits(absl::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return absl::ascii_isdigit(c); });
}

// Strict YYYY-MM-DD. absl::ParseCivilTime would also take other widths and
// signs, which in an operator-edited file are more likely typos than intent.
bool ParseDate(absl::string_view text, absl::CivilDay* day) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
    return false;
  }
  const absl::string_view year_text = text.substr(0, 4);
  const absl::string_view month_text = text.substr(5, 2);
  const absl::string_view day_text = text.substr(8, 2);
  int year = 0;
  int month = 0;
  int day_of_month = 0;
  if (!AllDigits(year_text) || !AllDigits(month_text) || !AllDigits(day_text) ||
      !absl::SimpleAtoi(year_text, &year) || !absl::SimpleAtoi(month_text, &month) ||
      !absl::SimpleAtoi(day_text, &day_of_month)) {
    return false;
  }
  const absl::CivilDay parsed(year, month, day_of_month);
  // CivilDay normalises 2025-02-30 to 2025-03-02; a real date survives as is.
  if (parsed.year() != year || parsed.month() != month || parsed.day() != day_of_month) {
    return false;
  }
  *day = parsed;
  return true;
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) {
    return absl::NotFoundError(absl::StrCat("calendar file ", path, " does not exist"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot open calendar file ", path, ": ", std::strerror(errno)));
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) {
    return absl::FailedPreconditionError(absl::StrCat("cannot read calendar file ", path));
  }
  return contents.str();
}

}  // namespace

absl::StatusOr<Calendar> Calendar::Parse(absl::string_view text, absl::string_view source_name) {
  Calendar calendar;
  absl::ConsumePrefix(&text, kUtf8Bom);
  int line_number = 0;
  for (absl::string_view raw_line : absl::StrSplit(text, '\n')) {
    ++line_number;
    absl::string_view line = raw_line;
    if (const size_t hash = line.find('#'); hash != absl::string_view::npos) {
      line = line.substr(0, hash);
    }
    // Also drops the '\r' of files saved on Windows.
    line = absl::StripAsciiWhitespace(line);
    if (line.empty()) {
      continue;
    }
    auto fail = [&](absl::string_view what) {
      return absl::InvalidArgumentError(absl::StrCat(source_name, ":", line_number, ": ", what));
    };
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());

    if (fields[0] == "year") {
      int year = 0;
      if (fields.size() != 2 || fields[1].size() != 4 || !AllDigits(fields[1]) ||
          !absl::SimpleAtoi(fields[1], &year)) {
        return fail(absl::StrCat("want 'year YYYY', got '", line, "'"));
      }
      calendar.years_.insert(year);
      continue;
    }

    absl::CivilDay day;
    if (!ParseDate(fields[0], &day)) {
      return fail(
          absl::StrCat("'", fields[0], "' is neither 'year' nor a real date written YYYY-MM-DD"));
    }
    if (calendar.years_.empty()) {
      return fail("a date comes before the 'year YYYY' line that says which year this file covers");
    }
    // A file may reach one year out (a New Year break starting on 31
    // December); anything further is almost certainly a mistyped year.
    const int year = static_cast<int>(day.year());
    if (calendar.years_.count(year) == 0 && calendar.years_.count(year - 1) == 0 &&
        calendar.years_.count(year + 1) == 0) {
      return fail(absl::StrCat(fields[0], " is not in or next to a year this file declares"));
    }
    if (fields.size() < 2) {
      return fail(absl::StrCat("missing kind after ", fields[0], " (want holiday or workday)"));
    }
    Entry entry;
    if (fields[1] == "holiday") {
      entry.kind = Kind::kHoliday;
    } else if (fields[1] == "workday") {
      entry.kind = Kind::kWorkday;
      // A weekday is worked anyway; listing one means the wrong date was typed.
      if (!IsWeekend(day)) {
        return fail(absl::StrCat(fields[0], " is a ", WeekdayName(day),
                                 "; only a Saturday or Sunday can be a make-up workday"));
      }
    } else {
      return fail(absl::StrCat("unknown kind '", fields[1], "' (want holiday or workday)"));
    }
    // The name is free text and may contain spaces.
    const size_t name_start =
        static_cast<size_t>(fields[1].data() - line.data()) + fields[1].size();
    entry.name = std::string(absl::StripAsciiWhitespace(line.substr(name_start)));
    entry.source = std::string(source_name);
    entry.line = line_number;

    auto [it, inserted] = calendar.entries_.emplace(day, entry);
    if (!inserted && it->second.kind != entry.kind) {
      return fail(absl::StrCat(fields[0], " is listed as ", KindName(entry.kind), " but line ",
                               it->second.line, " lists it as ", KindName(it->second.kind)));
    }
  }
  if (calendar.years_.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(source_name, ": no 'year YYYY' line says which year this file covers"));
  }
  return calendar;
}

absl::Status Calendar::Merge(Calendar other) {
  for (auto& [day, entry] : other.entries_) {
    auto [it, inserted] = entries_.emplace(day, entry);
    if (!inserted && it->second.kind != entry.kind) {
      return absl::InvalidArgumentError(
          absl::StrCat(entry.source, ":", entry.line, ": ", absl::FormatCivilTime(day),
                       " is listed as ", KindName(entry.kind), " but ", it->second.source, ":",
                       it->second.line, " lists it as ", KindName(it->second.kind)));
    }
  }
  years_.insert(other.years_.begin(), other.years_.end());
  return absl::OkStatus();
}

absl::StatusOr<Calendar> Calendar::LoadFiles(const std::vector<std::string>& paths) {
  if (paths.empty()) {
    // An empty calendar would silently fall back to Monday–Friday everywhere.
    return absl::InvalidArgumentError("no calendar files given");
  }
  Calendar calendar;
  for (const std::string& path : paths) {
    ASSIGN_OR_RETURN(const std::string text, ReadFile(path));
    ASSIGN_OR_RETURN(Calendar parsed, Parse(text, path));
    RETURN_IF_ERROR(calendar.Merge(std::move(parsed)));
  }
  return calendar;
}

absl::StatusOr<Calendar> Calendar::LoadDirectory(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code error;
  fs::directory_iterator it(dir, error);
  if (error) {
    return absl::NotFoundError(
        absl::StrCat("cannot list calendar directory ", dir, ": ", error.message()));
  }
  std::vector<std::string> paths;
  for (const fs::directory_entry& entry : it) {
    if (entry.path().extension() == ".txt" && entry.is_regular_file(error)) {
      paths.push_back(entry.path().string());
    }
  }
  if (paths.empty()) {
    return absl::NotFoundError(absl::StrCat("no *.txt calendar files in ", dir));
  }
  // Directory order is arbitrary; sorting keeps error messages reproducible.
  std::sort(paths.begin(), paths.end());
  return LoadFiles(paths);
}

bool Calendar::IsWorkingDay(absl::CivilDay day) const {
  if (const Entry* entry = Find(day); entry != nullptr) {
    return entry->kind == Kind::kWorkday;
  }
  return !IsWeekend(day);
}

bool Calendar::Covers(int year) const { return years_.count(year) > 0; }

bool Calendar::CoversSpan(absl::CivilDay first, absl::CivilDay last) const {
  for (auto year = first.year(); year <= last.year(); ++year) {
    if (!Covers(static_cast<int>(year))) {
      return false;
    }
  }
  return true;
}

std::vector<int> Calendar::CoveredYears() const {
  return std::vector<int>(years_.begin(), years_.end());
}

int Calendar::CoveredThrough(int year) const {
  if (!Covers(year)) return 0;
  while (Covers(year + 1)) ++year;
  return year;
}

const Calendar::Entry* Calendar::Find(absl::CivilDay day) const {
  const auto it = entries_.find(day);
  return it == entries_.end() ? nullptr : &it->second;
}

}  // namespace onewindow::workday
