#pragma once

#include <map>
#include <string>

#include <SQLiteCpp/Database.h>

#include "libs/store/connection.h"

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "onewindow/auth/v1/principal.pb.h"
#include "onewindow/intake/v1/intake.pb.h"
#include "services/approval/case_store.h"

// The two records every transition leaves, written in the transaction that
// makes it: a line in the case's append-only audit trail and, where someone
// outside must hear of it, an outbox event. Event ids derive from the case id
// and the audit sequence number, so a transition announces itself under the
// same id however often a caller retries.

namespace onewindow::approval {

inline constexpr char kTopicIntake[] = "intake.record_transition";
inline constexpr char kTopicNotify[] = "notification.notify";

// Who acts: a principal, intake's hand-off or the clock.
struct Actor {
  std::string subject;
  std::string name;
  std::string department_id;

  static Actor Of(const auth::v1::Principal& principal);
  static Actor System();
};

class Journal {
 public:
  // Appends an audit entry to `record` (numbering it) and returns its
  // sequence number. The caller writes `record` afterwards.
  static int64_t Record(store::Connection& tx, CaseRecord& record, const Actor& actor,
                        const std::string& action, const std::string& task_id,
                        const std::string& stage_name, const std::string& detail, absl::Time now);

  // Tells intake (the applicant's timeline) about the transition recorded
  // as audit entry `seq`. Fills event id, application, case, actor, time
  // and the case's due time; the caller sets status, reason and the rest.
  static absl::Status ToIntake(store::Connection& tx, const CaseRecord& record, int64_t seq,
                               const Actor& actor, intake::v1::RecordTransitionRequest transition,
                               absl::Time now);

  // Tells a department about a deadline (escalation), once per `key`
  // ("<task id>/overdue"): the event id is the key.
  static absl::Status ToDepartment(store::Connection& tx, const std::string& department_id,
                                   const std::string& key, const std::string& type,
                                   std::map<std::string, std::string> params, bool urgent,
                                   absl::Time now);
};

}  // namespace onewindow::approval
