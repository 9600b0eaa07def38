#include "libs/testing/process_cpu.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

namespace onewindow::testing {

double ProcessCpuSeconds(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string line;
  if (!std::getline(in, line)) return -1;
  // The command name (field 2) may hold spaces; the fields after it do not.
  const size_t close = line.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(line.substr(close + 2));
  std::vector<std::string> f;
  std::string field;
  while (fields >> field) f.push_back(field);
  // Field 3 (state) is f[0], so utime (14) is f[11] and stime (15) f[12].
  if (f.size() < 13) return -1;
  const double ticks = static_cast<double>(std::strtoull(f[11].c_str(), nullptr, 10) +
                                           std::strtoull(f[12].c_str(), nullptr, 10));
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

HostCpuTicks ReadHostCpuTicks() {
  std::ifstream in("/proc/stat");
  std::string label;
  HostCpuTicks ticks;
  if (!(in >> label) || label != "cpu") return ticks;
  // user nice system idle iowait irq softirq steal; guest time is already
  // inside user and nice.
  for (int i = 0; i < 8; ++i) {
    uint64_t value = 0;
    if (!(in >> value)) return HostCpuTicks{};
    ticks.total += value;
    if (i == 7) ticks.steal = value;
  }
  return ticks;
}

double StealPercent(const HostCpuTicks& start, const HostCpuTicks& end) {
  if (end.total <= start.total || end.steal < start.steal) return 0;
  return 100.0 * static_cast<double>(end.steal - start.steal) /
         static_cast<double>(end.total - start.total);
}

}  // namespace onewindow::testing
