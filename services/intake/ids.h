#pragma once

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/auth/random.h"

namespace onewindow::intake {

// Longest identifier a request may carry (idempotency keys, applicant and
// material ids): ours are far shorter, and each is stored or looked up.
inline constexpr size_t kMaxIdBytes = 128;

// A new id: `prefix`, the creation time in microseconds (13 hex digits) and
// 64 random bits. Ids made later sort later, so rows and index entries keyed
// by them are appended at the right edge of their B-trees: a group of
// submissions committed together dirties a few pages, not one page per
// index per submission. The random part keeps ids unique and unguessable;
// access never depends on that, every read checks who asks.
std::string NewId(absl::string_view prefix, absl::Time now);
// The same with the random bits from `random`, for ids made per request.
std::string NewId(absl::string_view prefix, absl::Time now, auth::RandomPool& random);

}  // namespace onewindow::intake
