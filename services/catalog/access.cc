#include "services/catalog/access.h"

#include "absl/strings/str_cat.h"
#include "libs/auth/access.h"
#include "libs/status/macros.h"

namespace onewindow::catalog {

absl::Status CheckCatalogWrite(const server::Call& call, absl::string_view owner_department_id) {
  ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
  if (principal->kind() == auth::v1::PLATFORM_ADMIN) return absl::OkStatus();
  if (principal->kind() == auth::v1::STAFF && !owner_department_id.empty() &&
      principal->department_id() == owner_department_id &&
      auth::HasRole(*principal, "dept_admin")) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(
      owner_department_id.empty()
          ? std::string("catalog write needs a platform_admin")
          : absl::StrCat("catalog write needs a platform_admin or a dept_admin of ",
                         owner_department_id));
}

}  // namespace onewindow::catalog
