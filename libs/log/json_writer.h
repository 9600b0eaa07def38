#pragma once

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace onewindow::log {

// Appends `value` to `out` as a JSON string literal (with quotes). Invalid
// UTF-8 becomes U+FFFD so a log line is always valid JSON, whatever a client
// sent.
void AppendJsonString(absl::string_view value, std::string* out);

}  // namespace onewindow::log
