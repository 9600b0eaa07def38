#pragma once

#include "absl/status/status.h"
#include "libs/testing/stack.h"

namespace onewindow::testing {

// Imports three regions into `stack`'s catalog, as the platform admin:
// 广东省 (440000000000) and two of its cities, 广州市 (440100000000) and
// 东莞市 (441900000000). Enough for region routes without a generated
// province.
absl::Status ImportDemoRegions(const Stack& stack);

}  // namespace onewindow::testing
