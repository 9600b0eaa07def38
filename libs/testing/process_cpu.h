#pragma once

#include <sys/types.h>

#include <cstdint>

namespace onewindow::testing {

// The CPU time (utime + stime, all threads) a process has used, in seconds,
// from /proc/<pid>/stat; negative when it cannot be read. Benchmarks read it
// at both ends of a window to charge each process of a path its share.
double ProcessCpuSeconds(pid_t pid);

// The whole machine's CPU ticks from /proc/stat's "cpu" line: all of them,
// and those the hypervisor gave to other guests (steal). Read at both ends
// of a window, the share of steal tells a slow run on a contended host from
// a slow program.
struct HostCpuTicks {
  uint64_t total = 0;
  uint64_t steal = 0;
};
HostCpuTicks ReadHostCpuTicks();

// Steal as a percentage of all ticks between two readings (0 when none).
double StealPercent(const HostCpuTicks& start, const HostCpuTicks& end);

}  // namespace onewindow::testing
