#include "services/approval/schema.h"

#include "libs/outbox/outbox.h"

namespace onewindow::approval {

// State numbers in the tables are the proto enums' (CaseState, TaskState,
// Mark, TaskOutcome). "Live" rows are state <= 2 (open or suspended) for
// cases and tasks alike; the partial indexes below hold only those, so their
// size follows the work in progress, not the millions of closed cases, and
// queries must spell the condition exactly as the index does for SQLite to
// use it.
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
      {2, "stages, tasks, clocks and audit",
       R"sql(
ALTER TABLE cases ADD COLUMN application_number TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN applicant_id TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN applicant_kind INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN channel TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN item_name TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN region_code TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN handling INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN limit_days INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN start_time INTEGER NOT NULL DEFAULT 0;
-- Microseconds; 9223372036854775807 while a pause holds the clock.
ALTER TABLE cases ADD COLUMN due_time INTEGER NOT NULL DEFAULT 9223372036854775807;
ALTER TABLE cases ADD COLUMN yellow_time INTEGER NOT NULL DEFAULT 9223372036854775807;
ALTER TABLE cases ADD COLUMN mark INTEGER NOT NULL DEFAULT 1;
ALTER TABLE cases ADD COLUMN stage_index INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN stage_name TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN close_time INTEGER;
ALTER TABLE cases ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN used_days REAL NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN licence_id TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN licence_number TEXT NOT NULL DEFAULT '';
-- Serialized approval.v1.Case holding only the supplement list.
ALTER TABLE cases ADD COLUMN supplement BLOB;
-- Last audit sequence number used; audit entries and event ids follow it.
ALTER TABLE cases ADD COLUMN audit_seq INTEGER NOT NULL DEFAULT 0;
-- Last task number used (task ids are "<case id>.<n>").
ALTER TABLE cases ADD COLUMN task_seq INTEGER NOT NULL DEFAULT 0;
-- When the sweep must look again: the warning time while green, the due
-- time while yellow.
ALTER TABLE cases ADD COLUMN watch_time INTEGER NOT NULL DEFAULT 9223372036854775807;

CREATE INDEX cases_watch ON cases(watch_time) WHERE state <= 2 AND mark < 3;
-- Covers the supervision report, which reads every case of a region.
CREATE INDEX cases_by_region
  ON cases(region_code, department_id, state, close_time, due_time, used_days);
CREATE INDEX cases_live ON cases(department_id) WHERE state <= 2;

-- The catalog revision each case follows, trimmed to what approval uses
-- (serialized catalog.v1.Implementation). Revisions never change.
CREATE TABLE processes (
  implementation_code TEXT NOT NULL,
  revision INTEGER NOT NULL,
  implementation BLOB NOT NULL,
  PRIMARY KEY (implementation_code, revision)
) WITHOUT ROWID;

-- Keyed by case, so a case's tasks share pages: a decision that closes one
-- task and opens the next writes one page of this table, not several.
CREATE TABLE tasks (
  case_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  stage_index INTEGER NOT NULL,
  department_id TEXT NOT NULL,
  state INTEGER NOT NULL,
  claimed_by TEXT NOT NULL DEFAULT '',
  create_time INTEGER NOT NULL,
  limit_days INTEGER NOT NULL,
  due_time INTEGER NOT NULL,
  yellow_time INTEGER NOT NULL,
  watch_time INTEGER NOT NULL,
  mark INTEGER NOT NULL DEFAULT 1,
  outcome INTEGER NOT NULL DEFAULT 0,
  decided_by TEXT NOT NULL DEFAULT '',
  decide_time INTEGER,
  reason TEXT NOT NULL DEFAULT '',
  request_id TEXT NOT NULL DEFAULT '',
  -- Copied from the case and its stage so the queue lists without joins.
  application_id TEXT NOT NULL,
  application_number TEXT NOT NULL,
  implementation_code TEXT NOT NULL,
  item_name TEXT NOT NULL,
  stage_id TEXT NOT NULL,
  stage_name TEXT NOT NULL,
  countersign INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (case_id, seq)
) WITHOUT ROWID;
-- The queue: a department's live tasks, most urgent first.
CREATE INDEX tasks_queue ON tasks(department_id, due_time, case_id, seq) WHERE state <= 2;
CREATE INDEX tasks_watch ON tasks(watch_time) WHERE state <= 2 AND mark < 3;

-- Supplement pauses of a case's clock; resumed_at NULL while open.
CREATE TABLE pauses (
  case_id TEXT NOT NULL,
  paused_at INTEGER NOT NULL,
  resumed_at INTEGER,
  PRIMARY KEY (case_id, paused_at)
) WITHOUT ROWID;

-- Who did what, when and why. Append-only: the triggers refuse changes.
CREATE TABLE audit (
  case_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  time INTEGER NOT NULL,
  actor TEXT NOT NULL,
  actor_name TEXT NOT NULL,
  actor_department TEXT NOT NULL,
  action TEXT NOT NULL,
  task_id TEXT NOT NULL,
  stage_name TEXT NOT NULL,
  detail TEXT NOT NULL,
  PRIMARY KEY (case_id, seq)
) WITHOUT ROWID;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;

-- Withdrawals that arrived before their case: a late OpenCase opens nothing.
CREATE TABLE tombstones (
  application_id TEXT PRIMARY KEY,
  reason TEXT NOT NULL,
  time INTEGER NOT NULL
) WITHOUT ROWID;

-- ResumeCase hand-offs applied, so a redelivery changes nothing.
CREATE TABLE resume_events (
  event_id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL,
  time INTEGER NOT NULL
) WITHOUT ROWID;

-- Licence numbers: one per approved case, never reused.
CREATE TABLE licences (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  case_id TEXT NOT NULL UNIQUE,
  licence_id TEXT NOT NULL UNIQUE,
  number TEXT NOT NULL UNIQUE,
  issue_time INTEGER NOT NULL
);
)sql"},
      outbox::OutboxMigration(3),
      {4, "queue by stage",
       R"sql(
-- Staff list a queue by stage. Through tasks_queue that reads the
-- department's tasks in due order until a page of the stage turns up:
-- thousands of rows when the stage's tasks fall due later (4 to 22 ms for
-- a department of 10,000 tasks, against 0.3 ms here). Costs each task
-- opened or closed one more index entry.
CREATE INDEX tasks_by_stage ON tasks(department_id, stage_name, due_time, case_id, seq)
  WHERE state <= 2;
)sql"},
      {5, "audit trail as one log",
       R"sql(
-- Keyed by (case_id, seq), the trail took each decision's lines into the
-- middle of a b-tree of millions, where the pages are full: at 1M cases a
-- decision wrote 2.8 audit pages to the WAL, mostly splits. Here lines go
-- to the end of the table, so a group of decisions shares its last pages,
-- and only the small entries of audit_by_case land in the middle. Lines
-- copied from the old table come in its key order, which is also the
-- index's, so neither the copy nor the index needs a sort; from here on
-- ids follow the order of writing.
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  case_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  time INTEGER NOT NULL,
  actor TEXT NOT NULL,
  actor_name TEXT NOT NULL,
  actor_department TEXT NOT NULL,
  action TEXT NOT NULL,
  task_id TEXT NOT NULL,
  stage_name TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE UNIQUE INDEX audit_by_case ON audit_log(case_id, seq);
INSERT INTO audit_log (case_id, seq, time, actor, actor_name, actor_department, action, task_id,
                       stage_name, detail)
  SELECT case_id, seq, time, actor, actor_name, actor_department, action, task_id, stage_name,
         detail
  FROM audit ORDER BY case_id, seq;
DROP TABLE audit;
ALTER TABLE audit_log RENAME TO audit;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
)sql"},
      {6, "fewer index writes per decision",
       R"sql(
-- With state in its key, closing a case moved its entry across the
-- department's range: two random pages per final decision. Nothing reads
-- the index by state (the report and the sweep test it row by row), and a
-- case's department and open time stay put while it is decided, so keyed
-- without state the entry is written once, when the case opens.
DROP INDEX cases_by_department;
CREATE INDEX cases_by_department ON cases(department_id, open_time);

-- The three UNIQUE indexes of licences put each approval into three random
-- pages, and none is read. What they guarded holds without them: seq is the
-- key and every number ends in its seq, a case is approved once (its state
-- says so), and licence ids are 96 random bits.
CREATE TABLE licences_by_seq (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  case_id TEXT NOT NULL,
  licence_id TEXT NOT NULL,
  number TEXT NOT NULL,
  issue_time INTEGER NOT NULL
);
INSERT INTO licences_by_seq (seq, case_id, licence_id, number, issue_time)
  SELECT seq, case_id, licence_id, number, issue_time FROM licences ORDER BY seq;
DROP TABLE licences;
ALTER TABLE licences_by_seq RENAME TO licences;
)sql"},
      outbox::OutboxPlainSequenceMigration(7),
  };
  return *kMigrations;
}

}  // namespace onewindow::approval
