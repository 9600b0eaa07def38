#pragma once

#include <string>
#include <vector>

#include "libs/store/connection.h"

#include "absl/functional/function_ref.h"

namespace onewindow::catalog {

// One department's one required basic item (basic_code empty when the
// department has none), and whether the department has it published.
struct RequirementRow {
  std::string credit_code;
  std::string name;
  std::string region_code;
  std::string basic_code;
  bool published = false;
};

// SQL access to required_items and the coverage query; callers own the
// transaction.
class CoverageStore {
 public:
  static void ReplaceRequired(store::Connection& db, const std::string& credit_code,
                              const std::vector<std::string>& basic_codes);
  static bool BasicItemExists(store::Connection& db, const std::string& basic_code);
  // Departments whose region code lies in [region_lo, region_hi), each with
  // its requirements, ordered by region, department and basic code.
  static void ForEachRequirement(store::Connection& db, const std::string& region_lo,
                                 const std::string& region_hi,
                                 absl::FunctionRef<void(const RequirementRow&)> fn);
};

}  // namespace onewindow::catalog
