#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/store/connection.h"
#include "libs/store/report_throttle.h"
#include "libs/store/wal_sync.h"

namespace onewindow::store {

// A numbered schema change. Versions start at 1 and increase by one; each is
// applied once, in its own transaction, and recorded in schema_migrations.
struct Migration {
  int version;
  std::string name;
  std::string sql;
};

struct DatabaseOptions {
  std::string path;  // ":memory:" is not supported: readers need the same file.
  absl::Duration busy_timeout = absl::Seconds(5);
  int max_readers = 4;
  // How often a thread of its own copies the WAL into the database file.
  // SQLite would otherwise checkpoint inside the commit that crosses
  // wal_autocheckpoint, making every write of that group wait for the copy
  // and the database file's fsync. Zero leaves checkpoints to SQLite.
  absl::Duration checkpoint_interval = absl::Milliseconds(500);
  // What the WAL file is cut back to when it is rewound after growing past
  // it (with a checkpoint_interval). The file is reused from its start, so
  // below this size its blocks stay allocated and cached, and appending a
  // frame writes into them; above it every frame written lands on a fresh
  // block the kernel must allocate and half zero.
  // The WAL is rewound once it holds half this (at least 1024 pages): the
  // other half takes what is written until the writer gets to it. Each
  // rewind stops writes while it syncs the database file, 30-80 ms under
  // approval's benchmark, so rewinding less often is worth the disk.
  int64_t wal_keep_bytes = int64_t{256} << 20;
  // Told when work on the store's own threads fails: background checkpoints
  // that keep failing (at most once a minute; the WAL then grows until one
  // succeeds, which operators need to know), or a grouped write's `done`
  // that threw (a bug in its caller; the committer goes on).
  std::function<void(const absl::Status&)> on_background_error = nullptr;
  // Syncs the WAL file's descriptor, returning 0 or an errno: fdatasync
  // unless a test blocks or fails it (see WalSync).
  WalSync::SyncFile sync_file = nullptr;
};

class Checkpointer;

// One SQLite file in WAL mode in which an acknowledged write survives power
// loss: no write is answered, and no read returns, before the WAL holding
// what it wrote or saw is synced (WalSync does that apart from the COMMIT, so the next
// group commits meanwhile). Writes are serialised through one connection (SQLite
// allows one writer anyway); reads use a small pool of connections that run
// beside the writer thanks to WAL. The interface is narrow on purpose so a
// PostgreSQL backend can stand behind it later.
class Database {
 public:
  static absl::StatusOr<std::unique_ptr<Database>> Open(const DatabaseOptions& options,
                                                        const std::vector<Migration>& migrations);
  ~Database();

  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs `fn` in BEGIN IMMEDIATE … COMMIT. A non-OK status or an exception
  // from `fn` rolls everything back; nothing half-written stays.
  absl::Status Write(absl::FunctionRef<absl::Status(Connection&)> fn);

  // Like Write, but concurrent callers share one transaction and one fsync
  // (group commit): each `fn` runs in its own savepoint, so a failing one
  // rolls back alone, and every caller returns only after the shared COMMIT
  // is durable. This is how hot write paths exceed the one-fsync-per-call
  // ceiling of Write.
  absl::Status WriteGrouped(absl::FunctionRef<absl::Status(Connection&)> fn);

  // WriteGrouped without waiting: returns at once, and `done` receives what
  // WriteGrouped would have returned once the group's COMMIT is durable (or
  // failed). `fn` runs on the committing thread and `done` on the
  // completing thread, in commit order, while the next group commits.
  // Whatever they capture must live until `done` has run. Neither may wait
  // for a grouped write, which needs these very threads: the blocking
  // WriteGrouped answers FAILED_PRECONDITION there, but a blocking call
  // built on WriteGroupedAsync and store::Await would hang. Neither may
  // Close the store (refused and reported, see Close).
  // Asynchronous servers use this so no thread blocks per write in flight.
  void WriteGroupedAsync(absl::AnyInvocable<absl::Status(Connection&)> fn,
                         absl::AnyInvocable<void(absl::Status)> done);

  // WriteGroupedAsync for a `fn` that may run more than once, each run on
  // the store as it was before the first: only the last run's writes, and
  // what it fills in for `done`, may count (so it resets what it fills
  // in), and it writes with INSERT, UPDATE and DELETE only. A group's
  // repeatable writes run first, with no savepoint each: SQLite copies
  // every page a savepoint's writes touch into its journal, which cost a
  // submission a sixth of its commit. One that fails having changed no row
  // needs nothing undone; one that fails after changing rows has the
  // transaction begun again and every repeatable write of the group run
  // again, each in a savepoint of its own. An error after which SQLite
  // rolled the whole transaction back (I/O, a full disk, OR ROLLBACK) fails
  // every write of the group, as it does when writes have savepoints.
  void WriteGroupedRepeatableAsync(absl::AnyInvocable<absl::Status(Connection&)> fn,
                                   absl::AnyInvocable<void(absl::Status)> done);

  // Runs `fn` in a read transaction on a pooled connection: one consistent
  // snapshot for all its statements. Returns once everything the snapshot
  // could hold is durable, so nothing read can be taken back by a crash.
  absl::Status Read(absl::FunctionRef<absl::Status(Connection&)> fn) const;

  // Highest applied migration.
  int schema_version() const { return schema_version_; }
  const std::string& path() const { return options_.path; }

  // Commits the grouped writes already queued, checkpoints the WAL and
  // closes every connection; later calls fail with UNAVAILABLE. Called by
  // the server runner after in-flight calls drained. From a grouped write's
  // `fn` or `done` it would join the thread it runs on: it then does
  // nothing and tells `on_background_error`.
  void Close();

 private:
  explicit Database(DatabaseOptions options);
  absl::Status Migrate(const std::vector<Migration>& migrations);
  absl::StatusOr<std::unique_ptr<Connection>> OpenConnection(bool read_only) const;
  int BusyTimeoutMs() const {
    return static_cast<int>(absl::ToInt64Milliseconds(options_.busy_timeout));
  }
  std::unique_ptr<Connection> AcquireReader() const;
  void ReleaseReader(std::unique_ptr<Connection> reader) const;

  const DatabaseOptions options_;
  int schema_version_ = 0;

  struct GroupedWrite {
    absl::AnyInvocable<absl::Status(Connection&)> fn;
    absl::AnyInvocable<void(absl::Status)> done;
    bool repeatable = false;
  };
  void QueueGroupedWrite(GroupedWrite write);
  // A committed group on its way to the completing thread: each write's
  // outcome beside it.
  struct CommittedGroup {
    std::vector<GroupedWrite> writes;
    std::vector<absl::Status> results;
    uint64_t commit = 0;  // WalSync's number for its COMMIT; 0 if none
  };
  void StartCommitter();
  void CommitLoop();
  CommittedGroup CommitGroup(std::vector<GroupedWrite> group);
  // The least WAL (in frames) the checkpointer asks to rewind, whatever
  // DatabaseOptions::wal_keep_bytes says.
  static constexpr int64_t kMinRewindFrames = 1024;
  // Runs the RESTART checkpoint the checkpointer asked for, on the writer
  // between two groups (see Checkpointer::Pass).
  void RewindWal();
  void CompleteLoop();
  void Complete(CommittedGroup& committed);

  // Grouped writes wait here for the committer thread, which takes all that
  // are queued into one transaction whenever it is free.
  absl::Mutex group_mu_;
  std::vector<GroupedWrite> group_queue_ ABSL_GUARDED_BY(group_mu_);
  bool committer_stopping_ ABSL_GUARDED_BY(group_mu_) = false;
  std::thread committer_;

  // Completions run on a thread of their own, which syncs the WAL through
  // the groups it takes (one fdatasync for all of them) and then answers
  // their callers, while the committer runs the next group's statements and
  // COMMIT.
  absl::Mutex completion_mu_;
  std::vector<CommittedGroup> completion_queue_ ABSL_GUARDED_BY(completion_mu_);
  bool completer_stopping_ ABSL_GUARDED_BY(completion_mu_) = false;
  std::thread completer_;

  std::unique_ptr<Checkpointer> checkpointer_;
  std::atomic<bool> rewind_wanted_{false};
  static constexpr int kRewindTriesBeforeWaiting = 64;
  // Set by Open once the writer has named its WAL file.
  std::unique_ptr<WalSync> wal_sync_;

  mutable absl::Mutex write_mu_;
  std::unique_ptr<Connection> writer_ ABSL_GUARDED_BY(write_mu_);
  int rewind_tries_ ABSL_GUARDED_BY(write_mu_) = 0;
  ReportThrottle rewind_report_ ABSL_GUARDED_BY(write_mu_);

  mutable absl::Mutex readers_mu_;
  mutable std::vector<std::unique_ptr<Connection>> idle_readers_ ABSL_GUARDED_BY(readers_mu_);
  mutable int open_readers_ ABSL_GUARDED_BY(readers_mu_) = 0;
  bool closed_ ABSL_GUARDED_BY(readers_mu_) = false;
};

// Maps a SQLite failure to a status; `what` says what we were doing.
absl::Status StatusFromSqlite(const std::exception& e, absl::string_view what);

}  // namespace onewindow::store
