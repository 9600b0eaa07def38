#include "services/identity/schema.h"

namespace onewindow::identity {

const std::vector<store::Migration>& IdentityMigrations() {
  static const auto* const kMigrations = new std::vector<store::Migration>{
      {1, "accounts",
       R"sql(
CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  kind INTEGER NOT NULL,
  display_name TEXT NOT NULL,
  resident_id TEXT UNIQUE,
  phone TEXT,
  region_code TEXT NOT NULL DEFAULT '',
  credit_code TEXT UNIQUE,
  username TEXT UNIQUE,
  department_id TEXT NOT NULL DEFAULT '',
  roles TEXT NOT NULL DEFAULT '',
  password_hash TEXT NOT NULL,
  create_time INTEGER NOT NULL
);
CREATE INDEX accounts_by_phone ON accounts(phone);
)sql"},
  };
  return *kMigrations;
}

}  // namespace onewindow::identity
