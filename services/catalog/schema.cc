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
      {2, "departments, items, revisions, required items",
       R"sql(
CREATE TABLE departments (
  credit_code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  region_code TEXT NOT NULL REFERENCES regions(code),
  parent_credit_code TEXT
) WITHOUT ROWID;
CREATE INDEX departments_by_region ON departments(region_code);

CREATE TABLE basic_items (
  basic_code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  body BLOB NOT NULL
);

-- One row per implementation with just what search, coverage and the
-- revision counter need: the index is built from it at start without
-- parsing a million guides. id is the search index's document id.
-- search_words: keywords then synonyms; topics, life_events: U+001F-joined.
-- applicant_kinds: bit (1 << ApplicantKind).
CREATE TABLE items_current (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  basic_code TEXT NOT NULL,
  department_credit_code TEXT NOT NULL,
  region_code TEXT NOT NULL,
  name TEXT NOT NULL,
  search_words TEXT NOT NULL,
  type INTEGER NOT NULL,
  topics TEXT NOT NULL,
  life_events TEXT NOT NULL,
  applicant_kinds INTEGER NOT NULL,
  on_site_visits INTEGER NOT NULL,
  online_depth INTEGER NOT NULL,
  department_name TEXT NOT NULL,
  revision INTEGER NOT NULL,
  state INTEGER NOT NULL,
  withdrawn_at INTEGER,
  withdraw_reason TEXT
);
-- Coverage asks "has body D published basic item B?" once per required
-- item: a covering index answers without touching the (wide) rows.
CREATE INDEX items_current_by_department
  ON items_current(department_credit_code, basic_code, state);

-- Every published revision's full Implementation, immutable once written.
-- A rowid table (the bodies are kilobytes, too big for a WITHOUT ROWID
-- b-tree) keyed by integers, so new items append at the index's right edge.
CREATE TABLE implementation_revisions (
  item_id INTEGER NOT NULL REFERENCES items_current(id),
  revision INTEGER NOT NULL,
  published_at INTEGER NOT NULL,
  body BLOB NOT NULL
);
CREATE UNIQUE INDEX implementation_revisions_key ON implementation_revisions(item_id, revision);

CREATE TABLE required_items (
  department_credit_code TEXT NOT NULL REFERENCES departments(credit_code),
  basic_code TEXT NOT NULL REFERENCES basic_items(basic_code),
  PRIMARY KEY (department_credit_code, basic_code)
) WITHOUT ROWID;
)sql"},
  };
  return *kMigrations;
}

}  // namespace onewindow::catalog
