#include "libs/testing/bench_output.h"

#include <errno.h>  // program_invocation_short_name

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace onewindow::testing {

void Figure(const std::string& name, double value, const std::string& unit) {
  const double a = std::abs(value);
  const int decimals = value == std::floor(value) ? 0 : a < 1 ? 3 : a < 10 ? 2 : a < 1000 ? 1 : 0;
  std::printf("figure: %s %.*f %s\n", name.c_str(), decimals, value, unit.c_str());
  // Flushed at once: a long run is watched as it goes, often through a pipe.
  std::fflush(stdout);
}

void Note(const std::string& text) {
  std::printf("note: %s\n", text.c_str());
  std::fflush(stdout);
}

void Fail(const std::string& why) {
  std::fprintf(stderr, "%s: %s\n", program_invocation_short_name, why.c_str());
  std::exit(1);
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const double rank = std::ceil(p * static_cast<double>(values.size()));
  const size_t index = rank < 1 ? 0 : static_cast<size_t>(rank) - 1;
  return values[std::min(index, values.size() - 1)];
}

}  // namespace onewindow::testing
