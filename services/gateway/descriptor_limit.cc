#include "services/gateway/descriptor_limit.h"

#include <sys/resource.h>

#include <algorithm>
#include <cstdint>

namespace onewindow::gateway {

int ConnectionsWithinDescriptorLimit(int wanted, int reserve) {
  struct rlimit limit;
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return wanted;
  if (limit.rlim_cur < limit.rlim_max) {
    struct rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  if (limit.rlim_cur == RLIM_INFINITY) return wanted;
  const int64_t fit = static_cast<int64_t>(limit.rlim_cur) - reserve;
  return static_cast<int>(std::clamp<int64_t>(fit, 1, wanted));
}

}  // namespace onewindow::gateway
