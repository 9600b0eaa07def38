#include "services/intake/ids.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/auth/random.h"

namespace onewindow::intake {

std::string NewId(absl::string_view prefix, absl::Time now) {
  const int64_t micros = std::max<int64_t>(0, absl::ToUnixMicros(now));
  return absl::StrCat(prefix, absl::StrFormat("%013x", micros), auth::RandomHex(8));
}

}  // namespace onewindow::intake
