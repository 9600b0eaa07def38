#pragma once

#include <sys/types.h>

namespace onewindow::testing {

// The CPU time (utime + stime, all threads) a process has used, in seconds,
// from /proc/<pid>/stat; negative when it cannot be read. Benchmarks read it
// at both ends of a window to charge each process of a path its share.
double ProcessCpuSeconds(pid_t pid);

}  // namespace onewindow::testing
