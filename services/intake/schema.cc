#include "services/intake/schema.h"

#include "libs/outbox/outbox.h"

namespace onewindow::intake {

// Each application is one row: the columns lists and filters need, and the
// whole Application (timeline aside) as `record`, so a status change
// rewrites one row and can never leave half a record behind. The timeline
// is append-only beside it.
const std::vector<store::Migration>& IntakeMigrations() {
  static const auto* const kMigrations = new std::vector<store::Migration>{
      {1, "applications",
       R"sql(
CREATE TABLE applications (
  id TEXT PRIMARY KEY,
  number TEXT NOT NULL UNIQUE,
  applicant_id TEXT NOT NULL,
  submitted_by TEXT NOT NULL,
  department_id TEXT NOT NULL,
  implementation_code TEXT NOT NULL,
  status INTEGER NOT NULL,
  submit_time INTEGER NOT NULL,
  update_time INTEGER NOT NULL,
  request_id TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  record BLOB NOT NULL,
  -- Idempotency, and an applicant's applications: one index for both, as
  -- each index costs every submission a page write.
  UNIQUE (applicant_id, submitted_by, request_id)
);
CREATE INDEX applications_by_department ON applications(department_id, submit_time);
CREATE TABLE application_numbers (
  day TEXT PRIMARY KEY,
  last INTEGER NOT NULL
);
CREATE TABLE timeline (
  application_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  entry BLOB NOT NULL,
  PRIMARY KEY (application_id, seq)
) WITHOUT ROWID;
)sql"},
      {2, "materials",
       R"sql(
CREATE TABLE materials (
  id TEXT PRIMARY KEY,
  owner_id TEXT NOT NULL,
  uploaded_by TEXT NOT NULL,
  file_name TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size_bytes INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  upload_time INTEGER NOT NULL
);
CREATE INDEX materials_by_owner ON materials(owner_id, upload_time);
)sql"},
      {3, "licences",
       R"sql(
CREATE TABLE licences (
  id TEXT PRIMARY KEY,
  holder_id TEXT NOT NULL,
  licence_type TEXT NOT NULL,
  number TEXT NOT NULL,
  issue_time INTEGER NOT NULL,
  record BLOB NOT NULL,
  UNIQUE (licence_type, number)
);
CREATE INDEX licences_by_holder ON licences(holder_id, licence_type);
)sql"},
      {4, "transitions and supplements",
       R"sql(
CREATE TABLE transition_events (
  event_id TEXT PRIMARY KEY,
  application_id TEXT NOT NULL,
  record_time INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE supplements (
  application_id TEXT NOT NULL,
  request_id TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  round INTEGER NOT NULL,
  PRIMARY KEY (application_id, request_id)
) WITHOUT ROWID;
)sql"},
      outbox::OutboxMigration(5),
      {6, "material collection",
       R"sql(
-- Whether a file may go: does any material still name its content?
CREATE INDEX materials_by_sha256 ON materials(sha256);
-- How far the collector of unattached materials got, in id order (ids
-- begin with their time). Materials behind it were collected or are part
-- of an application, which lists them for good.
CREATE TABLE material_collection (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  last_material_id TEXT NOT NULL
);
)sql"},
      {7, "monotonic update times",
       R"sql(
-- From this schema on applications.update_time never goes back. Before
-- it, a transition dated earlier than the last change could set it back,
-- so the material collector trusts it only for uploads made after every
-- update stored then. A new store trusts it from the start.
CREATE TABLE update_time_monotonic (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  since INTEGER NOT NULL
);
INSERT INTO update_time_monotonic SELECT 1, COALESCE(MAX(update_time), 0) FROM applications;
)sql"},
      outbox::OutboxPlainSequenceMigration(8),
  };
  return *kMigrations;
}

}  // namespace onewindow::intake
