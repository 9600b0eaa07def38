#pragma once

#include <memory>
#include <string>
#include <thread>

#include <SQLiteCpp/Database.h>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/log/logger.h"
#include "libs/store/database.h"

namespace onewindow::approval {

// Moves the WAL into the database file from a connection of its own, off
// the write path. SQLite otherwise checkpoints inside the commit that
// crosses wal_autocheckpoint, so every decision in that group commit waits
// for the copy and the database file's fsync. A PASSIVE checkpoint runs
// beside readers and the writer; once the WAL is long, a RESTART checkpoint
// makes sure it is rewound (see Pass()).
class Checkpointer {
 public:
  // Turns the writer's automatic checkpoints off; Start() takes over.
  static absl::StatusOr<std::unique_ptr<Checkpointer>> Create(store::Database* db,
                                                              log::Logger logger);
  ~Checkpointer();

  void Start(absl::Duration interval);
  // Stops the thread and closes its connection; before the store closes.
  void Stop();

 private:
  // WAL frames (pages) beyond which a pass also makes the WAL restart.
  static constexpr int64_t kRestartFrames = 8192;

  Checkpointer(std::unique_ptr<SQLite::Database> connection, log::Logger logger)
      : connection_(std::move(connection)), logger_(std::move(logger)) {}
  void Pass();

  std::unique_ptr<SQLite::Database> connection_;
  log::Logger logger_;
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace onewindow::approval
