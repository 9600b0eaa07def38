#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace onewindow::workday {

// Which days are working days in mainland China. Built from the yearly State
// Council notice, kept as data (deploy/calendar/*.txt, format documented at
// the top of those files) so operators can add a year without a rebuild.
//
// A calendar is immutable once loaded and safe to share between threads.
class Calendar {
 public:
  enum class Kind { kHoliday, kWorkday };

  // One listed date and where it came from, so conflicts and audits can name
  // the file and line.
  struct Entry {
    Kind kind = Kind::kHoliday;
    std::string name;
    std::string source;
    int line = 0;
  };

  // Covers no year: every day falls back to plain Monday–Friday.
  Calendar() = default;

  // Parses one calendar file's text. `source_name` only labels errors
  // ("cn-2025.txt:12: ..."). Any bad line is INVALID_ARGUMENT.
  static absl::StatusOr<Calendar> Parse(absl::string_view text, absl::string_view source_name);

  // Parses and merges the files. A date listed with different kinds in two
  // places is INVALID_ARGUMENT; a missing file is NOT_FOUND.
  static absl::StatusOr<Calendar> LoadFiles(const std::vector<std::string>& paths);

  // LoadFiles() on every `*.txt` directly in `dir`, in name order. A missing
  // directory or one without calendar files is NOT_FOUND.
  static absl::StatusOr<Calendar> LoadDirectory(const std::string& dir);

  // Listed holidays are off and listed make-up days are worked; other days
  // follow the week (Monday–Friday worked). Outside covered years the week
  // alone decides, which is why callers should check Covers().
  bool IsWorkingDay(absl::CivilDay day) const;

  // True when some file declared `year`: its holidays are known.
  bool Covers(int year) const;

  // True when every year from `first` to `last` (inclusive) is covered; a
  // deadline computed over an uncovered span may be wrong and deserves a
  // warning.
  bool CoversSpan(absl::CivilDay first, absl::CivilDay last) const;

  std::vector<int> CoveredYears() const;

  // The last year of the unbroken run of covered years that starts at
  // `year`; 0 when `year` itself is not covered. Deadlines that end by
  // then skip the right holidays.
  int CoveredThrough(int year) const;

  // The listed entry for `day`, or nullptr when the day is not listed. Valid
  // as long as this calendar is.
  const Entry* Find(absl::CivilDay day) const;

 private:
  // Adds `other`'s years and dates; fails on a date whose kinds differ.
  absl::Status Merge(Calendar other);

  std::set<int> years_;
  std::map<absl::CivilDay, Entry> entries_;
};

}  // namespace onewindow::workday
