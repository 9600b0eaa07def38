#pragma once

#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/store/database.h"
#include "onewindow/catalog/v1/regions.pb.h"

namespace onewindow::catalog {

// The five-level region tree. Levels and parents are derived from the codes
// themselves (DOMAIN.md), so an import cannot contradict the code structure.
class Regions {
 public:
  explicit Regions(store::Database* db) : db_(db) {}

  // All or nothing. Each region's parent must exist or come in the batch.
  absl::StatusOr<int> Import(std::vector<catalog::v1::Region> regions);
  absl::StatusOr<catalog::v1::Region> Get(const std::string& code) const;
  // "000000000000" lists the provinces.
  absl::StatusOr<std::vector<catalog::v1::Region>> Children(const std::string& code) const;
  // Nearest first, up to the province; the region itself is not included.
  absl::StatusOr<std::vector<catalog::v1::Region>> Ancestors(const std::string& code) const;

 private:
  store::Database* db_;
};

}  // namespace onewindow::catalog
