#include "services/complaint/schema.h"

#include "libs/outbox/outbox.h"

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
      // The first table held only the foundation's hotline stub; it is
      // replaced by one that keeps each order whole (body: a serialized
      // WorkOrder with its timeline) beside the columns queries need.
      {2, "work orders with lifecycle, dispatch rules, categories, ratings",
       R"sql(
DROP TABLE work_orders;
CREATE TABLE work_orders (
  id TEXT PRIMARY KEY,
  number TEXT NOT NULL UNIQUE,
  kind INTEGER NOT NULL,
  state INTEGER NOT NULL,
  channel INTEGER NOT NULL,
  category_code TEXT NOT NULL,
  complainant_id TEXT NOT NULL,
  assigned_department_id TEXT NOT NULL,
  region_code TEXT NOT NULL,
  hotline_id TEXT,
  hotline_ticket_id TEXT,
  -- "<submitter>/<request_id>" for idempotent submissions.
  request_key TEXT UNIQUE,
  receive_time INTEGER NOT NULL,
  -- When the current deadline started (receipt, or the reopening).
  clock_start INTEGER NOT NULL,
  due_time INTEGER NOT NULL,
  -- The next reminder or notice (督办) of an open order; NULL when none.
  next_escalation_time INTEGER,
  replied INTEGER NOT NULL,
  replied_on_time INTEGER NOT NULL,
  called_back INTEGER NOT NULL,
  satisfied INTEGER NOT NULL,
  reopened INTEGER NOT NULL,
  escalations INTEGER NOT NULL,
  update_time INTEGER NOT NULL,
  body BLOB NOT NULL,
  UNIQUE (hotline_id, hotline_ticket_id)
);
-- The dispatch queue, oldest first: only RECEIVED rows are in it.
CREATE INDEX work_orders_queue ON work_orders(receive_time, id) WHERE state = 1;
CREATE INDEX work_orders_by_department
  ON work_orders(assigned_department_id, state, due_time, id);
CREATE INDEX work_orders_by_complainant
  ON work_orders(complainant_id, receive_time, id) WHERE complainant_id != '';
CREATE INDEX work_orders_escalation
  ON work_orders(next_escalation_time) WHERE next_escalation_time IS NOT NULL;
CREATE INDEX work_orders_public ON work_orders(channel, receive_time);

CREATE TABLE work_order_numbers (
  day TEXT PRIMARY KEY,
  last INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE dispatch_rules (
  rule_id TEXT PRIMARY KEY,
  body BLOB NOT NULL
);

CREATE TABLE categories (
  code TEXT PRIMARY KEY,
  body BLOB NOT NULL
);

CREATE TABLE ratings (
  rating_id TEXT PRIMARY KEY,
  application_id TEXT NOT NULL UNIQUE,
  rater_id TEXT NOT NULL,
  department_id TEXT NOT NULL,
  implementation_code TEXT NOT NULL,
  region_code TEXT NOT NULL,
  level INTEGER NOT NULL,
  create_time INTEGER NOT NULL,
  body BLOB NOT NULL
);
CREATE INDEX ratings_by_department ON ratings(department_id, level);
CREATE INDEX ratings_by_item ON ratings(implementation_code, level);
CREATE INDEX ratings_by_region ON ratings(region_code, level);
)sql"},
      outbox::OutboxMigration(3),
      outbox::OutboxPlainSequenceMigration(4),
  };
  return *kMigrations;
}

}  // namespace onewindow::complaint
