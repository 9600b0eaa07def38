#include "services/catalog/department_store.h"

namespace onewindow::catalog {
namespace {

constexpr char kSelect[] =
    "SELECT credit_code, name, region_code, COALESCE(parent_credit_code, '') FROM departments "
    "WHERE credit_code = ?";

catalog::v1::Department RowToDepartment(SQLite::Statement& row) {
  catalog::v1::Department d;
  d.set_credit_code(row.getColumn(0).getString());
  d.set_name(row.getColumn(1).getString());
  d.set_region_code(row.getColumn(2).getString());
  d.set_parent_credit_code(row.getColumn(3).getString());
  return d;
}

std::optional<catalog::v1::Department> RunGet(SQLite::Statement& query,
                                              const std::string& credit_code) {
  query.reset();
  query.bind(1, credit_code);
  if (!query.executeStep()) return std::nullopt;
  return RowToDepartment(query);
}

}  // namespace

std::optional<catalog::v1::Department> DepartmentStore::Get(store::Connection& db,
                                                            const std::string& credit_code) {
  SQLite::Statement query(db, kSelect);
  return RunGet(query, credit_code);
}

DepartmentStore::Reader::Reader(store::Connection& db)
    : get_(db, kSelect), region_(db, "SELECT 1 FROM regions WHERE code = ?") {}

DepartmentStore::Batch::Batch(store::Connection& db)
    : Reader(db),
      upsert_(db,
              "INSERT INTO departments(credit_code, name, region_code, parent_credit_code) "
              "VALUES(?,?,?,?) ON CONFLICT(credit_code) DO UPDATE SET name = excluded.name, "
              "region_code = excluded.region_code, "
              "parent_credit_code = excluded.parent_credit_code") {}

std::optional<catalog::v1::Department> DepartmentStore::Reader::Get(
    const std::string& credit_code) {
  return RunGet(get_, credit_code);
}

bool DepartmentStore::Reader::RegionExists(const std::string& region_code) {
  region_.reset();
  region_.bind(1, region_code);
  return region_.executeStep();
}

void DepartmentStore::Batch::Upsert(const catalog::v1::Department& d) {
  upsert_.reset();
  upsert_.bindNoCopy(1, d.credit_code());
  upsert_.bindNoCopy(2, d.name());
  upsert_.bindNoCopy(3, d.region_code());
  if (d.parent_credit_code().empty()) {
    upsert_.bind(4);
  } else {
    upsert_.bindNoCopy(4, d.parent_credit_code());
  }
  upsert_.exec();
}

}  // namespace onewindow::catalog
