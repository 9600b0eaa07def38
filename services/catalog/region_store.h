#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/store/connection.h"
#include "onewindow/catalog/v1/regions.pb.h"

namespace onewindow::catalog {

// SQL access to the regions table; callers own the transaction.
class RegionStore {
 public:
  static absl::Status Upsert(store::Connection& db, const catalog::v1::Region& region);
  static std::optional<catalog::v1::Region> Get(store::Connection& db, const std::string& code);
  static std::vector<catalog::v1::Region> Children(store::Connection& db,
                                                   const std::string& parent_code);
  static int64_t Count(store::Connection& db);
};

}  // namespace onewindow::catalog
