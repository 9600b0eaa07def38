#pragma once

#include <optional>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/store/connection.h"
#include "onewindow/intake/v1/intake.pb.h"

namespace onewindow::intake {

// The SQL behind applications. Every method runs inside the caller's
// transaction (Database::Read/Write/WriteGrouped) on the connection given,
// with statements prepared once per connection (store::Connection::Prepare).
class ApplicationStore {
 public:
  struct ByRequest {
    std::string application_id;
    std::string request_hash;
  };
  // The application `submitted_by` submitted for `applicant_id` with
  // idempotency key `request_id`, if any.
  std::optional<ByRequest> FindByRequest(store::Connection& db, const std::string& applicant_id,
                                         const std::string& submitted_by,
                                         const std::string& request_id);

  // The stored record (no timeline), if the application exists.
  std::optional<intake::v1::Application> Load(store::Connection& db,
                                              const std::string& application_id);
  // The same by the application's number.
  std::optional<intake::v1::Application> LoadByNumber(store::Connection& db,
                                                      const std::string& number);
  std::vector<intake::v1::TimelineEntry> Timeline(store::Connection& db,
                                                  const std::string& application_id);

  // The sequence number the next application of `day` ("20261128") gets
  // when Insert stores it. A number is never taken back, so a submission
  // undone after its insert leaves a gap: when its own transaction fails,
  // or when its group of writes is run again (see
  // Database::WriteGroupedRepeatableAsync).
  int64_t NextNumber(store::Connection& db, const std::string& day);

  enum class Inserted {
    kStored,
    // Its submitter already used the request id for this applicant
    // (FindByRequest names that application).
    kKeyUsed,
    // Someone else's application has the number: the day's count was
    // behind the store (another writer on the file). It is read again by
    // the next NextNumber.
    kNumberTaken,
  };
  // Stores a new application numbered `sequence`, NextNumber of `day`,
  // with the first entry of its timeline, and records the number as its
  // day's last; nothing is stored unless kStored.
  Inserted Insert(store::Connection& db, const intake::v1::Application& application,
                  const std::string& day, int64_t sequence, const std::string& request_id,
                  const std::string& request_hash, const intake::v1::TimelineEntry& first_entry);
  // Stores the record's new state (status, times, everything in it).
  void Update(store::Connection& db, const intake::v1::Application& application);
  void AppendTimeline(store::Connection& db, const std::string& application_id,
                      const intake::v1::TimelineEntry& entry);

  // Idempotency of approval's reports and of supplements.
  bool SeenTransition(store::Connection& db, const std::string& event_id);
  void RecordTransitionEvent(store::Connection& db, const std::string& event_id,
                             const std::string& application_id, absl::Time now);
  std::optional<std::string> SupplementHash(store::Connection& db,
                                            const std::string& application_id,
                                            const std::string& request_id);
  void RecordSupplement(store::Connection& db, const std::string& application_id,
                        const std::string& request_id, const std::string& request_hash, int round);

 private:
  // The last number stored for `numbered_day_`, so numbering a submission
  // reads nothing. Only inserts through this object number applications
  // (intake owns its store), and a day's count is read from the store again
  // whenever the day changes.
  absl::Mutex numbers_mu_;
  std::string numbered_day_ ABSL_GUARDED_BY(numbers_mu_);
  int64_t last_number_ ABSL_GUARDED_BY(numbers_mu_) = 0;
};

}  // namespace onewindow::intake
