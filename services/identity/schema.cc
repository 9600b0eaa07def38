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
      {2, "api tokens and login throttling",
       R"sql(
CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  department_id TEXT NOT NULL,
  roles TEXT NOT NULL,
  created_by TEXT NOT NULL,
  create_time INTEGER NOT NULL,
  expire_time INTEGER NOT NULL,
  revoke_time INTEGER
);
CREATE INDEX api_tokens_by_department ON api_tokens(department_id);
CREATE TABLE login_failures (
  key TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  window_start INTEGER NOT NULL,
  locked_until INTEGER NOT NULL DEFAULT 0
);
)sql"},
  };
  return *kMigrations;
}

}  // namespace onewindow::identity
