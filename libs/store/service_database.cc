#include "libs/store/service_database.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "libs/config/flags.h"

ABSL_FLAG(int, checkpoint_interval_ms, 500,
          "How often the WAL is copied into the database file, off the write path;"
          " 0 leaves it to SQLite's checkpoints inside commits");

ABSL_FLAG(int, wal_keep_mib, 256,
          "Size the WAL file is cut back to after it grew past it, MiB; below it the"
          " file's blocks are reused rather than allocated again");

namespace onewindow::store {

absl::StatusOr<std::unique_ptr<Database>> OpenServiceDatabase(
    absl::string_view service, const std::vector<Migration>& migrations,
    std::function<void(const absl::Status&)> on_background_error) {
  const std::string dir = absl::GetFlag(FLAGS_data_dir);
  if (dir.empty()) return absl::FailedPreconditionError("--data_dir (OW_DATA_DIR) is empty");
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create data directory ", dir, ": ", std::strerror(errno)));
  }
  DatabaseOptions options;
  options.path = absl::StrCat(dir, "/", service, ".db");
  options.on_background_error = std::move(on_background_error);
  options.checkpoint_interval =
      absl::Milliseconds(std::max(0, absl::GetFlag(FLAGS_checkpoint_interval_ms)));
  options.wal_keep_bytes = int64_t{std::max(0, absl::GetFlag(FLAGS_wal_keep_mib))} << 20;
  return Database::Open(options, migrations);
}

}  // namespace onewindow::store
