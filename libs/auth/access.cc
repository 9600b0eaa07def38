#include "libs/auth/access.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace onewindow::auth {

bool HasRole(const v1::Principal& principal, absl::string_view role) {
  for (const std::string& held : principal.roles()) {
    if (held == role) {
      return true;
    }
  }
  return false;
}

absl::Status RequireKind(const v1::Principal& principal,
                         std::initializer_list<v1::PrincipalKind> kinds) {
  if (principal.kind() != v1::PRINCIPAL_KIND_UNSPECIFIED) {
    for (v1::PrincipalKind kind : kinds) {
      if (principal.kind() == kind) {
        return absl::OkStatus();
      }
    }
  }
  std::string allowed;
  for (v1::PrincipalKind kind : kinds) {
    absl::StrAppend(&allowed, allowed.empty() ? "" : " or ", v1::PrincipalKind_Name(kind));
  }
  return absl::PermissionDeniedError(absl::StrCat("requires principal kind ", allowed));
}

absl::Status RequireRole(const v1::Principal& principal, absl::string_view role) {
  if (!role.empty() && HasRole(principal, role)) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(absl::StrCat("requires role \"", role, "\""));
}

absl::Status RequireDepartment(const v1::Principal& principal, absl::string_view department_id) {
  if (principal.kind() == v1::PLATFORM_ADMIN) {
    return absl::OkStatus();
  }
  if (!department_id.empty() && principal.department_id() == department_id) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(
      absl::StrCat("may not act for department \"", department_id, "\""));
}

absl::Status RequireOwner(const v1::Principal& principal, absl::string_view owner_subject,
                          OwnerCheck check) {
  if (principal.kind() != v1::PRINCIPAL_KIND_UNSPECIFIED && !owner_subject.empty() &&
      principal.subject() == owner_subject) {
    return absl::OkStatus();
  }
  if (check == OwnerCheck::kOwnerOrSupervisor &&
      (principal.kind() == v1::OPERATOR || principal.kind() == v1::PLATFORM_ADMIN)) {
    return absl::OkStatus();
  }
  return absl::NotFoundError("not found");
}

}  // namespace onewindow::auth
