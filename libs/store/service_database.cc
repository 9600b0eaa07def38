#include "libs/store/service_database.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "libs/config/flags.h"

namespace onewindow::store {

absl::StatusOr<std::unique_ptr<Database>> OpenServiceDatabase(
    absl::string_view service, const std::vector<Migration>& migrations) {
  const std::string dir = absl::GetFlag(FLAGS_data_dir);
  if (dir.empty()) return absl::FailedPreconditionError("--data_dir (OW_DATA_DIR) is empty");
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create data directory ", dir, ": ", std::strerror(errno)));
  }
  DatabaseOptions options;
  options.path = absl::StrCat(dir, "/", service, ".db");
  return Database::Open(options, migrations);
}

}  // namespace onewindow::store
