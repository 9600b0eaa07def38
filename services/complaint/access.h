#pragma once

#include "absl/status/status.h"
#include "onewindow/auth/v1/principal.pb.h"
#include "onewindow/complaint/v1/complaint.pb.h"
#include "services/complaint/policy.h"

namespace onewindow::complaint {

// Who is looking at a work order decides what of the complainant they see
// (issue: identity only to dispatchers and the handling department).
enum class Viewer {
  kNobody,      // Gets NOT_FOUND, like a missing order.
  kSupervisor,  // Operators, platform admins, services: the order, no complainant.
  kHandler,     // The assigned department's complaint handlers: name, masked phone.
  kDispatcher,  // Dispatch-centre complaint handlers: everything (they call back).
  kOwner,       // The complainant: everything.
};

// Complaint handlers of a dispatch department.
bool IsDispatcher(const auth::v1::Principal& principal, const Policy& policy);

// Complaint handlers of `department_id`.
bool IsHandlerOf(const auth::v1::Principal& principal, const std::string& department_id);

// nullptr (anonymous caller) is kNobody.
Viewer ClassifyViewer(const auth::v1::Principal* principal, const complaint::v1::WorkOrder& order,
                      const Policy& policy);

// The order as `viewer` may see it. An anonymous report shows nobody but
// its filer who filed it, dispatchers included.
complaint::v1::WorkOrder Redact(complaint::v1::WorkOrder order, Viewer viewer);

// PERMISSION_DENIED unless the caller is a dispatcher.
absl::Status RequireDispatcher(const auth::v1::Principal& principal, const Policy& policy);

}  // namespace onewindow::complaint
