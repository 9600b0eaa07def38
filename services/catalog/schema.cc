#include "services/catalog/schema.h"

namespace onewindow::catalog {

const std::vector<store::Migration>& CatalogMigrations() {
  static const auto* const kMigrations = new std::vector<store::Migration>{
      {1, "regions",
       R"sql(
CREATE TABLE regions (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  level INTEGER NOT NULL,
  parent_code TEXT REFERENCES regions(code)
);
CREATE INDEX regions_by_parent ON regions(parent_code);
)sql"},
  };
  return *kMigrations;
}

}  // namespace onewindow::catalog
