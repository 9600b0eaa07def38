#pragma once

#include <optional>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "onewindow/catalog/v1/regions.pb.h"

namespace onewindow::catalog {

// SQL access to the regions table; callers own the transaction.
class RegionStore {
 public:
  static absl::Status Upsert(SQLite::Database& db, const catalog::v1::Region& region);
  static std::optional<catalog::v1::Region> Get(SQLite::Database& db, const std::string& code);
  static std::vector<catalog::v1::Region> Children(SQLite::Database& db,
                                                   const std::string& parent_code);
  static int64_t Count(SQLite::Database& db);
};

}  // namespace onewindow::catalog
