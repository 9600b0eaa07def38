#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace onewindow::complaint {

// The leading digits every code in `region_code`'s subtree shares: "44" for
// Guangdong, "4401" for Guangzhou, "441900003" for a Dongguan town. Empty
// for an invalid code (callers validate first).
std::string SubtreePrefix(absl::string_view region_code);

// True when `code` lies in the subtree of `ancestor_or_self`.
bool InSubtree(absl::string_view code, absl::string_view ancestor_or_self);

}  // namespace onewindow::complaint
