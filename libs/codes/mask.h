#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace onewindow::codes {

// Masks for showing personal data to anyone but its owner and authorised staff. Input that is
// not well formed is masked completely, one '*' per character (per byte where the input is not
// valid UTF-8): a typo may put the hidden digits where the shown ones would be.

// 18-character resident ID -> first 3 + 11 '*' + last 4, e.g. 110***********002X. A lower-case
// check character is shown upper-case. The check character itself is not verified.
std::string MaskResidentId(absl::string_view id);

// 11-digit mobile number starting with 1 -> first 3 + "****" + last 4, e.g. 138****1234.
std::string MaskPhone(absl::string_view phone);

// UTF-8 name -> its first character, then one '*' per further character: 张三丰 -> 张**. A
// one-character name becomes "*", so no name is ever shown whole.
std::string MaskName(absl::string_view name);

}  // namespace onewindow::codes
