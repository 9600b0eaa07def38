#include "services/catalog/region_store.h"

#include <SQLiteCpp/Statement.h>

namespace onewindow::catalog {
namespace {

catalog::v1::Region RowToRegion(SQLite::Statement& row) {
  catalog::v1::Region region;
  region.set_code(row.getColumn(0).getString());
  region.set_name(row.getColumn(1).getString());
  region.set_level(static_cast<catalog::v1::RegionLevel>(row.getColumn(2).getInt()));
  region.set_parent_code(row.getColumn(3).getString());
  return region;
}

}  // namespace

absl::Status RegionStore::Upsert(store::Connection& db, const catalog::v1::Region& region) {
  SQLite::Statement insert(db,
                           "INSERT INTO regions(code, name, level, parent_code) VALUES(?,?,?,?) "
                           "ON CONFLICT(code) DO UPDATE SET name = excluded.name");
  insert.bind(1, region.code());
  insert.bind(2, region.name());
  insert.bind(3, static_cast<int>(region.level()));
  if (region.parent_code().empty()) {
    insert.bind(4);
  } else {
    insert.bind(4, region.parent_code());
  }
  insert.exec();
  return absl::OkStatus();
}

std::optional<catalog::v1::Region> RegionStore::Get(store::Connection& db,
                                                    const std::string& code) {
  SQLite::Statement query(
      db, "SELECT code, name, level, COALESCE(parent_code, '') FROM regions WHERE code = ?");
  query.bind(1, code);
  if (!query.executeStep()) return std::nullopt;
  return RowToRegion(query);
}

std::vector<catalog::v1::Region> RegionStore::Children(store::Connection& db,
                                                       const std::string& parent_code) {
  SQLite::Statement query(db, parent_code.empty()
                                  ? "SELECT code, name, level, '' FROM regions "
                                    "WHERE parent_code IS NULL ORDER BY code"
                                  : "SELECT code, name, level, parent_code FROM regions "
                                    "WHERE parent_code = ? ORDER BY code");
  if (!parent_code.empty()) query.bind(1, parent_code);
  std::vector<catalog::v1::Region> regions;
  while (query.executeStep()) regions.push_back(RowToRegion(query));
  return regions;
}

int64_t RegionStore::Count(store::Connection& db) {
  return db.execAndGet("SELECT COUNT(*) FROM regions").getInt64();
}

}  // namespace onewindow::catalog
