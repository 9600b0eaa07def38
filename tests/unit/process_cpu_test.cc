#include "libs/testing/process_cpu.h"

#include <unistd.h>

#include <catch2/catch.hpp>

#include "absl/time/clock.h"

namespace onewindow::testing {
namespace {

TEST_CASE("the host's CPU ticks grow, and steal is their share taken by other guests") {
  const HostCpuTicks first = ReadHostCpuTicks();
  REQUIRE(first.total > 0);
  CHECK(first.steal <= first.total);
  CHECK(StealPercent({1000, 10}, {2000, 60}) == Approx(5.0));
  // No time between readings, or readings out of order: nothing to share.
  CHECK(StealPercent(first, first) == 0);
  CHECK(StealPercent({2000, 60}, {1000, 10}) == 0);
}

TEST_CASE("a process's CPU seconds grow as it works, and an absent process reads negative") {
  const double before = ProcessCpuSeconds(getpid());
  REQUIRE(before >= 0);
  // Spin until the clock ticks over (10 ms a tick), giving up after 10 s.
  volatile double sink = 0;
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (ProcessCpuSeconds(getpid()) <= before && absl::Now() < give_up) {
    for (int i = 0; i < 100000; ++i) sink = sink + i;
  }
  CHECK(ProcessCpuSeconds(getpid()) > before);
  CHECK(ProcessCpuSeconds(-1) < 0);
}

}  // namespace
}  // namespace onewindow::testing
