#include "libs/codes/resident_id.h"

#include <array>
#include <cstddef>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

#include "libs/status/macros.h"

namespace onewindow::codes {
namespace {

constexpr size_t kLength = 18;
constexpr std::array<int, 17> kWeights = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
constexpr absl::string_view kCheckChars = "10X98765432";

// Eighteen-digit numbers were first issued in 1999, to living people; a year before this is a
// typo (0949 for 1949), not a real birth.
constexpr int kMinBirthYear = 1800;

// The caller has checked that `digits` are all ASCII digits.
int ParseDigits(absl::string_view digits) {
  int value = 0;
  for (char c : digits) {
    value = value * 10 + (c - '0');
  }
  return value;
}

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && IsLeapYear(year)) {
    return 29;
  }
  return kDays[month - 1];
}

absl::Status ValidateBirthDate(absl::string_view yyyymmdd) {
  const int year = ParseDigits(yyyymmdd.substr(0, 4));
  const int month = ParseDigits(yyyymmdd.substr(4, 2));
  const int day = ParseDigits(yyyymmdd.substr(6, 2));
  if (year < kMinBirthYear) {
    return absl::InvalidArgumentError(absl::StrCat("resident ID has a bad birth date: year ",
                                                   yyyymmdd.substr(0, 4), " is before ",
                                                   kMinBirthYear));
  }
  if (month < 1 || month > 12) {
    return absl::InvalidArgumentError(absl::StrCat("resident ID has a bad birth date: month ",
                                                   yyyymmdd.substr(4, 2), " does not exist"));
  }
  if (day < 1 || day > DaysInMonth(year, month)) {
    return absl::InvalidArgumentError(
        absl::StrCat("resident ID has a bad birth date: day ", yyyymmdd.substr(6, 2),
                     " does not exist in month ", yyyymmdd.substr(4, 2), " of ", year));
  }
  return absl::OkStatus();
}

}  // namespace

char ResidentIdCheckChar(absl::string_view first17) {
  if (first17.size() != kWeights.size()) {
    return '\0';
  }
  int sum = 0;
  for (size_t i = 0; i < kWeights.size(); ++i) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(first17[i]))) {
      return '\0';
    }
    sum += (first17[i] - '0') * kWeights[i];
  }
  return kCheckChars[sum % 11];
}

absl::Status ValidateResidentId(absl::string_view id) {
  if (id.size() != kLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("resident ID must be ", kLength, " characters, got ", id.size()));
  }
  for (size_t i = 0; i + 1 < kLength; ++i) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(id[i]))) {
      return absl::InvalidArgumentError(
          absl::StrCat("resident ID has a non-digit at position ", i + 1));
    }
  }
  const char actual = id[kLength - 1];
  if (actual == 'x') {
    return absl::InvalidArgumentError(
        "resident ID check character must be upper-case 'X', got 'x' (normalise the number "
        "first)");
  }
  if (actual != 'X' && !absl::ascii_isdigit(static_cast<unsigned char>(actual))) {
    // Not echoed: it may be one byte of a multi-byte character.
    return absl::InvalidArgumentError(absl::StrCat("resident ID check character at position ",
                                                   kLength, " must be a digit or 'X'"));
  }
  RETURN_IF_ERROR(ValidateBirthDate(id.substr(6, 8)));
  const char expected = ResidentIdCheckChar(id.substr(0, kLength - 1));
  if (actual != expected) {
    return absl::InvalidArgumentError(absl::StrCat(
        "resident ID check character is wrong: expected '", absl::string_view(&expected, 1),
        "', got '", absl::string_view(&actual, 1), "'"));
  }
  return absl::OkStatus();
}

std::string NormalizeResidentId(absl::string_view id) {
  std::string normalized(absl::StripAsciiWhitespace(id));
  if (!normalized.empty() && normalized.back() == 'x') {
    normalized.back() = 'X';
  }
  return normalized;
}

}  // namespace onewindow::codes
