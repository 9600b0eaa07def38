#pragma once

#include <cstddef>
#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "libs/store/connection.h"
#include "onewindow/approval/v1/approval.pb.h"
#include "onewindow/auth/v1/principal.pb.h"
#include "services/approval/deps.h"

namespace onewindow::approval {

// Longest text a desk action takes (a comment, a reason, a material name),
// and the most items one supplement request asks for. Hand-offs from
// intake that echo them back (supplied materials, a withdrawal's reason)
// are held to the same.
inline constexpr size_t kMaxTextBytes = 4000;
inline constexpr int kMaxSupplementItems = 100;

// A department's work on its tasks: claim and release, the decisions
// (approve, reject, request a supplement), transfer, and comments.
//
// Only staff of the department owning a task may act on it (others get
// NOT_FOUND, as for a task that does not exist); see CheckCaseWorker for
// roles. A claimed task is its holder's: others get FAILED_PRECONDITION
// until it is released. One decision per task: decisions are checked and
// applied in one write transaction, so of two racing decisions the second
// finds the task decided and gets FAILED_PRECONDITION, unless it carries the
// first one's request_id (a client retry), which returns the first answer.
// Decisions share group commits, so many land per fsync.
class Desk {
 public:
  explicit Desk(Deps deps) : deps_(std::move(deps)) {}

  absl::StatusOr<approval::v1::Task> Claim(const auth::v1::Principal& principal,
                                           const std::string& task_id);
  // By the holder or a dept_admin of the department; releasing an unclaimed
  // task returns it unchanged.
  absl::StatusOr<approval::v1::Task> Release(const auth::v1::Principal& principal,
                                             const std::string& task_id);

  absl::StatusOr<approval::v1::DecisionResponse> Approve(
      const auth::v1::Principal& principal, const approval::v1::ApproveTaskRequest& request);

  // What a decision returns.
  using DecisionDone = absl::AnyInvocable<void(absl::StatusOr<approval::v1::DecisionResponse>)>;
  // Approve without a thread waiting for the commit: `done` runs once, on
  // this thread when the request is refused before anything is written,
  // otherwise on the store's completing thread once the decision is
  // durable. `principal` and `request` must live until then.
  void ApproveAsync(const auth::v1::Principal& principal,
                    const approval::v1::ApproveTaskRequest& request, DecisionDone done);
  absl::StatusOr<approval::v1::DecisionResponse> Reject(
      const auth::v1::Principal& principal, const approval::v1::RejectTaskRequest& request);
  // Every missing or defective material at once, each with why.
  absl::StatusOr<approval::v1::DecisionResponse> RequestSupplement(
      const auth::v1::Principal& principal, const approval::v1::RequestSupplementRequest& request);
  absl::StatusOr<approval::v1::DecisionResponse> Transfer(
      const auth::v1::Principal& principal, const approval::v1::TransferTaskRequest& request);

  // By staff of a department the case concerns (see CheckCaseReader).
  absl::StatusOr<approval::v1::AuditEntry> Comment(const auth::v1::Principal& principal,
                                                   const approval::v1::AddCommentRequest& request);

 private:
  struct Loaded;
  enum class Need { kOpenTask, kLiveTask };
  // Loads the task and its case for `principal` inside the transaction and
  // checks department, state and claim. Sets `replayed` when `request_id`
  // names the decision that already closed the task.
  absl::Status Load(store::Connection& tx, const auth::v1::Principal& principal,
                    const std::string& task_id, const std::string& request_id, Need need,
                    Loaded& loaded) const;
  using Apply = absl::AnyInvocable<absl::Status(store::Connection&, Loaded&, absl::Time)>;
  // Runs a decision: `apply` changes the loaded records.
  absl::StatusOr<approval::v1::DecisionResponse> Decide(const auth::v1::Principal& principal,
                                                        const std::string& task_id,
                                                        const std::string& request_id, Apply apply);
  // The same, answering through `done` (see ApproveAsync).
  void DecideAsync(const auth::v1::Principal& principal, const std::string& task_id,
                   const std::string& request_id, Apply apply, DecisionDone done);

  Deps deps_;
};

}  // namespace onewindow::approval
