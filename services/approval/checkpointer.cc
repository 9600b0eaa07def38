#include "services/approval/checkpointer.h"

#include <SQLiteCpp/Statement.h>

#include "absl/strings/str_cat.h"
#include "libs/status/macros.h"

namespace onewindow::approval {

absl::StatusOr<std::unique_ptr<Checkpointer>> Checkpointer::Create(store::Database* db,
                                                                   log::Logger logger) {
  std::unique_ptr<SQLite::Database> connection;
  try {
    connection = std::make_unique<SQLite::Database>(db->path(), SQLite::OPEN_READWRITE, 5000);
    connection->exec("PRAGMA synchronous=FULL");
  } catch (const std::exception& e) {
    return store::StatusFromSqlite(e, absl::StrCat("open ", db->path(), " for checkpoints"));
  }
  RETURN_IF_ERROR(db->Write([](SQLite::Database& writer) {
    writer.exec("PRAGMA wal_autocheckpoint = 0");
    return absl::OkStatus();
  }));
  return std::unique_ptr<Checkpointer>(new Checkpointer(std::move(connection), std::move(logger)));
}

Checkpointer::~Checkpointer() { Stop(); }

void Checkpointer::Pass() {
  // Copies what it can without waiting for anyone.
  SQLite::Statement passive(*connection_, "PRAGMA wal_checkpoint(PASSIVE)");
  int64_t frames = 0;
  if (passive.executeStep()) frames = passive.getColumn(1).getInt64();
  if (frames < kRestartFrames) return;
  // Under steady writes and reads some reader always holds a snapshot in the
  // WAL, so the writer never gets to rewind it and it grows without bound,
  // slowing every page lookup. RESTART waits (briefly: transactions here
  // are short) until readers have left the WAL, so the next commit starts
  // it again from the beginning.
  SQLite::Statement restart(*connection_, "PRAGMA wal_checkpoint(RESTART)");
  restart.executeStep();
}

void Checkpointer::Start(absl::Duration interval) {
  thread_ = std::thread([this, interval] {
    while (true) {
      try {
        Pass();
      } catch (const std::exception& e) {
        logger_.Warn("WAL checkpoint failed; retrying", {{"error", e.what()}});
      }
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(&stop_), interval);
      if (stop_) return;
    }
  });
}

void Checkpointer::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
  connection_.reset();
}

}  // namespace onewindow::approval
