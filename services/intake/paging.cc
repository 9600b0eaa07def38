#include "services/intake/paging.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace onewindow::intake {

std::string EncodeCursor(const PageCursor& cursor) {
  return absl::WebSafeBase64Escape(absl::StrCat(cursor.time, "|", cursor.id));
}

absl::StatusOr<PageCursor> DecodeCursor(absl::string_view token) {
  const absl::Status malformed = absl::InvalidArgumentError("page_token: malformed");
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw)) return malformed;
  const size_t bar = raw.find('|');
  PageCursor cursor;
  if (bar == std::string::npos || !absl::SimpleAtoi(raw.substr(0, bar), &cursor.time)) {
    return malformed;
  }
  cursor.id = raw.substr(bar + 1);
  if (cursor.id.empty()) return malformed;
  return cursor;
}

int PageSize(int requested, int fallback, int max) {
  if (requested <= 0) return fallback;
  return std::min(requested, max);
}

}  // namespace onewindow::intake
