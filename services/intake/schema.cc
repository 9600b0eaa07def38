#include "services/intake/schema.h"

namespace onewindow::intake {

const std::vector<store::Migration>& IntakeMigrations() {
  static const auto* const kMigrations = new std::vector<store::Migration>{
      {1, "applications",
       R"sql(
CREATE TABLE applications (
  id TEXT PRIMARY KEY,
  number TEXT NOT NULL UNIQUE,
  applicant_id TEXT NOT NULL,
  implementation_code TEXT NOT NULL,
  catalog_revision INTEGER NOT NULL,
  form BLOB NOT NULL,
  status INTEGER NOT NULL,
  submit_time INTEGER NOT NULL,
  request_id TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  UNIQUE (applicant_id, request_id)
);
CREATE INDEX applications_by_applicant ON applications(applicant_id, submit_time);
CREATE TABLE application_numbers (
  day TEXT PRIMARY KEY,
  last INTEGER NOT NULL
);
)sql"},
  };
  return *kMigrations;
}

}  // namespace onewindow::intake
