#pragma once

#include <memory>
#include <string>

#include <prometheus/exposer.h>
#include <prometheus/registry.h>

#include "absl/status/statusor.h"

namespace onewindow::server {

// Serves `registry` at http://<address>/metrics (port 0 picks a free one).
absl::StatusOr<std::unique_ptr<prometheus::Exposer>> StartMetricsEndpoint(
    const std::string& address, const std::shared_ptr<prometheus::Registry>& registry);

}  // namespace onewindow::server
