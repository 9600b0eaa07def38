#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/store/database.h"

namespace onewindow::store {

// Opens <--data_dir>/<service>.db (creating the directory) and applies the
// service's migrations. `on_background_error`: see DatabaseOptions.
absl::StatusOr<std::unique_ptr<Database>> OpenServiceDatabase(
    absl::string_view service, const std::vector<Migration>& migrations,
    std::function<void(const absl::Status&)> on_background_error = nullptr);

}  // namespace onewindow::store
