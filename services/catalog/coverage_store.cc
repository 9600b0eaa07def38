#include "services/catalog/coverage_store.h"

#include <SQLiteCpp/Statement.h>

#include "onewindow/catalog/v1/items.pb.h"

namespace onewindow::catalog {

void CoverageStore::ReplaceRequired(store::Connection& db, const std::string& credit_code,
                                    const std::vector<std::string>& basic_codes) {
  SQLite::Statement clear(db, "DELETE FROM required_items WHERE department_credit_code = ?");
  clear.bind(1, credit_code);
  clear.exec();
  SQLite::Statement insert(
      db, "INSERT INTO required_items(department_credit_code, basic_code) VALUES(?,?)");
  for (const std::string& code : basic_codes) {
    insert.reset();
    insert.bind(1, credit_code);
    insert.bind(2, code);
    insert.exec();
  }
}

bool CoverageStore::BasicItemExists(store::Connection& db, const std::string& basic_code) {
  SQLite::Statement query(db, "SELECT 1 FROM basic_items WHERE basic_code = ?");
  query.bind(1, basic_code);
  return query.executeStep();
}

void CoverageStore::ForEachRequirement(store::Connection& db, const std::string& region_lo,
                                       const std::string& region_hi,
                                       absl::FunctionRef<void(const RequirementRow&)> fn) {
  // items_current_by_department covers the EXISTS: one index probe per
  // required item.
  SQLite::Statement query(
      db,
      "SELECT d.credit_code, d.name, d.region_code, COALESCE(r.basic_code, ''), "
      "  r.basic_code IS NOT NULL AND EXISTS(SELECT 1 FROM items_current i "
      "    WHERE i.department_credit_code = d.credit_code AND i.basic_code = r.basic_code "
      "    AND i.state = ?) "
      "FROM departments d LEFT JOIN required_items r "
      "  ON r.department_credit_code = d.credit_code "
      "WHERE d.region_code >= ? AND d.region_code < ? "
      "ORDER BY d.region_code, d.credit_code, r.basic_code");
  query.bind(1, static_cast<int>(catalog::v1::PUBLISHED));
  query.bind(2, region_lo);
  query.bind(3, region_hi);
  RequirementRow row;
  while (query.executeStep()) {
    row.credit_code = query.getColumn(0).getString();
    row.name = query.getColumn(1).getString();
    row.region_code = query.getColumn(2).getString();
    row.basic_code = query.getColumn(3).getString();
    row.published = query.getColumn(4).getInt() != 0;
    fn(row);
  }
}

}  // namespace onewindow::catalog
