#include "libs/testing/fsync_probe.h"

#include <cstdio>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace onewindow::testing {

absl::StatusOr<double> FsyncLoopTransactionsPerSecond(const std::string& dir,
                                                      absl::Duration duration) {
  const std::string path = absl::StrCat(dir, "/fsync-probe.db");
  double rate = 0;
  try {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("PRAGMA journal_mode=WAL");
    db.exec("PRAGMA synchronous=FULL");
    db.exec("CREATE TABLE IF NOT EXISTS t (n INTEGER)");
    SQLite::Statement insert(db, "INSERT INTO t (n) VALUES (?)");
    const absl::Time start = absl::Now();
    const absl::Time end = start + duration;
    int64_t n = 0;
    while (absl::Now() < end) {
      db.exec("BEGIN IMMEDIATE");
      insert.bind(1, n);
      insert.exec();
      insert.reset();
      db.exec("COMMIT");
      ++n;
    }
    rate = static_cast<double>(n) / absl::ToDoubleSeconds(absl::Now() - start);
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("fsync probe in ", dir, ": ", e.what()));
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove(absl::StrCat(path, suffix).c_str());
  return rate;
}

}  // namespace onewindow::testing
