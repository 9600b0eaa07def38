#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace onewindow::intake {

// Keyset paging for lists ordered newest first by (time, id): the token is
// where the previous page stopped, so pages stay stable while rows arrive.
struct PageCursor {
  int64_t time = 0;
  std::string id;
};

std::string EncodeCursor(const PageCursor& cursor);
// INVALID_ARGUMENT naming page_token when it is not one we issued.
absl::StatusOr<PageCursor> DecodeCursor(absl::string_view token);

// `requested` clamped to [1, max]; `fallback` when unset (<= 0).
int PageSize(int requested, int fallback, int max);

}  // namespace onewindow::intake
