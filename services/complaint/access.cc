#include "services/complaint/access.h"

#include "libs/auth/access.h"
#include "libs/codes/mask.h"

namespace onewindow::complaint {

using complaint::v1::WorkOrder;

bool IsDispatcher(const auth::v1::Principal& principal, const Policy& policy) {
  return principal.kind() == auth::v1::STAFF &&
         auth::HasRole(principal, auth::kRoleComplaintHandler) &&
         policy.dispatch_departments.count(principal.department_id()) > 0;
}

bool IsHandlerOf(const auth::v1::Principal& principal, const std::string& department_id) {
  return principal.kind() == auth::v1::STAFF && !department_id.empty() &&
         principal.department_id() == department_id &&
         auth::HasRole(principal, auth::kRoleComplaintHandler);
}

Viewer ClassifyViewer(const auth::v1::Principal* principal, const WorkOrder& order,
                      const Policy& policy) {
  if (principal == nullptr) return Viewer::kNobody;
  if (!order.complainant().account_id().empty() &&
      principal->subject() == order.complainant().account_id()) {
    return Viewer::kOwner;
  }
  if (IsDispatcher(*principal, policy)) return Viewer::kDispatcher;
  if (IsHandlerOf(*principal, order.assigned_department_id())) return Viewer::kHandler;
  switch (principal->kind()) {
    case auth::v1::OPERATOR:
    case auth::v1::PLATFORM_ADMIN:
    case auth::v1::SERVICE:
      return Viewer::kSupervisor;
    default:
      return Viewer::kNobody;
  }
}

WorkOrder Redact(WorkOrder order, Viewer viewer) {
  complaint::v1::Complainant* c = order.mutable_complainant();
  const bool anonymous = c->anonymous();
  switch (viewer) {
    case Viewer::kOwner:
      break;
    case Viewer::kDispatcher:
    case Viewer::kHandler:
      if (anonymous) {
        c->Clear();
        c->set_anonymous(true);
        break;
      }
      if (viewer == Viewer::kHandler) {
        c->set_phone(codes::MaskPhone(c->phone()));
        c->clear_email();
      }
      break;
    case Viewer::kSupervisor:
    case Viewer::kNobody:
      c->Clear();
      c->set_anonymous(anonymous);
      break;
  }
  return order;
}

absl::Status RequireDispatcher(const auth::v1::Principal& principal, const Policy& policy) {
  if (IsDispatcher(principal, policy)) return absl::OkStatus();
  return absl::PermissionDeniedError(
      "requires a dispatcher (complaint_handler of a dispatch centre)");
}

}  // namespace onewindow::complaint
