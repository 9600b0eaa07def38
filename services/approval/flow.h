#pragma once

#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "libs/store/connection.h"

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "onewindow/approval/v1/approval.pb.h"
#include "onewindow/catalog/v1/items.pb.h"
#include "services/approval/case_store.h"
#include "services/approval/deadlines.h"
#include "services/approval/journal.h"

namespace onewindow::approval {

// How a case moves through its process, inside the caller's write
// transaction. Every step writes the records it changed, its audit entries
// and its outbox events; the caller only loads and checks.
//
// The process is the catalog revision's stages, in order. A plain stage is
// one task for the stage's department. A countersign stage is one task per
// signing department: ALL_OF needs every signer to approve (one rejection
// rejects the case), ANY_OF needs one (the others are cancelled; the case
// is rejected only when every signer rejects). Approving the last stage
// approves the case and issues its licence. An instant item (即办件) is
// decided at its first (accept) stage. A rejection anywhere else rejects the
// case.
class Flow {
 public:
  explicit Flow(const Deadlines* deadlines) : deadlines_(deadlines) {}

  // Opens stage `index`: creates its tasks and records the start.
  absl::Status StartStage(store::Connection& tx, CaseRecord& c,
                          const catalog::v1::Implementation& process, int index, const Actor& actor,
                          absl::Time now) const;

  // `task` (live, of this case) is approved by `actor`.
  absl::Status Approve(store::Connection& tx, CaseRecord& c,
                       const catalog::v1::Implementation& process, TaskRecord& task,
                       const Actor& actor, const std::string& comment,
                       const std::string& request_id, absl::Time now) const;

  // `task` is rejected with `reason`.
  absl::Status Reject(store::Connection& tx, CaseRecord& c, TaskRecord& task, const Actor& actor,
                      const std::string& reason, const std::string& request_id,
                      absl::Time now) const;

  // The applicant must supply `materials`: the case and its live tasks stop
  // their clocks.
  absl::Status Suspend(store::Connection& tx, CaseRecord& c, const TaskRecord& task,
                       const std::vector<approval::v1::SupplementItem>& materials,
                       const Actor& actor, absl::Time now) const;

  // The applicant supplied `supplied`: clocks run again.
  absl::Status Resume(store::Connection& tx, CaseRecord& c,
                      const std::vector<std::string>& supplied, const Actor& actor,
                      absl::Time now) const;

  // `task` moves to `to_department`.
  absl::Status Transfer(store::Connection& tx, CaseRecord& c, TaskRecord& task,
                        const std::string& to_department, const std::string& reason,
                        const Actor& actor, absl::Time now) const;

  // The applicant withdrew: live tasks are cancelled, the clock stops.
  absl::Status Withdraw(store::Connection& tx, CaseRecord& c, const std::string& reason,
                        const Actor& actor, absl::Time now) const;

  // The last stage of the process that this case works: the first for an
  // instant item.
  static int LastStage(const catalog::v1::Implementation& process);

  // The departments the tasks of `stage` go to.
  static std::vector<std::string> StageDepartments(const catalog::v1::Stage& stage,
                                                   const std::string& case_department);

 private:
  absl::Status CompleteStage(store::Connection& tx, CaseRecord& c,
                             const catalog::v1::Implementation& process, const Actor& actor,
                             absl::Time now) const;
  absl::Status ApproveCase(store::Connection& tx, CaseRecord& c,
                           const catalog::v1::Implementation& process, const Actor& actor,
                           absl::Time now) const;
  absl::Status RejectCase(store::Connection& tx, CaseRecord& c, const Actor& actor,
                          const std::string& reason, absl::Time now) const;
  // Cancels every live task of the case but `except_task_id`.
  void CancelLive(store::Connection& tx, CaseRecord& c, const std::string& except_task_id,
                  const Actor& actor, const std::string& why, absl::Time now) const;
  absl::Status Close(store::Connection& tx, CaseRecord& c, approval::v1::CaseState state,
                     absl::Time now) const;

  const Deadlines* deadlines_;
};

// The text on a rejection telling the applicant how to appeal.
std::string AppealText();

}  // namespace onewindow::approval
