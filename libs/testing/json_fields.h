#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace onewindow::testing {

// The first string value named `name` anywhere in the JSON `body` ("" when
// there is none), read as text: no parsing and no unescaping. Enough for the
// ids, numbers-as-strings and tokens tests pick out of an answer, which hold
// no quotes or backslashes; parse the answer as its message for anything
// else.
std::string JsonField(absl::string_view body, absl::string_view name);

}  // namespace onewindow::testing
