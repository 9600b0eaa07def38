#pragma once

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace onewindow::codes {

// Unified social credit codes (GB 32100): 1 registering authority + 1 entity kind + 6 region
// (GB/T 2260) + 9 organisation code + 1 check, over the 31 symbols 0-9 and A-Z without I O S V Z.
// Positions in error messages count from 1.

// OK, or INVALID_ARGUMENT naming what is wrong. Lower-case letters are rejected rather than
// folded: the standard prints codes in upper case and stored codes must compare equal.
absl::Status ValidateCreditCode(absl::string_view code);

// True when the code belongs to a government body (registering authority 1, kind 1). Looks only
// at the prefix, so validate first when the code is untrusted.
bool IsGovernmentBody(absl::string_view code);

// The check character for the first 17 symbols of a code, or '\0' when `first17` is not exactly
// 17 symbols of the alphabet. For data generators and tests.
char CreditCodeCheckChar(absl::string_view first17);

}  // namespace onewindow::codes
