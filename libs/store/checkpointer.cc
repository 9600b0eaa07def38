#include "libs/store/checkpointer.h"

#include <pthread.h>

#include <SQLiteCpp/Statement.h>

#include "absl/strings/str_cat.h"
#include "libs/store/database.h"
#include "libs/store/report_throttle.h"

namespace onewindow::store {

absl::StatusOr<std::unique_ptr<Checkpointer>> Checkpointer::Start(
    const std::string& path, absl::Duration interval, int64_t restart_frames,
    const WalSync* wal_sync, std::function<void()> wants_rewind,
    std::function<void(const absl::Status&)> on_error) {
  std::unique_ptr<SQLite::Database> connection;
  try {
    connection = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE, 5000);
    connection->exec("PRAGMA synchronous=FULL");
  } catch (const std::exception& e) {
    return StatusFromSqlite(e, absl::StrCat("open ", path, " for checkpoints"));
  }
  std::unique_ptr<Checkpointer> checkpointer(new Checkpointer(std::move(connection), restart_frames,
                                                              wal_sync, std::move(wants_rewind),
                                                              std::move(on_error)));
  checkpointer->thread_ = std::thread([c = checkpointer.get(), interval] {
    pthread_setname_np(pthread_self(), "ow-checkpoint");
    c->Run(interval);
  });
  return checkpointer;
}

Checkpointer::~Checkpointer() { Stop(); }

void Checkpointer::Pass() {
  if (wal_sync_ != nullptr && !wal_sync_->failed().ok()) return;
  // Copies what it can without waiting for anyone.
  SQLite::Statement passive(*connection_, "PRAGMA wal_checkpoint(PASSIVE)");
  int64_t frames = 0;
  if (passive.executeStep()) frames = passive.getColumn(1).getInt64();
  if (frames < restart_frames_) return;
  // Under steady writes and reads some reader always holds a snapshot in the
  // WAL, so the writer never gets to rewind it and it grows without bound
  // (about 1 GB in 20 s under approval's benchmark), slowing every page
  // lookup. A RESTART checkpoint fixes that, but run here it holds the
  // writer lock while it waits for readers, and the writer waits it out in
  // SQLite's busy back-off (11.6 ms a time, 8 % of approval's committer).
  // The writer runs it instead, between two groups.
  if (wants_rewind_) wants_rewind_();
}

void Checkpointer::Run(absl::Duration interval) {
  ReportThrottle report;
  while (true) {
    try {
      Pass();
    } catch (const std::exception& e) {
      // Busy or short of space: the WAL keeps everything, and the next pass
      // (or the close) tries again; whoever watches hears of it, not too
      // often.
      if (on_error_ && report.Due()) on_error_(StatusFromSqlite(e, "WAL checkpoint"));
    }
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(&stop_), interval);
    if (stop_) return;
  }
}

void Checkpointer::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
  connection_.reset();
}

}  // namespace onewindow::store
