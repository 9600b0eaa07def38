#include "services/intake/application_store.h"

#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>

#include "absl/strings/match.h"
#include "libs/store/times.h"

namespace onewindow::intake {
namespace {

constexpr char kFindByRequest[] =
    "SELECT id, request_hash FROM applications"
    " WHERE applicant_id = ? AND submitted_by = ? AND request_id = ?";
constexpr char kLoad[] = "SELECT record FROM applications WHERE id = ?";
constexpr char kLoadByNumber[] = "SELECT record FROM applications WHERE number = ?";
constexpr char kTimeline[] = "SELECT entry FROM timeline WHERE application_id = ? ORDER BY seq";
constexpr char kLastNumber[] = "SELECT last FROM application_numbers WHERE day = ?";
// Not an upsert with RETURNING: SQLite stages RETURNING rows in a
// temporary b-tree, opened and torn down per submission.
constexpr char kRecordNumber[] =
    "INSERT INTO application_numbers(day, last) VALUES(?, ?)"
    " ON CONFLICT(day) DO UPDATE SET last = MAX(last, excluded.last)";
// A retried request meets the idempotency index here rather than in a
// read before: the common first request then reads nothing.
constexpr char kInsert[] =
    "INSERT INTO applications(id, number, applicant_id, submitted_by, department_id,"
    " implementation_code, status, submit_time, update_time, request_id, request_hash, record)"
    " VALUES(?,?,?,?,?,?,?,?,?,?,?,?)"
    " ON CONFLICT(applicant_id, submitted_by, request_id) DO NOTHING";
// The column never goes back, though a transition may be dated earlier
// than the last change (approval's decision time, delivered late): the
// material collector reads it as "nothing was attached after this".
constexpr char kUpdate[] =
    "UPDATE applications SET status = ?, update_time = MAX(update_time, ?), record = ?"
    " WHERE id = ?";
// Two statements, not INSERT ... SELECT MAX(seq): reading the table it
// writes makes SQLite stage the row in a temporary b-tree, which cost a
// submission's commit about 7 % of its time.
constexpr char kLastTimelineSeq[] =
    "SELECT seq FROM timeline WHERE application_id = ? ORDER BY seq DESC LIMIT 1";
constexpr char kAppendTimeline[] = "INSERT INTO timeline(application_id, seq, entry) VALUES(?,?,?)";
constexpr int64_t kFirstTimelineSeq = 1;
constexpr char kSeenTransition[] = "SELECT 1 FROM transition_events WHERE event_id = ?";
constexpr char kRecordTransition[] =
    "INSERT INTO transition_events(event_id, application_id, record_time) VALUES(?,?,?)";
constexpr char kSupplementHash[] =
    "SELECT request_hash FROM supplements WHERE application_id = ? AND request_id = ?";
constexpr char kRecordSupplement[] =
    "INSERT INTO supplements(application_id, request_id, request_hash, round) VALUES(?,?,?,?)";

void BindBlob(SQLite::Statement& s, int index, const std::string& bytes) {
  s.bind(index, bytes.data(), static_cast<int>(bytes.size()));
}

void InsertTimelineEntry(store::Connection& db, const std::string& application_id, int64_t seq,
                         const intake::v1::TimelineEntry& entry) {
  const std::string bytes = entry.SerializeAsString();
  auto insert = db.Prepare(kAppendTimeline);
  insert->bind(1, application_id);
  insert->bind(2, seq);
  BindBlob(*insert, 3, bytes);
  insert->exec();
}

// The record holds everything but what is computed or kept apart.
std::string RecordBytes(const intake::v1::Application& application) {
  // A new submission has neither: no copy on the hot path.
  if (application.timeline_size() == 0 && application.working_days_left() == 0) {
    return application.SerializeAsString();
  }
  intake::v1::Application record = application;
  record.clear_timeline();
  record.clear_working_days_left();
  return record.SerializeAsString();
}

}  // namespace

std::optional<ApplicationStore::ByRequest> ApplicationStore::FindByRequest(
    store::Connection& db, const std::string& applicant_id, const std::string& submitted_by,
    const std::string& request_id) {
  auto select = db.Prepare(kFindByRequest);
  select->bind(1, applicant_id);
  select->bind(2, submitted_by);
  select->bind(3, request_id);
  if (!select->executeStep()) return std::nullopt;
  return ByRequest{select->getColumn(0).getString(), select->getColumn(1).getString()};
}

std::optional<intake::v1::Application> ApplicationStore::Load(store::Connection& db,
                                                              const std::string& application_id) {
  auto select = db.Prepare(kLoad);
  select->bind(1, application_id);
  if (!select->executeStep()) return std::nullopt;
  const SQLite::Column record = select->getColumn(0);
  intake::v1::Application application;
  if (!application.ParseFromArray(record.getBlob(), record.getBytes())) return std::nullopt;
  return application;
}

std::optional<intake::v1::Application> ApplicationStore::LoadByNumber(store::Connection& db,
                                                                      const std::string& number) {
  auto select = db.Prepare(kLoadByNumber);
  select->bind(1, number);
  if (!select->executeStep()) return std::nullopt;
  const SQLite::Column record = select->getColumn(0);
  intake::v1::Application application;
  if (!application.ParseFromArray(record.getBlob(), record.getBytes())) return std::nullopt;
  return application;
}

std::vector<intake::v1::TimelineEntry> ApplicationStore::Timeline(
    store::Connection& db, const std::string& application_id) {
  std::vector<intake::v1::TimelineEntry> entries;
  auto select = db.Prepare(kTimeline);
  select->bind(1, application_id);
  while (select->executeStep()) {
    const SQLite::Column column = select->getColumn(0);
    intake::v1::TimelineEntry entry;
    if (entry.ParseFromArray(column.getBlob(), column.getBytes())) {
      entries.push_back(std::move(entry));
    }
  }
  return entries;
}

int64_t ApplicationStore::NextNumber(store::Connection& db, const std::string& day) {
  absl::MutexLock lock(&numbers_mu_);
  if (day != numbered_day_) {
    auto read = db.Prepare(kLastNumber);
    read->bind(1, day);
    last_number_ = read->executeStep() ? read->getColumn(0).getInt64() : 0;
    numbered_day_ = day;
  }
  return last_number_ + 1;
}

ApplicationStore::Inserted ApplicationStore::Insert(store::Connection& db,
                                                    const intake::v1::Application& a,
                                                    const std::string& day, int64_t sequence,
                                                    const std::string& request_id,
                                                    const std::string& request_hash,
                                                    const intake::v1::TimelineEntry& first_entry) {
  const std::string record = RecordBytes(a);
  {
    auto insert = db.Prepare(kInsert);
    insert->bind(1, a.application_id());
    insert->bind(2, a.number());
    insert->bind(3, a.applicant_id());
    insert->bind(4, a.submitted_by());
    insert->bind(5, a.department_id());
    insert->bind(6, a.implementation_code());
    insert->bind(7, static_cast<int>(a.status()));
    insert->bind(8, store::ToStoredTime(store::FromProtoTime(a.submit_time())));
    insert->bind(9, store::ToStoredTime(store::FromProtoTime(a.update_time())));
    insert->bind(10, request_id);
    insert->bind(11, request_hash);
    BindBlob(*insert, 12, record);
    try {
      if (insert->exec() == 0) return Inserted::kKeyUsed;
    } catch (const SQLite::Exception& e) {
      if (e.getExtendedErrorCode() != SQLITE_CONSTRAINT_UNIQUE ||
          !absl::StrContains(e.what(), "applications.number")) {
        throw;
      }
      absl::MutexLock lock(&numbers_mu_);
      numbered_day_.clear();
      return Inserted::kNumberTaken;
    }
  }
  {
    auto number = db.Prepare(kRecordNumber);
    number->bind(1, day);
    number->bind(2, sequence);
    number->exec();
  }
  {
    absl::MutexLock lock(&numbers_mu_);
    numbered_day_ = day;
    last_number_ = sequence;
  }
  // A new application's timeline has nothing before its first entry.
  InsertTimelineEntry(db, a.application_id(), kFirstTimelineSeq, first_entry);
  return Inserted::kStored;
}

void ApplicationStore::Update(store::Connection& db, const intake::v1::Application& a) {
  const std::string record = RecordBytes(a);
  auto update = db.Prepare(kUpdate);
  update->bind(1, static_cast<int>(a.status()));
  update->bind(2, store::ToStoredTime(store::FromProtoTime(a.update_time())));
  BindBlob(*update, 3, record);
  update->bind(4, a.application_id());
  update->exec();
}

void ApplicationStore::AppendTimeline(store::Connection& db, const std::string& application_id,
                                      const intake::v1::TimelineEntry& entry) {
  int64_t last = 0;
  {
    auto select = db.Prepare(kLastTimelineSeq);
    select->bind(1, application_id);
    if (select->executeStep()) last = select->getColumn(0).getInt64();
  }
  InsertTimelineEntry(db, application_id, last + 1, entry);
}

bool ApplicationStore::SeenTransition(store::Connection& db, const std::string& event_id) {
  auto select = db.Prepare(kSeenTransition);
  select->bind(1, event_id);
  return select->executeStep();
}

void ApplicationStore::RecordTransitionEvent(store::Connection& db, const std::string& event_id,
                                             const std::string& application_id, absl::Time now) {
  auto insert = db.Prepare(kRecordTransition);
  insert->bind(1, event_id);
  insert->bind(2, application_id);
  insert->bind(3, store::ToStoredTime(now));
  insert->exec();
}

std::optional<std::string> ApplicationStore::SupplementHash(store::Connection& db,
                                                            const std::string& application_id,
                                                            const std::string& request_id) {
  auto select = db.Prepare(kSupplementHash);
  select->bind(1, application_id);
  select->bind(2, request_id);
  if (!select->executeStep()) return std::nullopt;
  return select->getColumn(0).getString();
}

void ApplicationStore::RecordSupplement(store::Connection& db, const std::string& application_id,
                                        const std::string& request_id,
                                        const std::string& request_hash, int round) {
  auto insert = db.Prepare(kRecordSupplement);
  insert->bind(1, application_id);
  insert->bind(2, request_id);
  insert->bind(3, request_hash);
  insert->bind(4, round);
  insert->exec();
}

}  // namespace onewindow::intake
