#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "libs/store/report_throttle.h"

namespace onewindow::store {

// Makes committed transactions durable by syncing the WAL file apart from
// the COMMIT that wrote them.
//
// The writer runs with synchronous=NORMAL, so COMMIT only writes its frames
// to the WAL; whoever must answer for a commit calls SyncThrough before
// answering. That lets the committing thread start the next group while the
// previous one's fdatasync is in flight, and one fdatasync covers every
// commit written before it began. Frames written after a sync that a power
// loss tears are dropped on recovery by the WAL's checksums, exactly as with
// synchronous=FULL.
//
// Commits are numbered. The writer calls BeginCommit right before each
// COMMIT and EndCommit once it returned, whether it succeeded or not (a
// sync that covers a failed COMMIT costs nothing). A reader whose snapshot
// may hold a COMMIT that has not returned yet asks for last_begun() and so
// waits for it.
//
// Once an fdatasync fails nothing is known to be durable any more: the
// kernel may have dropped the pages it could not write, so even copying
// the WAL into the database could spread stale data. Every later
// SyncThrough fails too, the store refuses new writes and checkpoints
// (failed()), and `on_failure` hears of it once. Failing to find or open
// the file fails only that call (a lost descriptor may come back; a file
// deleted under the store does not, and then every sync fails), and
// `on_failure` hears of it at most once a minute.
//
// Relies on fdatasync syncing the file, not the descriptor, as Linux does
// on local filesystems; a FUSE or network filesystem that syncs per
// descriptor would need synchronous=FULL instead.
class WalSync {
 public:
  // Syncs the file behind `fd`; returns 0 or an errno. fdatasync(2) unless
  // a test blocks or fails it.
  using SyncFile = std::function<int(int fd)>;

  // `wal_path` as SQLite names it (sqlite3_filename_wal), which follows
  // symbolic links to the database.
  WalSync(std::string wal_path, SyncFile sync_file,
          std::function<void(const absl::Status&)> on_failure);
  ~WalSync();

  WalSync(const WalSync&) = delete;
  WalSync& operator=(const WalSync&) = delete;

  // Numbers the COMMIT about to run. Calls alternate with EndCommit, from
  // one writer at a time.
  uint64_t BeginCommit();
  // The COMMIT numbered last has returned: its frames are written.
  void EndCommit();
  // The number of the last COMMIT begun.
  uint64_t last_begun() const;

  // Returns once commit `commit` and all before it are on disk: waits for
  // it to end, then syncs the WAL unless a sync that covers it is already
  // running.
  absl::Status SyncThrough(uint64_t commit);

  // Why the store may no longer write, or OK.
  absl::Status failed() const;

 private:
  // Which file a path or descriptor names.
  struct FileId {
    uint32_t device_major = 0;
    uint32_t device_minor = 0;
    uint64_t inode = 0;
    bool operator!=(const FileId& o) const {
      return device_major != o.device_major || device_minor != o.device_minor || inode != o.inode;
    }
  };
  // statx(2) asking for the inode number only; false with errno set.
  static bool IdentifyFile(int dir, const char* path, int flags, FileId* id);

  // Opens the WAL unless the descriptor already names the file at
  // wal_path_ (SQLite never replaces it while the store is open, but a
  // sync of a replaced file would make nothing durable).
  absl::Status OpenWal();

  const std::string wal_path_;
  const SyncFile sync_file_;
  const std::function<void(const absl::Status&)> on_failure_;

  mutable absl::Mutex mu_;
  uint64_t begun_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t ended_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t synced_ ABSL_GUARDED_BY(mu_) = 0;
  bool syncing_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status failed_ ABSL_GUARDED_BY(mu_);

  // Only the thread that set `syncing_` touches these.
  int fd_ = -1;
  FileId opened_;
  ReportThrottle open_report_;
};

}  // namespace onewindow::store
