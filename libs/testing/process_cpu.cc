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

}  // namespace onewindow::testing
