#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace onewindow::codes {

// Resident identity numbers (GB 11643): 6 address + 8 birth date YYYYMMDD + 3 sequence + 1 check
// character. Positions in error messages count from 1, as a citizen reading the card would.

// OK, or INVALID_ARGUMENT naming what is wrong. Messages never repeat the whole number, because
// errors end up in logs. A lower-case 'x' is rejected: call NormalizeResidentId first, so that
// stored numbers have one spelling and compare equal.
absl::Status ValidateResidentId(absl::string_view id);

// Trims surrounding ASCII whitespace and upper-cases a trailing 'x'. Does not validate.
std::string NormalizeResidentId(absl::string_view id);

// The check character ('0'-'9' or 'X') for the first 17 characters of a number, or '\0' when
// `first17` is not exactly 17 ASCII digits. For generators and tests.
char ResidentIdCheckChar(absl::string_view first17);

}  // namespace onewindow::codes
