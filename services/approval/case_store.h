#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "libs/store/connection.h"

#include "absl/time/time.h"
#include "libs/workday/deadline.h"
#include "onewindow/approval/v1/approval.pb.h"

namespace onewindow::approval {

// The indexed columns of a row as last read or written: an update that
// leaves them alone skips rewriting the indexes over them.
struct IndexedColumns {
  int state = -1;
  int64_t due = 0;
  int mark = 0;
  int64_t yellow = 0;
  // When the sweep looks next (see schema.cc); derived from the others.
  int64_t watch = 0;
  std::string department_id;
  // Cases only: the closing, which the supervision index covers.
  int64_t close = 0;
  double used_days = 0;

  bool operator==(const IndexedColumns& o) const {
    return state == o.state && due == o.due && mark == o.mark && yellow == o.yellow &&
           watch == o.watch && department_id == o.department_id && close == o.close &&
           used_days == o.used_days;
  }
};

// A case as stored: the proto the API shows plus what only the store keeps.
struct CaseRecord {
  approval::v1::Case c;
  // Last audit sequence number used (see Journal).
  int64_t audit_seq = 0;
  // Last task number used; tasks are "<case id>.<n>".
  int64_t task_seq = 0;
  std::string open_event_id;
  // When the case turns yellow (80 % used); InfiniteFuture() while unknown.
  absl::Time yellow_time = absl::InfiniteFuture();
  IndexedColumns stored;
};

struct TaskRecord {
  approval::v1::Task t;
  // The task's number within its case (t.task_id() is "<case id>.<seq>").
  int64_t seq = 0;
  // The client key of the decision that closed it, for idempotent retries.
  std::string request_id;
  absl::Time yellow_time = absl::InfiniteFuture();
  IndexedColumns stored;
};

// Task ids are "<case id>.<n>": a case's tasks are stored together.
std::string TaskId(const std::string& case_id, int64_t seq);
// False for anything that is not such an id.
bool ParseTaskId(const std::string& task_id, std::string* case_id, int64_t* seq);

// Times as the tables hold them: microseconds, with "never" (a clock held by
// an open pause) as the largest integer so it sorts last.
int64_t StoreTime(absl::Time t);
absl::Time LoadTime(int64_t stored);

// Row access for approval's tables, inside the caller's transaction. No
// rules live here: the domain classes decide, this only reads and writes.
namespace case_store {

std::optional<CaseRecord> FindCase(store::Connection& db, const std::string& case_id);
std::optional<CaseRecord> FindCaseByApplication(store::Connection& db,
                                                const std::string& application_id);
void InsertCase(store::Connection& db, CaseRecord& record);
// Writes every field that can change after opening.
void UpdateCase(store::Connection& db, CaseRecord& record);

std::optional<TaskRecord> FindTask(store::Connection& db, const std::string& task_id);
// Every task of the case, in stage order then creation order.
std::vector<TaskRecord> TasksOfCase(store::Connection& db, const std::string& case_id);
void InsertTask(store::Connection& db, TaskRecord& record);

// A department's live tasks, most urgent (earliest due) first.
struct QueueQuery {
  std::string department_id;
  bool include_suspended = false;
  std::string stage_name;
  std::string implementation_code;
  // Non-empty: only tasks claimed by this subject.
  std::string claimed_by;
  // Finite: only tasks warned (yellow or red) / overdue at this moment.
  absl::Time warned_at = absl::InfiniteFuture();
  absl::Time overdue_at = absl::InfiniteFuture();
  // Keyset paging: tasks after this one in queue order.
  bool has_after = false;
  int64_t after_due = 0;
  std::string after_case_id;
  int64_t after_seq = 0;
  int limit = 50;
};
std::vector<TaskRecord> ListQueue(store::Connection& db, const QueueQuery& query);
// The SQL ListQueue runs for `query`, for checking its plan.
std::string QueueSql(const QueueQuery& query);
// Writes every field that can change after creation.
void UpdateTask(store::Connection& db, TaskRecord& record);

std::vector<workday::PauseWindow> Pauses(store::Connection& db, const std::string& case_id);
void InsertPause(store::Connection& db, const std::string& case_id, absl::Time at);
void ClosePause(store::Connection& db, const std::string& case_id, absl::Time at);

void InsertAudit(store::Connection& db, const approval::v1::AuditEntry& entry);
// Entries with sequence > after_seq, oldest first, at most `limit`.
std::vector<approval::v1::AuditEntry> Audit(store::Connection& db, const std::string& case_id,
                                            int64_t after_seq, int limit);
// The last `limit` entries, oldest first.
std::vector<approval::v1::AuditEntry> LatestAudit(store::Connection& db, const std::string& case_id,
                                                  int limit);

std::optional<std::string> FindTombstone(store::Connection& db, const std::string& application_id);
void InsertTombstone(store::Connection& db, const std::string& application_id,
                     const std::string& reason, absl::Time at);

bool ResumeEventSeen(store::Connection& db, const std::string& event_id);
void RecordResumeEvent(store::Connection& db, const std::string& event_id,
                       const std::string& case_id, absl::Time at);

// Live tasks / cases whose watch time has come by `now` (the sweep's
// candidates), at most `limit`.
std::vector<TaskRecord> TasksToWatch(store::Connection& db, absl::Time now, int limit);
std::vector<CaseRecord> CasesToWatch(store::Connection& db, absl::Time now, int limit);

// The next licence serial number (1, 2, …); the caller holds the write lock.
int64_t NextLicenceSeq(store::Connection& db);
void InsertLicence(store::Connection& db, int64_t seq, const std::string& case_id,
                   const std::string& licence_id, const std::string& number, absl::Time at);

}  // namespace case_store
}  // namespace onewindow::approval
