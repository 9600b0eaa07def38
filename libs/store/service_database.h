#pragma once

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/store/database.h"

namespace onewindow::store {

// Opens <--data_dir>/<service>.db (creating the directory) and applies the
// service's migrations.
absl::StatusOr<std::unique_ptr<Database>> OpenServiceDatabase(
    absl::string_view service, const std::vector<Migration>& migrations);

}  // namespace onewindow::store
