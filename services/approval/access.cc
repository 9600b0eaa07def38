#include "services/approval/access.h"

#include "absl/strings/str_cat.h"
#include "libs/auth/access.h"
#include "libs/status/macros.h"

namespace onewindow::approval {

absl::Status CheckHandoff(const auth::v1::Principal& principal) {
  return auth::RequireKind(principal, {auth::v1::SERVICE, auth::v1::PLATFORM_ADMIN});
}

absl::Status CheckCaseWorker(const auth::v1::Principal& principal) {
  // Department API tokens are STAFF principals; a department's own system
  // may also hold a SERVICE principal with its department.
  RETURN_IF_ERROR(auth::RequireKind(principal, {auth::v1::STAFF, auth::v1::SERVICE}));
  if (principal.department_id().empty()) {
    return absl::PermissionDeniedError("staff without a department cannot work cases");
  }
  for (absl::string_view role :
       {auth::kRoleClerk, auth::kRoleReviewer, auth::kRoleApprover, auth::kRoleDeptAdmin}) {
    if (auth::HasRole(principal, role)) return absl::OkStatus();
  }
  return absl::PermissionDeniedError(
      "requires one of the roles clerk, reviewer, approver or dept_admin");
}

bool IsSupervisor(const auth::v1::Principal& principal) {
  return principal.kind() == auth::v1::OPERATOR || principal.kind() == auth::v1::PLATFORM_ADMIN;
}

absl::Status CheckCaseReader(const auth::v1::Principal& principal, const approval::v1::Case& c,
                             const std::vector<TaskRecord>& tasks) {
  if (IsSupervisor(principal) || principal.kind() == auth::v1::SERVICE) return absl::OkStatus();
  if (principal.kind() == auth::v1::STAFF && !principal.department_id().empty()) {
    if (principal.department_id() == c.department_id()) return absl::OkStatus();
    for (const TaskRecord& t : tasks) {
      if (t.t.department_id() == principal.department_id()) return absl::OkStatus();
    }
  }
  return absl::NotFoundError(absl::StrCat("case ", c.case_id(), " not found"));
}

absl::Status CheckQueueReader(const auth::v1::Principal& principal,
                              absl::string_view department_id) {
  if (IsSupervisor(principal)) {
    if (department_id.empty()) {
      return absl::InvalidArgumentError("department_id: required for operators");
    }
    return absl::OkStatus();
  }
  RETURN_IF_ERROR(auth::RequireKind(principal, {auth::v1::STAFF, auth::v1::SERVICE}));
  return auth::RequireDepartment(principal, department_id);
}

}  // namespace onewindow::approval
