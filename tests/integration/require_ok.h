#pragma once

// Catch2 glue for libs/testing's helpers, which report with absl::Status
// (the benchmarks and loadgen share them and have no test framework).

#include <catch2/catch.hpp>

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace onewindow::testing {

// The value, or the running test case ends showing the error.
template <typename T>
T RequireOk(absl::StatusOr<T> result) {
  INFO(result.status().ToString());
  REQUIRE(result.ok());
  return *std::move(result);
}

// The running test case ends showing `status` unless it is OK.
inline void RequireOk(const absl::Status& status) {
  INFO(status.ToString());
  REQUIRE(status.ok());
}

}  // namespace onewindow::testing
