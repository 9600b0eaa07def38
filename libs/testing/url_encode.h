#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace onewindow::testing {

// Percent-encoding for a URL's query value or path segment: everything but
// RFC 3986's unreserved characters, so UTF-8 (Chinese search words) too.
std::string UrlEncode(absl::string_view text);

}  // namespace onewindow::testing
