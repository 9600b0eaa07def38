#pragma once

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "onewindow/approval/v1/approval.pb.h"
#include "onewindow/auth/v1/principal.pb.h"
#include "services/approval/case_store.h"

// Who may do what in approval. Each check returns OK or the status to send.
namespace onewindow::approval {

// Intake's hand-offs (open, resume, withdraw): SERVICE principals and
// platform admins.
absl::Status CheckHandoff(const auth::v1::Principal& principal);

// Acting on tasks: staff (people or department API tokens) or a service
// principal, with a department and one of the roles clerk, reviewer,
// approver or dept_admin.
// Whether the task is their department's is checked against the task.
absl::Status CheckCaseWorker(const auth::v1::Principal& principal);

// Operators and platform admins see every department's work (read only).
bool IsSupervisor(const auth::v1::Principal& principal);

// Reading a case: staff of the case's department or of a department
// holding one of its tasks, supervisors and services. Everyone else gets
// NOT_FOUND, exactly as for a case that does not exist, so ids cannot be
// probed.
absl::Status CheckCaseReader(const auth::v1::Principal& principal, const approval::v1::Case& c,
                             const std::vector<TaskRecord>& tasks);

// The department whose queue a caller may list: its own, or any for a
// supervisor (who must name one).
absl::Status CheckQueueReader(const auth::v1::Principal& principal,
                              absl::string_view department_id);

}  // namespace onewindow::approval
