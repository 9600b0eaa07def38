#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/store/database.h"
#include "onewindow/catalog/v1/catalog.pb.h"

namespace onewindow::catalog {

// Coverage supervision (效能监督): the basic items each body must onboard
// (应进驻事项) against the implementations it has published.
class Coverage {
 public:
  explicit Coverage(store::Database* db) : db_(db) {}

  // Replaces the department's required items; returns how many it now has.
  absl::StatusOr<int> SetRequired(const std::string& department_credit_code,
                                  const std::vector<std::string>& basic_codes);

  // Every department in the region's subtree (empty = all), then roll-ups:
  // first the region itself (empty code = everything), then each direct
  // child region that holds departments. A body with nothing required
  // counts as fully covered (ratio 1).
  absl::StatusOr<catalog::v1::CoverageReport> Report(const std::string& region_code) const;

 private:
  store::Database* db_;
};

}  // namespace onewindow::catalog
