#pragma once

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "libs/server/call.h"

namespace onewindow::catalog {

// Catalog reads are public. Writes need a platform admin, or a dept_admin of
// the body that owns what is written (`owner_department_id`; empty means
// province-wide data such as regions, which only platform admins change).
absl::Status CheckCatalogWrite(const server::Call& call, absl::string_view owner_department_id);

}  // namespace onewindow::catalog
