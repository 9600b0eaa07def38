#pragma once

#include <optional>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "absl/time/time.h"
#include "onewindow/intake/v1/intake.pb.h"
#include "services/intake/statement_cache.h"

namespace onewindow::intake {

// The SQL behind applications. Every method runs inside the caller's
// transaction (Database::Read/Write/WriteGrouped) on the connection given,
// with statements prepared once per connection.
class ApplicationStore {
 public:
  struct ByRequest {
    std::string application_id;
    std::string request_hash;
  };
  // The application `submitted_by` submitted for `applicant_id` with
  // idempotency key `request_id`, if any.
  std::optional<ByRequest> FindByRequest(SQLite::Database& db, const std::string& applicant_id,
                                         const std::string& submitted_by,
                                         const std::string& request_id);

  // The stored record (no timeline), if the application exists.
  std::optional<intake::v1::Application> Load(SQLite::Database& db,
                                              const std::string& application_id);
  std::vector<intake::v1::TimelineEntry> Timeline(SQLite::Database& db,
                                                  const std::string& application_id);

  // The next sequence number of `day` ("20261128").
  int64_t NextNumber(SQLite::Database& db, const std::string& day);

  void Insert(SQLite::Database& db, const intake::v1::Application& application,
              const std::string& request_id, const std::string& request_hash);
  // Stores the record's new state (status, times, everything in it).
  void Update(SQLite::Database& db, const intake::v1::Application& application);
  void AppendTimeline(SQLite::Database& db, const std::string& application_id,
                      const intake::v1::TimelineEntry& entry);

  // Idempotency of approval's reports and of supplements.
  bool SeenTransition(SQLite::Database& db, const std::string& event_id);
  void RecordTransitionEvent(SQLite::Database& db, const std::string& event_id,
                             const std::string& application_id, absl::Time now);
  std::optional<std::string> SupplementHash(SQLite::Database& db, const std::string& application_id,
                                            const std::string& request_id);
  void RecordSupplement(SQLite::Database& db, const std::string& application_id,
                        const std::string& request_id, const std::string& request_hash, int round);

  void ReleaseStatements() { statements_.Clear(); }

 private:
  StatementCache statements_;
};

}  // namespace onewindow::intake
