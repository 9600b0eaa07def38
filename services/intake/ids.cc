#include "services/intake/ids.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/auth/random.h"

namespace onewindow::intake {

namespace {

constexpr size_t kRandomBytes = 8;

std::string TimePart(absl::Time now) {
  return absl::StrFormat("%013x", std::max<int64_t>(0, absl::ToUnixMicros(now)));
}

}  // namespace

std::string NewId(absl::string_view prefix, absl::Time now) {
  return absl::StrCat(prefix, TimePart(now), auth::RandomHex(kRandomBytes));
}

std::string NewId(absl::string_view prefix, absl::Time now, auth::RandomPool& random) {
  return absl::StrCat(prefix, TimePart(now), random.Hex(kRandomBytes));
}

}  // namespace onewindow::intake
