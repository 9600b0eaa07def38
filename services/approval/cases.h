#pragma once

#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "onewindow/approval/v1/approval.pb.h"
#include "onewindow/auth/v1/principal.pb.h"
#include "services/approval/deps.h"

namespace onewindow::approval {

// Intake's side of a case: opening it from the hand-off, resuming it after
// a supplement, withdrawing it. Each is idempotent, as outbox deliveries
// repeat.
class Cases {
 public:
  explicit Cases(Deps deps) : deps_(std::move(deps)) {}

  // Idempotent on application id: a redelivered hand-off returns the case
  // the first delivery opened. An application withdrawn before its case
  // opened returns a WITHDRAWN case without a case id and opens nothing.
  // Reads the item's process from the catalog revision named (UNAVAILABLE
  // while the catalog cannot be asked; NOT_FOUND for a revision it lacks).
  absl::StatusOr<approval::v1::Case> Open(const approval::v1::OpenCaseRequest& request,
                                          const Actor& actor);

  // Open without holding a thread while the write commits: `done` gets what
  // Open would return, from the store's completing thread once the write is durable
  // (or at once, when nothing is to be written). `request` must live until
  // then. Writes started together usually share one commit.
  using CaseDone = absl::AnyInvocable<void(absl::StatusOr<approval::v1::Case>)>;
  void OpenAsync(const approval::v1::OpenCaseRequest& request, const Actor& actor, CaseDone done);

  // Idempotent on event id. FAILED_PRECONDITION unless the case waits for a
  // supplement.
  absl::StatusOr<approval::v1::Case> Resume(const approval::v1::ResumeCaseRequest& request,
                                            const Actor& actor);

  // FAILED_PRECONDITION once decided; withdrawing twice returns the
  // withdrawn case; an unknown application leaves a tombstone.
  absl::StatusOr<approval::v1::Case> Withdraw(const approval::v1::WithdrawCaseRequest& request,
                                              const Actor& actor);

  // NOT_FOUND also when `principal` may not read it (CheckCaseReader).
  absl::StatusOr<approval::v1::Case> Get(const auth::v1::Principal& principal,
                                         const std::string& case_id) const;

 private:
  Deps deps_;
};

}  // namespace onewindow::approval
