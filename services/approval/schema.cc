#include "services/approval/schema.h"

namespace onewindow::approval {

const std::vector<store::Migration>& ApprovalMigrations() {
  static const auto* const kMigrations = new std::vector<store::Migration>{
      {1, "cases",
       R"sql(
CREATE TABLE cases (
  id TEXT PRIMARY KEY,
  application_id TEXT NOT NULL UNIQUE,
  implementation_code TEXT NOT NULL,
  catalog_revision INTEGER NOT NULL,
  department_id TEXT NOT NULL,
  state INTEGER NOT NULL,
  open_time INTEGER NOT NULL,
  open_event_id TEXT NOT NULL
);
CREATE INDEX cases_by_department ON cases(department_id, state, open_time);
)sql"},
  };
  return *kMigrations;
}

}  // namespace onewindow::approval
