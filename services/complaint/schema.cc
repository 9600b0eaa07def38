#include "services/complaint/schema.h"

namespace onewindow::complaint {

const std::vector<store::Migration>& ComplaintMigrations() {
  static const auto* const kMigrations = new std::vector<store::Migration>{
      {1, "work_orders",
       R"sql(
CREATE TABLE work_orders (
  id TEXT PRIMARY KEY,
  kind INTEGER NOT NULL,
  state INTEGER NOT NULL,
  title TEXT NOT NULL,
  description TEXT NOT NULL,
  hotline_id TEXT,
  hotline_ticket_id TEXT,
  caller_phone TEXT NOT NULL DEFAULT '',
  receive_time INTEGER NOT NULL,
  UNIQUE (hotline_id, hotline_ticket_id)
);
)sql"},
  };
  return *kMigrations;
}

}  // namespace onewindow::complaint
