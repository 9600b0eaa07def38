#pragma once

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace onewindow::codes {

// Mainland mobile numbers: 11 digits starting with 1, without a country code or separators.
// OK, or INVALID_ARGUMENT naming what is wrong (positions count from 1).
absl::Status ValidatePhone(absl::string_view number);

}  // namespace onewindow::codes
