#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include <SQLiteCpp/Database.h>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/store/wal_sync.h"

namespace onewindow::store {

// Moves the WAL into the database file from a connection of its own, off
// the write path (see DatabaseOptions::checkpoint_interval). A PASSIVE
// checkpoint runs beside readers and the writer; once the WAL is long, a
// RESTART checkpoint makes sure it is rewound (see Pass()).
class Checkpointer {
 public:
  // The caller turns the writer's automatic checkpoints off.
  // `on_error` (may be empty) hears of failing passes, at most once a
  // minute.
  // Passes stop once `wal_sync` (which must outlive this) has failed: the
  // WAL in memory may then differ from the disk's. `wants_rewind` is told
  // when the WAL holds `restart_frames` frames or more: the writer should
  // run a RESTART checkpoint.
  static absl::StatusOr<std::unique_ptr<Checkpointer>> Start(
      const std::string& path, absl::Duration interval, int64_t restart_frames,
      const WalSync* wal_sync, std::function<void()> wants_rewind,
      std::function<void(const absl::Status&)> on_error);
  ~Checkpointer();

  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Stops the thread and closes its connection: before the database closes.
  void Stop();

 private:
  Checkpointer(std::unique_ptr<SQLite::Database> connection, int64_t restart_frames,
               const WalSync* wal_sync, std::function<void()> wants_rewind,
               std::function<void(const absl::Status&)> on_error)
      : connection_(std::move(connection)),
        restart_frames_(restart_frames),
        wal_sync_(wal_sync),
        wants_rewind_(std::move(wants_rewind)),
        on_error_(std::move(on_error)) {}
  void Run(absl::Duration interval);
  void Pass();

  std::unique_ptr<SQLite::Database> connection_;
  const int64_t restart_frames_;
  const WalSync* const wal_sync_;
  const std::function<void()> wants_rewind_;
  const std::function<void(const absl::Status&)> on_error_;
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace onewindow::store
