#pragma once

#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "absl/status/status.h"
#include "libs/store/database.h"

namespace onewindow::catalog {

// onewindow_catalog_required_items{level} and _onboarded_items{level}: the
// items bodies must onboard (应进驻事项), summed over the bodies of each
// administrative level, and how many of them are published. For alerts on
// coverage and the dashboard; GetCoverage gives the per-body detail.
class CoverageGauges {
 public:
  explicit CoverageGauges(prometheus::Registry& registry);

  absl::Status Refresh(const store::Database& db);

 private:
  prometheus::Family<prometheus::Gauge>& required_;
  prometheus::Family<prometheus::Gauge>& onboarded_;
};

}  // namespace onewindow::catalog
