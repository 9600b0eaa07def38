#include "services/approval/case_store.h"

#include <SQLiteCpp/Statement.h>

#include <limits>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/store/connection.h"
#include "libs/store/times.h"

namespace onewindow::approval {

std::string TaskId(const std::string& case_id, int64_t seq) {
  return absl::StrCat(case_id, ".", seq);
}

bool ParseTaskId(const std::string& task_id, std::string* case_id, int64_t* seq) {
  const size_t dot = task_id.rfind('.');
  if (dot == std::string::npos || dot == 0) return false;
  if (!absl::SimpleAtoi(absl::string_view(task_id).substr(dot + 1), seq) || *seq <= 0) {
    return false;
  }
  *case_id = task_id.substr(0, dot);
  return true;
}

int64_t StoreTime(absl::Time t) {
  if (t == absl::InfiniteFuture()) return std::numeric_limits<int64_t>::max();
  // Rounded up: a stored due or warning time is never earlier than the real
  // one, so nothing is marked a microsecond too soon.
  const int64_t micros = absl::ToUnixMicros(t);
  return absl::FromUnixMicros(micros) < t ? micros + 1 : micros;
}

absl::Time LoadTime(int64_t stored) {
  if (stored == std::numeric_limits<int64_t>::max()) return absl::InfiniteFuture();
  return absl::FromUnixMicros(stored);
}

namespace case_store {
namespace {

using store::FromProtoTime;

// SQL built once per call site: `make` runs the first time only. The
// strings key the statement cache, so building them per call would cost an
// allocation on every statement.
template <typename Make>
const std::string& Static(Make make) {
  static const std::string* const text = new std::string(make());
  return *text;
}

// Finite times become a Timestamp; "never" leaves the field unset.
void SetTime(int64_t stored, google::protobuf::Timestamp* out) {
  const absl::Time t = LoadTime(stored);
  if (t != absl::InfiniteFuture()) *out = store::ToProtoTime(t);
}

int64_t TimeOrNever(bool has, const google::protobuf::Timestamp& ts) {
  return has ? StoreTime(FromProtoTime(ts)) : std::numeric_limits<int64_t>::max();
}

// The sweep looks again at the warning time while green and at the due time
// while yellow; red is final.
int64_t Watch(int mark, int64_t yellow, int64_t due) {
  if (mark == approval::v1::GREEN) return yellow;
  if (mark == approval::v1::YELLOW) return due;
  return std::numeric_limits<int64_t>::max();
}

IndexedColumns Indexed(int state, bool has_due, const google::protobuf::Timestamp& due_time,
                       int mark, absl::Time yellow_time, const std::string& department_id) {
  IndexedColumns i;
  i.state = state;
  i.due = TimeOrNever(has_due, due_time);
  i.mark = mark;
  i.yellow = StoreTime(yellow_time);
  i.watch = Watch(mark, i.yellow, i.due);
  i.department_id = department_id;
  return i;
}

IndexedColumns Indexed(const CaseRecord& r) {
  IndexedColumns i = Indexed(r.c.state(), r.c.has_due_time(), r.c.due_time(), r.c.mark(),
                             r.yellow_time, r.c.department_id());
  i.close = TimeOrNever(r.c.has_close_time(), r.c.close_time());
  i.used_days = r.c.used_working_days();
  return i;
}

IndexedColumns Indexed(const TaskRecord& r) {
  return Indexed(r.t.state(), r.t.has_due_time(), r.t.due_time(), r.t.mark(), r.yellow_time,
                 r.t.department_id());
}

constexpr char kCaseColumns[] =
    "id, application_id, implementation_code, catalog_revision, department_id, state, open_time,"
    " open_event_id, application_number, applicant_id, applicant_kind, channel, item_name,"
    " region_code, handling, limit_days, start_time, due_time, yellow_time, mark, stage_index,"
    " close_time, reason, used_days, licence_id, licence_number, supplement, audit_seq,"
    " stage_name, task_seq, watch_time";

CaseRecord RowToCase(SQLite::Statement& row) {
  CaseRecord r;
  approval::v1::Case& c = r.c;
  c.set_case_id(row.getColumn(0).getString());
  c.set_application_id(row.getColumn(1).getString());
  c.set_implementation_code(row.getColumn(2).getString());
  c.set_catalog_revision(row.getColumn(3).getInt64());
  c.set_department_id(row.getColumn(4).getString());
  c.set_state(static_cast<approval::v1::CaseState>(row.getColumn(5).getInt()));
  SetTime(row.getColumn(6).getInt64(), c.mutable_open_time());
  r.open_event_id = row.getColumn(7).getString();
  c.set_application_number(row.getColumn(8).getString());
  c.set_applicant_id(row.getColumn(9).getString());
  c.set_applicant_kind(static_cast<catalog::v1::ApplicantKind>(row.getColumn(10).getInt()));
  c.set_channel(row.getColumn(11).getString());
  c.set_item_name(row.getColumn(12).getString());
  c.set_region_code(row.getColumn(13).getString());
  c.set_handling(static_cast<catalog::v1::HandlingType>(row.getColumn(14).getInt()));
  c.set_time_limit_days(row.getColumn(15).getInt());
  SetTime(row.getColumn(16).getInt64(), c.mutable_start_time());
  SetTime(row.getColumn(17).getInt64(), c.mutable_due_time());
  r.yellow_time = LoadTime(row.getColumn(18).getInt64());
  c.set_mark(static_cast<approval::v1::Mark>(row.getColumn(19).getInt()));
  c.set_stage_index(row.getColumn(20).getInt());
  if (!row.getColumn(21).isNull()) SetTime(row.getColumn(21).getInt64(), c.mutable_close_time());
  c.set_reason(row.getColumn(22).getString());
  c.set_used_working_days(row.getColumn(23).getDouble());
  c.set_licence_id(row.getColumn(24).getString());
  c.set_licence_number(row.getColumn(25).getString());
  const SQLite::Column supplement = row.getColumn(26);
  if (!supplement.isNull() && supplement.getBytes() > 0) {
    approval::v1::Case holder;
    if (holder.ParseFromArray(supplement.getBlob(), supplement.getBytes())) {
      *c.mutable_supplement() = holder.supplement();
    }
  }
  r.audit_seq = row.getColumn(27).getInt64();
  c.set_stage_name(row.getColumn(28).getString());
  r.task_seq = row.getColumn(29).getInt64();
  r.stored = Indexed(r);
  return r;
}

std::optional<CaseRecord> FindCaseWhere(store::Connection& db, const std::string& sql,
                                        const std::string& key) {
  auto q = db.Prepare(sql);
  q->bind(1, key);
  if (!q->executeStep()) return std::nullopt;
  return RowToCase(*q);
}

std::string SupplementBlob(const approval::v1::Case& c) {
  if (c.supplement().empty()) return "";
  approval::v1::Case holder;
  *holder.mutable_supplement() = c.supplement();
  return holder.SerializeAsString();
}

void BindBlobOrNull(SQLite::Statement& s, int index, const std::string& blob) {
  if (blob.empty()) {
    s.bind(index);
  } else {
    s.bind(index, blob.data(), static_cast<int>(blob.size()));
  }
}

constexpr char kTaskColumns[] =
    "case_id, seq, stage_index, department_id, state, claimed_by, create_time, limit_days,"
    " due_time, mark, outcome, decided_by, decide_time, reason, request_id, application_id,"
    " application_number, implementation_code, item_name, stage_id, stage_name, countersign,"
    " yellow_time, watch_time";

TaskRecord RowToTask(SQLite::Statement& row) {
  TaskRecord r;
  approval::v1::Task& t = r.t;
  t.set_case_id(row.getColumn(0).getString());
  r.seq = row.getColumn(1).getInt64();
  t.set_task_id(TaskId(t.case_id(), r.seq));
  t.set_stage_index(row.getColumn(2).getInt());
  t.set_department_id(row.getColumn(3).getString());
  t.set_state(static_cast<approval::v1::TaskState>(row.getColumn(4).getInt()));
  t.set_claimed_by(row.getColumn(5).getString());
  SetTime(row.getColumn(6).getInt64(), t.mutable_create_time());
  t.set_time_limit_days(row.getColumn(7).getInt());
  SetTime(row.getColumn(8).getInt64(), t.mutable_due_time());
  t.set_mark(static_cast<approval::v1::Mark>(row.getColumn(9).getInt()));
  t.set_outcome(static_cast<approval::v1::TaskOutcome>(row.getColumn(10).getInt()));
  t.set_decided_by(row.getColumn(11).getString());
  if (!row.getColumn(12).isNull()) SetTime(row.getColumn(12).getInt64(), t.mutable_decide_time());
  t.set_reason(row.getColumn(13).getString());
  r.request_id = row.getColumn(14).getString();
  t.set_application_id(row.getColumn(15).getString());
  t.set_application_number(row.getColumn(16).getString());
  t.set_implementation_code(row.getColumn(17).getString());
  t.set_item_name(row.getColumn(18).getString());
  t.set_stage_id(row.getColumn(19).getString());
  t.set_stage_name(row.getColumn(20).getString());
  t.set_countersign(static_cast<catalog::v1::CountersignMode>(row.getColumn(21).getInt()));
  r.yellow_time = LoadTime(row.getColumn(22).getInt64());
  r.stored = Indexed(r);
  return r;
}

approval::v1::AuditEntry RowToAudit(SQLite::Statement& row) {
  approval::v1::AuditEntry e;
  e.set_case_id(row.getColumn(0).getString());
  e.set_sequence(row.getColumn(1).getInt64());
  SetTime(row.getColumn(2).getInt64(), e.mutable_time());
  e.set_actor(row.getColumn(3).getString());
  e.set_actor_name(row.getColumn(4).getString());
  e.set_actor_department_id(row.getColumn(5).getString());
  e.set_action(row.getColumn(6).getString());
  e.set_task_id(row.getColumn(7).getString());
  e.set_stage_name(row.getColumn(8).getString());
  e.set_detail(row.getColumn(9).getString());
  return e;
}

constexpr char kAuditColumns[] =
    "case_id, seq, time, actor, actor_name, actor_department, action, task_id, stage_name, detail";

}  // namespace

std::optional<CaseRecord> FindCase(store::Connection& db, const std::string& case_id) {
  return FindCaseWhere(
      db, Static([] { return absl::StrCat("SELECT ", kCaseColumns, " FROM cases WHERE id = ?"); }),
      case_id);
}

std::optional<CaseRecord> FindCaseByApplication(store::Connection& db,
                                                const std::string& application_id) {
  return FindCaseWhere(db, Static([] {
                         return absl::StrCat("SELECT ", kCaseColumns,
                                             " FROM cases WHERE application_id = ?");
                       }),
                       application_id);
}

void InsertCase(store::Connection& db, CaseRecord& record) {
  const approval::v1::Case& c = record.c;
  auto s = db.Prepare(Static([] {
    return absl::StrCat("INSERT INTO cases (", kCaseColumns,
                        ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
                        "?,?,?,?,?,?,?)");
  }));
  s->bind(1, c.case_id());
  s->bind(2, c.application_id());
  s->bind(3, c.implementation_code());
  s->bind(4, static_cast<int64_t>(c.catalog_revision()));
  s->bind(5, c.department_id());
  s->bind(6, static_cast<int>(c.state()));
  s->bind(7, StoreTime(FromProtoTime(c.open_time())));
  s->bind(8, record.open_event_id);
  s->bind(9, c.application_number());
  s->bind(10, c.applicant_id());
  s->bind(11, static_cast<int>(c.applicant_kind()));
  s->bind(12, c.channel());
  s->bind(13, c.item_name());
  s->bind(14, c.region_code());
  s->bind(15, static_cast<int>(c.handling()));
  s->bind(16, c.time_limit_days());
  s->bind(17, StoreTime(FromProtoTime(c.start_time())));
  s->bind(18, TimeOrNever(c.has_due_time(), c.due_time()));
  s->bind(19, StoreTime(record.yellow_time));
  s->bind(20, static_cast<int>(c.mark()));
  s->bind(21, c.stage_index());
  if (c.has_close_time()) {
    s->bind(22, StoreTime(FromProtoTime(c.close_time())));
  } else {
    s->bind(22);
  }
  s->bind(23, c.reason());
  s->bind(24, c.used_working_days());
  s->bind(25, c.licence_id());
  s->bind(26, c.licence_number());
  BindBlobOrNull(*s, 27, SupplementBlob(c));
  s->bind(28, static_cast<int64_t>(record.audit_seq));
  s->bind(29, c.stage_name());
  s->bind(30, static_cast<int64_t>(record.task_seq));
  const IndexedColumns indexed = Indexed(record);
  s->bind(31, static_cast<int64_t>(indexed.watch));
  s->exec();
  record.stored = indexed;
}

void UpdateCase(store::Connection& db, CaseRecord& record) {
  const approval::v1::Case& c = record.c;
  const IndexedColumns now = Indexed(record);
  // Most steps (a stage begins, an audit line) leave the indexed columns as
  // they were; then the indexes over them need no rewrite.
  const bool indexed_changed = !(now == record.stored);
  auto s = db.Prepare(
      indexed_changed
          ? "UPDATE cases SET stage_index = ?1, reason = ?3, licence_id = ?5,"
            " licence_number = ?6, supplement = ?7, audit_seq = ?8, stage_name = ?9,"
            " task_seq = ?11, close_time = ?2, used_days = ?4, state = ?12, due_time = ?13,"
            " mark = ?14, yellow_time = ?15, watch_time = ?16 WHERE id = ?10"
          : "UPDATE cases SET stage_index = ?1, reason = ?3, licence_id = ?5,"
            " licence_number = ?6, supplement = ?7, audit_seq = ?8, stage_name = ?9,"
            " task_seq = ?11 WHERE id = ?10");
  s->bind(1, c.stage_index());
  if (indexed_changed) {
    if (c.has_close_time()) {
      s->bind(2, StoreTime(FromProtoTime(c.close_time())));
    } else {
      s->bind(2);
    }
    s->bind(4, c.used_working_days());
  }
  s->bind(3, c.reason());
  s->bind(5, c.licence_id());
  s->bind(6, c.licence_number());
  BindBlobOrNull(*s, 7, SupplementBlob(c));
  s->bind(8, static_cast<int64_t>(record.audit_seq));
  s->bind(9, c.stage_name());
  s->bind(10, c.case_id());
  s->bind(11, static_cast<int64_t>(record.task_seq));
  if (indexed_changed) {
    s->bind(12, now.state);
    s->bind(13, static_cast<int64_t>(now.due));
    s->bind(14, now.mark);
    s->bind(15, static_cast<int64_t>(now.yellow));
    s->bind(16, static_cast<int64_t>(now.watch));
  }
  s->exec();
  record.stored = now;
}

std::optional<TaskRecord> FindTask(store::Connection& db, const std::string& task_id) {
  std::string case_id;
  int64_t seq = 0;
  if (!ParseTaskId(task_id, &case_id, &seq)) return std::nullopt;
  auto q = db.Prepare(Static([] {
    return absl::StrCat("SELECT ", kTaskColumns, " FROM tasks WHERE case_id = ? AND seq = ?");
  }));
  q->bind(1, case_id);
  q->bind(2, static_cast<int64_t>(seq));
  if (!q->executeStep()) return std::nullopt;
  return RowToTask(*q);
}

std::vector<TaskRecord> TasksOfCase(store::Connection& db, const std::string& case_id) {
  auto q = db.Prepare(Static([] {
    return absl::StrCat("SELECT ", kTaskColumns,
                        " FROM tasks WHERE case_id = ?"
                        " ORDER BY seq");
  }));
  q->bind(1, case_id);
  std::vector<TaskRecord> out;
  while (q->executeStep()) out.push_back(RowToTask(*q));
  return out;
}

std::string QueueSql(const QueueQuery& query) {
  // "state <= 2" exactly as the partial indexes tasks_queue and
  // tasks_by_stage spell it.
  std::string sql =
      absl::StrCat("SELECT ", kTaskColumns, " FROM tasks WHERE department_id = ? AND state <= 2");
  if (!query.include_suspended) absl::StrAppend(&sql, " AND state = 1");
  if (!query.stage_name.empty()) absl::StrAppend(&sql, " AND stage_name = ?");
  if (!query.implementation_code.empty()) absl::StrAppend(&sql, " AND implementation_code = ?");
  if (!query.claimed_by.empty()) absl::StrAppend(&sql, " AND claimed_by = ?");
  if (query.warned_at != absl::InfiniteFuture()) absl::StrAppend(&sql, " AND yellow_time <= ?");
  if (query.overdue_at != absl::InfiniteFuture()) absl::StrAppend(&sql, " AND due_time < ?");
  if (query.has_after) absl::StrAppend(&sql, " AND (due_time, case_id, seq) > (?, ?, ?)");
  absl::StrAppend(&sql, " ORDER BY due_time, case_id, seq LIMIT ?");
  return sql;
}

std::vector<TaskRecord> ListQueue(store::Connection& db, const QueueQuery& query) {
  auto q = db.Prepare(QueueSql(query));
  int i = 0;
  q->bind(++i, query.department_id);
  if (!query.stage_name.empty()) q->bind(++i, query.stage_name);
  if (!query.implementation_code.empty()) q->bind(++i, query.implementation_code);
  if (!query.claimed_by.empty()) q->bind(++i, query.claimed_by);
  if (query.warned_at != absl::InfiniteFuture()) q->bind(++i, StoreTime(query.warned_at));
  if (query.overdue_at != absl::InfiniteFuture()) q->bind(++i, StoreTime(query.overdue_at));
  if (query.has_after) {
    q->bind(++i, static_cast<int64_t>(query.after_due));
    q->bind(++i, query.after_case_id);
    q->bind(++i, static_cast<int64_t>(query.after_seq));
  }
  q->bind(++i, query.limit);
  std::vector<TaskRecord> out;
  while (q->executeStep()) out.push_back(RowToTask(*q));
  return out;
}

void InsertTask(store::Connection& db, TaskRecord& record) {
  const approval::v1::Task& t = record.t;
  auto s = db.Prepare(Static([] {
    return absl::StrCat("INSERT INTO tasks (", kTaskColumns,
                        ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  }));
  s->bind(1, t.case_id());
  s->bind(2, static_cast<int64_t>(record.seq));
  s->bind(3, t.stage_index());
  s->bind(4, t.department_id());
  s->bind(5, static_cast<int>(t.state()));
  s->bind(6, t.claimed_by());
  s->bind(7, StoreTime(FromProtoTime(t.create_time())));
  s->bind(8, t.time_limit_days());
  s->bind(9, TimeOrNever(t.has_due_time(), t.due_time()));
  s->bind(10, static_cast<int>(t.mark()));
  s->bind(11, static_cast<int>(t.outcome()));
  s->bind(12, t.decided_by());
  if (t.has_decide_time()) {
    s->bind(13, StoreTime(FromProtoTime(t.decide_time())));
  } else {
    s->bind(13);
  }
  s->bind(14, t.reason());
  s->bind(15, record.request_id);
  s->bind(16, t.application_id());
  s->bind(17, t.application_number());
  s->bind(18, t.implementation_code());
  s->bind(19, t.item_name());
  s->bind(20, t.stage_id());
  s->bind(21, t.stage_name());
  s->bind(22, static_cast<int>(t.countersign()));
  s->bind(23, StoreTime(record.yellow_time));
  const IndexedColumns indexed = Indexed(record);
  s->bind(24, static_cast<int64_t>(indexed.watch));
  s->exec();
  record.stored = indexed;
}

void UpdateTask(store::Connection& db, TaskRecord& record) {
  const approval::v1::Task& t = record.t;
  const IndexedColumns now = Indexed(record);
  const bool indexed_changed = !(now == record.stored);
  auto s = db.Prepare(
      indexed_changed
          ? "UPDATE tasks SET claimed_by = ?1, outcome = ?2, decided_by = ?3,"
            " decide_time = ?4, reason = ?5, request_id = ?6, department_id = ?9,"
            " state = ?10, due_time = ?11, mark = ?12, yellow_time = ?13, watch_time = ?14"
            " WHERE case_id = ?7 AND seq = ?8"
          : "UPDATE tasks SET claimed_by = ?1, outcome = ?2, decided_by = ?3,"
            " decide_time = ?4, reason = ?5, request_id = ?6 WHERE case_id = ?7 AND seq = ?8");
  s->bind(1, t.claimed_by());
  s->bind(2, static_cast<int>(t.outcome()));
  s->bind(3, t.decided_by());
  if (t.has_decide_time()) {
    s->bind(4, StoreTime(FromProtoTime(t.decide_time())));
  } else {
    s->bind(4);
  }
  s->bind(5, t.reason());
  s->bind(6, record.request_id);
  s->bind(7, t.case_id());
  s->bind(8, static_cast<int64_t>(record.seq));
  if (indexed_changed) {
    s->bind(9, now.department_id);
    s->bind(10, now.state);
    s->bind(11, static_cast<int64_t>(now.due));
    s->bind(12, now.mark);
    s->bind(13, static_cast<int64_t>(now.yellow));
    s->bind(14, static_cast<int64_t>(now.watch));
  }
  s->exec();
  record.stored = now;
}

std::vector<workday::PauseWindow> Pauses(store::Connection& db, const std::string& case_id) {
  auto q = db.Prepare(
      "SELECT paused_at, resumed_at FROM pauses WHERE case_id = ?"
      " ORDER BY paused_at");
  q->bind(1, case_id);
  std::vector<workday::PauseWindow> out;
  while (q->executeStep()) {
    workday::PauseWindow w;
    w.paused_at = LoadTime(q->getColumn(0).getInt64());
    if (!q->getColumn(1).isNull()) w.resumed_at = LoadTime(q->getColumn(1).getInt64());
    out.push_back(w);
  }
  return out;
}

void InsertPause(store::Connection& db, const std::string& case_id, absl::Time at) {
  auto s = db.Prepare("INSERT INTO pauses (case_id, paused_at) VALUES (?, ?)");
  s->bind(1, case_id);
  s->bind(2, StoreTime(at));
  s->exec();
}

void ClosePause(store::Connection& db, const std::string& case_id, absl::Time at) {
  auto s = db.Prepare("UPDATE pauses SET resumed_at = ? WHERE case_id = ? AND resumed_at IS NULL");
  s->bind(1, StoreTime(at));
  s->bind(2, case_id);
  s->exec();
}

void InsertAudit(store::Connection& db, const approval::v1::AuditEntry& e) {
  auto s = db.Prepare(Static([] {
    return absl::StrCat("INSERT INTO audit (", kAuditColumns, ") VALUES (?,?,?,?,?,?,?,?,?,?)");
  }));
  s->bind(1, e.case_id());
  s->bind(2, static_cast<int64_t>(e.sequence()));
  s->bind(3, StoreTime(FromProtoTime(e.time())));
  s->bind(4, e.actor());
  s->bind(5, e.actor_name());
  s->bind(6, e.actor_department_id());
  s->bind(7, e.action());
  s->bind(8, e.task_id());
  s->bind(9, e.stage_name());
  s->bind(10, e.detail());
  s->exec();
}

std::vector<approval::v1::AuditEntry> Audit(store::Connection& db, const std::string& case_id,
                                            int64_t after_seq, int limit) {
  auto q = db.Prepare(Static([] {
    return absl::StrCat("SELECT ", kAuditColumns,
                        " FROM audit WHERE case_id = ? AND seq > ?"
                        " ORDER BY seq LIMIT ?");
  }));
  q->bind(1, case_id);
  q->bind(2, static_cast<int64_t>(after_seq));
  q->bind(3, limit);
  std::vector<approval::v1::AuditEntry> out;
  while (q->executeStep()) out.push_back(RowToAudit(*q));
  return out;
}

std::vector<approval::v1::AuditEntry> LatestAudit(store::Connection& db, const std::string& case_id,
                                                  int limit) {
  auto q = db.Prepare(Static([] {
    return absl::StrCat("SELECT ", kAuditColumns,
                        " FROM audit WHERE case_id = ? ORDER BY seq DESC LIMIT ?");
  }));
  q->bind(1, case_id);
  q->bind(2, limit);
  std::vector<approval::v1::AuditEntry> out;
  while (q->executeStep()) out.push_back(RowToAudit(*q));
  return {out.rbegin(), out.rend()};
}

std::optional<std::string> FindTombstone(store::Connection& db, const std::string& application_id) {
  auto q = db.Prepare("SELECT reason FROM tombstones WHERE application_id = ?");
  q->bind(1, application_id);
  if (!q->executeStep()) return std::nullopt;
  return q->getColumn(0).getString();
}

void InsertTombstone(store::Connection& db, const std::string& application_id,
                     const std::string& reason, absl::Time at) {
  auto s = db.Prepare(
      "INSERT OR IGNORE INTO tombstones (application_id, reason, time)"
      " VALUES (?, ?, ?)");
  s->bind(1, application_id);
  s->bind(2, reason);
  s->bind(3, StoreTime(at));
  s->exec();
}

bool ResumeEventSeen(store::Connection& db, const std::string& event_id) {
  auto q = db.Prepare("SELECT 1 FROM resume_events WHERE event_id = ?");
  q->bind(1, event_id);
  return q->executeStep();
}

void RecordResumeEvent(store::Connection& db, const std::string& event_id,
                       const std::string& case_id, absl::Time at) {
  auto s = db.Prepare("INSERT INTO resume_events (event_id, case_id, time) VALUES (?, ?, ?)");
  s->bind(1, event_id);
  s->bind(2, case_id);
  s->bind(3, StoreTime(at));
  s->exec();
}

std::vector<TaskRecord> TasksToWatch(store::Connection& db, absl::Time now, int limit) {
  // The condition as the partial index tasks_watch spells it.
  auto q = db.Prepare(Static([] {
    return absl::StrCat("SELECT ", kTaskColumns,
                        " FROM tasks WHERE state <= 2 AND mark < 3 AND watch_time <= ? LIMIT ?");
  }));
  q->bind(1, StoreTime(now));
  q->bind(2, limit);
  std::vector<TaskRecord> out;
  while (q->executeStep()) out.push_back(RowToTask(*q));
  return out;
}

std::vector<CaseRecord> CasesToWatch(store::Connection& db, absl::Time now, int limit) {
  auto q = db.Prepare(Static([] {
    return absl::StrCat("SELECT ", kCaseColumns,
                        " FROM cases WHERE state <= 2 AND mark < 3 AND watch_time <= ? LIMIT ?");
  }));
  q->bind(1, StoreTime(now));
  q->bind(2, limit);
  std::vector<CaseRecord> out;
  while (q->executeStep()) out.push_back(RowToCase(*q));
  return out;
}

int64_t NextLicenceSeq(store::Connection& db) {
  auto q = db.Prepare("SELECT COALESCE(MAX(seq), 0) + 1 FROM licences");
  q->executeStep();
  return q->getColumn(0).getInt64();
}

void InsertLicence(store::Connection& db, int64_t seq, const std::string& case_id,
                   const std::string& licence_id, const std::string& number, absl::Time at) {
  auto s = db.Prepare(
      "INSERT INTO licences (seq, case_id, licence_id, number, issue_time)"
      " VALUES (?, ?, ?, ?, ?)");
  s->bind(1, static_cast<int64_t>(seq));
  s->bind(2, case_id);
  s->bind(3, licence_id);
  s->bind(4, number);
  s->bind(5, StoreTime(at));
  s->exec();
}

}  // namespace case_store
}  // namespace onewindow::approval
