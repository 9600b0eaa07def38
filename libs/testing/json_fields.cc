#include "libs/testing/json_fields.h"

#include "absl/strings/str_cat.h"

namespace onewindow::testing {

std::string JsonField(absl::string_view body, absl::string_view name) {
  const std::string key = absl::StrCat("\"", name, "\":\"");
  const size_t at = body.find(key);
  if (at == absl::string_view::npos) return "";
  const size_t start = at + key.size();
  return std::string(body.substr(start, body.find('"', start) - start));
}

}  // namespace onewindow::testing
