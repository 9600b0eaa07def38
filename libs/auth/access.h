#pragma once

#include <initializer_list>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "onewindow/auth/v1/principal.pb.h"

namespace onewindow::auth {

// Checks every handler runs on the verified principal before touching data.
// Each returns OK or the status to send back as is.

// Role names, as identity assigns them to staff.
inline constexpr absl::string_view kRoleClerk = "clerk";
inline constexpr absl::string_view kRoleReviewer = "reviewer";
inline constexpr absl::string_view kRoleApprover = "approver";
inline constexpr absl::string_view kRoleComplaintHandler = "complaint_handler";
inline constexpr absl::string_view kRoleDeptAdmin = "dept_admin";

// Whether `principal` holds `role` (exact match).
bool HasRole(const v1::Principal& principal, absl::string_view role);

// PERMISSION_DENIED unless the principal's kind is one of `kinds`. An
// unspecified kind never passes.
absl::Status RequireKind(const v1::Principal& principal,
                         std::initializer_list<v1::PrincipalKind> kinds);

// PERMISSION_DENIED naming `role` unless the principal holds it. Nobody is
// exempt, platform_admin included: approving or handling cases is a
// department's decision, and separating it from platform administration is
// the point of roles. Combine with RequireDepartment for department data.
absl::Status RequireRole(const v1::Principal& principal, absl::string_view role);

// PERMISSION_DENIED unless the principal acts for `department_id` (staff and
// API tokens carry their department) or is a platform_admin. Everyone else,
// citizens and operators included, has no department and fails, as does an
// empty `department_id`.
absl::Status RequireDepartment(const v1::Principal& principal, absl::string_view department_id);

enum class OwnerCheck {
  // Only the owner passes.
  kOwnerOnly,
  // The owner, an operator or a platform_admin passes. For reads that
  // support staff need (looking up a citizen's case); never for writes.
  kOwnerOrSupervisor,
};

// NOT_FOUND unless the principal's subject is `owner_subject` (or, with
// kOwnerOrSupervisor, it is an operator or platform_admin). NOT_FOUND rather
// than PERMISSION_DENIED so that another citizen's resource looks exactly
// like a missing one and ids cannot be probed (BOLA). An empty
// `owner_subject` matches nobody.
absl::Status RequireOwner(const v1::Principal& principal, absl::string_view owner_subject,
                          OwnerCheck check = OwnerCheck::kOwnerOnly);

}  // namespace onewindow::auth
