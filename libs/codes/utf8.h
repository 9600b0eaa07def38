#pragma once

#include <cstddef>

#include "absl/strings/string_view.h"

namespace onewindow::codes {

// The longest start of `text` of at most `max_bytes` that does not split a
// UTF-8 character, for text cut to fit a limit (a message, a notification
// value, a name echoed in an error). Bytes that are not UTF-8 are taken as
// they come.
absl::string_view Utf8Prefix(absl::string_view text, size_t max_bytes);

}  // namespace onewindow::codes
