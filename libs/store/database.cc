#include "libs/store/database.h"

#include <pthread.h>

#include <algorithm>

#include <sqlite3.h>

#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>

#include "absl/strings/str_cat.h"
#include "libs/status/macros.h"
#include "libs/store/await.h"
#include "libs/store/checkpointer.h"
#include "libs/store/wal_append_vfs.h"

namespace onewindow::store {
namespace {

// Runs `fn` between `begin` and COMMIT on `db`, rolling back on any failure.
// Transaction control through the statement cache: the committer runs a
// BEGIN and a COMMIT per group and two savepoint statements per grouped
// write that is not repeatable, and compiling each afresh was about 5 % of
// its CPU.
void Control(Connection& db, absl::string_view sql) { db.Prepare(sql)->exec(); }

absl::Status RunInTransaction(Connection& db, const char* begin,
                              absl::FunctionRef<absl::Status(Connection&)> fn,
                              WalSync* wal_sync = nullptr) {
  try {
    Control(db, begin);
  } catch (const std::exception& e) {
    return StatusFromSqlite(e, "begin transaction");
  }
  absl::Status status;
  try {
    status = fn(db);
  } catch (const std::exception& e) {
    status = StatusFromSqlite(e, "statement");
  }
  try {
    if (status.ok()) {
      // Numbered before COMMIT shows it to readers, ended once it returned:
      // a reader that saw it waits for its frames, then for their sync.
      if (wal_sync != nullptr) wal_sync->BeginCommit();
      struct EndCommit {
        WalSync* wal_sync;
        ~EndCommit() {
          if (wal_sync != nullptr) wal_sync->EndCommit();
        }
      } end_commit{wal_sync};
      Control(db, "COMMIT");
      return absl::OkStatus();
    }
    Control(db, "ROLLBACK");
  } catch (const std::exception& e) {
    // A failed COMMIT leaves the transaction open; roll it back so the
    // connection is usable again.
    try {
      Control(db, "ROLLBACK");
    } catch (const std::exception&) {
    }
    if (status.ok()) return StatusFromSqlite(e, "commit");
  }
  return status;
}

// Process-wide SQLite settings, which SQLite accepts only before its first
// connection opens. Memory statistics take a global mutex around every
// allocation SQLite makes, for figures (sqlite3_memory_used, the soft heap
// limit) nothing here reads. With it and the per-connection mutex (see
// OpenConnection) gone, intake's committer lost the 4-5 % of its CPU it
// spent locking. Should something have opened SQLite first, sqlite3_config
// refuses and the defaults stay: slower, never wrong.
void ConfigureSqliteOnce() {
  static const bool configured = [] {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK;
  }();
  (void)configured;
}

}  // namespace

absl::Status StatusFromSqlite(const std::exception& e, absl::string_view what) {
  const auto* sqlite_error = dynamic_cast<const SQLite::Exception*>(&e);
  if (sqlite_error != nullptr) {
    const int code = sqlite_error->getErrorCode();
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED) {
      return absl::UnavailableError(absl::StrCat(what, ": database busy"));
    }
    if (code == SQLITE_CONSTRAINT) {
      return absl::AbortedError(absl::StrCat(what, ": constraint failed: ", e.what()));
    }
    if (code == SQLITE_FULL || code == SQLITE_IOERR) {
      return absl::UnavailableError(absl::StrCat(what, ": storage error: ", e.what()));
    }
  }
  return absl::InternalError(absl::StrCat(what, ": ", e.what()));
}

Database::Database(DatabaseOptions options) : options_(std::move(options)) {}

Database::~Database() { Close(); }

absl::StatusOr<std::unique_ptr<Connection>> Database::OpenConnection(bool read_only) const {
  try {
    ConfigureSqliteOnce();
    // A connection is only ever used by one thread at a time (the writer
    // under write_mu_, a reader while leased from the pool), so SQLite's own
    // per-call connection mutex is pure cost: every bind, step and column
    // would lock and unlock it.
    const int flags =
        SQLite::OPEN_NOMUTEX |
        (read_only ? SQLite::OPEN_READONLY : (SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE));
    // The writer appends its commits to the WAL in one write each (the
    // default VFS if that one could not be registered).
    const char* vfs = read_only ? nullptr : WalAppendVfs();
    auto db = std::make_unique<Connection>(options_.path.c_str(), flags, BusyTimeoutMs(), vfs);
    if (!read_only) {
      db->exec("PRAGMA journal_mode=WAL");
      // Debian builds SQLite with secure_delete on, which also rewrites
      // every page a delete frees: a WAL frame more per freed page, and a
      // DROP TABLE that holds all of the table's pages in memory until it
      // commits (700 MB for a five-million-line audit trail). FAST still
      // zeroes deleted rows on the pages that keep living; only whole pages
      // going to the freelist keep their bytes until reused.
      db->exec("PRAGMA secure_delete=FAST");
    }
    // The writer's COMMIT only writes the WAL; WalSync syncs it before
    // anything is answered. Checkpoints still sync both files.
    db->exec(read_only ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
    db->exec("PRAGMA foreign_keys=ON");
    // Statement journals (each grouped write's savepoint, each statement
    // that may fail halfway) stay in memory: as files they cost an open, a
    // write and a close per transaction on the write path.
    db->exec("PRAGMA temp_store=MEMORY");
    return db;
  } catch (const std::exception& e) {
    return StatusFromSqlite(e, absl::StrCat("open ", options_.path));
  }
}

absl::StatusOr<std::unique_ptr<Database>> Database::Open(const DatabaseOptions& options,
                                                         const std::vector<Migration>& migrations) {
  if (options.path.empty() || options.path == ":memory:") {
    return absl::InvalidArgumentError("database path must name a file");
  }
  std::unique_ptr<Database> database(new Database(options));
  {
    absl::MutexLock lock(&database->write_mu_);
    ASSIGN_OR_RETURN(database->writer_, database->OpenConnection(/*read_only=*/false));
    sqlite3* handle = database->writer_->getHandle();
    database->wal_sync_ =
        std::make_unique<WalSync>(sqlite3_filename_wal(sqlite3_db_filename(handle, "main")),
                                  options.sync_file, options.on_background_error);
  }
  RETURN_IF_ERROR(database->Migrate(migrations));
  if (options.checkpoint_interval > absl::ZeroDuration()) {
    int64_t rewind_frames = 0;
    RETURN_IF_ERROR(database->Write([&options, &rewind_frames](Connection& db) {
      db.exec("PRAGMA wal_autocheckpoint = 0");
      // After a rewind the WAL's first commit cuts the file back to this,
      // rather than keeping its peak size on disk.
      db.exec(absl::StrCat("PRAGMA journal_size_limit = ",
                           std::max<int64_t>(0, options.wal_keep_bytes)));
      // A frame is a page and its 24-byte header (SQLite's file format, 4.1).
      const int64_t frame_bytes = db.execAndGet("PRAGMA page_size").getInt64() + 24;
      rewind_frames = std::max(kMinRewindFrames, options.wal_keep_bytes / 2 / frame_bytes);
      return absl::OkStatus();
    }));
    ASSIGN_OR_RETURN(
        database->checkpointer_,
        Checkpointer::Start(
            options.path, options.checkpoint_interval, rewind_frames, database->wal_sync_.get(),
            [db = database.get()] { db->rewind_wanted_ = true; }, options.on_background_error));
  }
  database->StartCommitter();
  return database;
}

absl::Status Database::Migrate(const std::vector<Migration>& migrations) {
  for (size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1) {
      return absl::InternalError(absl::StrCat("migration ", migrations[i].name, " has version ",
                                              migrations[i].version, ", expected ", i + 1));
    }
  }
  RETURN_IF_ERROR(Write([](Connection& db) {
    db.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
        " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))");
    return absl::OkStatus();
  }));
  int current = 0;
  RETURN_IF_ERROR(Write([&](Connection& db) {
    current = db.execAndGet("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").getInt();
    return absl::OkStatus();
  }));
  if (current > static_cast<int>(migrations.size())) {
    return absl::FailedPreconditionError(
        absl::StrCat(options_.path, " has schema version ", current, " but this binary knows only ",
                     migrations.size(), ": refusing to run an older binary on newer data"));
  }
  for (const Migration& m : migrations) {
    if (m.version <= current) continue;
    absl::Status s = Write([&](Connection& db) {
      db.exec(m.sql);
      SQLite::Statement record(db, "INSERT INTO schema_migrations(version, name) VALUES(?, ?)");
      record.bind(1, m.version);
      record.bind(2, m.name);
      record.exec();
      return absl::OkStatus();
    });
    if (!s.ok()) {
      return absl::Status(s.code(),
                          absl::StrCat("migration ", m.version, " (", m.name, "): ", s.message()));
    }
    current = m.version;
  }
  schema_version_ = current;
  return absl::OkStatus();
}

absl::Status Database::Write(absl::FunctionRef<absl::Status(Connection&)> fn) {
  uint64_t commit = 0;
  {
    absl::MutexLock lock(&write_mu_);
    if (writer_ == nullptr) return absl::UnavailableError("database is closed");
    RETURN_IF_ERROR(wal_sync_->failed());
    RETURN_IF_ERROR(RunInTransaction(*writer_, "BEGIN IMMEDIATE", fn, wal_sync_.get()));
    commit = wal_sync_->last_begun();
  }
  // Stores written only this way rewind here.
  if (rewind_wanted_) RewindWal();
  return wal_sync_->SyncThrough(commit);
}

absl::Status Database::WriteGrouped(absl::FunctionRef<absl::Status(Connection&)> fn) {
  const std::thread::id self = std::this_thread::get_id();
  if (self == committer_.get_id() || self == completer_.get_id()) {
    // From a grouped write's own `fn` or `done`: it would wait for itself.
    return absl::FailedPreconditionError(
        "WriteGrouped called on the committing thread; use WriteGroupedAsync");
  }
  return Await<absl::Status>([&](auto done) {
    WriteGroupedAsync([fn](Connection& db) { return fn(db); }, std::move(done));
  });
}

void Database::WriteGroupedAsync(absl::AnyInvocable<absl::Status(Connection&)> fn,
                                 absl::AnyInvocable<void(absl::Status)> done) {
  QueueGroupedWrite({std::move(fn), std::move(done), /*repeatable=*/false});
}

void Database::WriteGroupedRepeatableAsync(absl::AnyInvocable<absl::Status(Connection&)> fn,
                                           absl::AnyInvocable<void(absl::Status)> done) {
  QueueGroupedWrite({std::move(fn), std::move(done), /*repeatable=*/true});
}

void Database::QueueGroupedWrite(GroupedWrite write) {
  {
    absl::MutexLock lock(&group_mu_);
    if (!committer_stopping_ && committer_.joinable()) {
      group_queue_.push_back(std::move(write));
      return;
    }
  }
  write.done(absl::UnavailableError("database is closed"));
}

void Database::StartCommitter() {
  // Named so `top -H` and profiles tell the store's threads apart.
  completer_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "ow-complete");
    CompleteLoop();
  });
  committer_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "ow-commit");
    CommitLoop();
  });
}

void Database::CommitLoop() {
  while (true) {
    std::vector<GroupedWrite> group;
    {
      absl::MutexLock lock(&group_mu_);
      group_mu_.Await(absl::Condition(
          +[](Database* d) ABSL_NO_THREAD_SAFETY_ANALYSIS {
            return d->committer_stopping_ || !d->group_queue_.empty();
          },
          this));
      // Stopping still commits what was queued: it was accepted.
      if (group_queue_.empty()) return;
      group.swap(group_queue_);
    }
    CommittedGroup committed = CommitGroup(std::move(group));
    {
      absl::MutexLock lock(&completion_mu_);
      completion_queue_.push_back(std::move(committed));
    }
    if (rewind_wanted_) RewindWal();
  }
}

void Database::RewindWal() {
  absl::MutexLock lock(&write_mu_);
  if (writer_ == nullptr || !wal_sync_->failed().ok()) return;
  sqlite3* handle = writer_->getHandle();
  // Between groups no transaction is open, so only readers still in the
  // WAL can stand in the way. Without waiting for them this tries again
  // after the next group; after many tries it waits, so the WAL cannot grow
  // without bound under reads that never pause.
  const bool wait = ++rewind_tries_ >= kRewindTriesBeforeWaiting;
  if (!wait) sqlite3_busy_timeout(handle, 0);
  bool rewound = false;
  // Busy at once, without a frame count, when the checkpointer's pass held
  // the checkpoint lock: a try that does not count.
  bool collided = false;
  absl::Status failed;
  try {
    SQLite::Statement restart(*writer_, "PRAGMA wal_checkpoint(RESTART)");
    if (restart.executeStep()) {
      rewound = restart.getColumn(0).getInt() == 0;
      collided = !rewound && restart.getColumn(1).getInt64() < 0;
    }
    if (!rewound && !collided) {
      failed = absl::UnavailableError(
          absl::StrCat("WAL restart: readers held the WAL for the whole busy timeout (",
                       BusyTimeoutMs(), " ms); it grows until they let go"));
    }
  } catch (const std::exception& e) {
    failed = StatusFromSqlite(e, "WAL restart");
  }
  if (!wait) {
    sqlite3_busy_timeout(handle, BusyTimeoutMs());
  }
  if (collided) {
    --rewind_tries_;
    return;
  }
  // A wait that failed is the only rewind failure worth an operator's
  // attention (without waiting, failing is normal and retried), and it
  // comes back every few seconds while a reader stays: once a minute.
  if (wait && !failed.ok() && options_.on_background_error && rewind_report_.Due()) {
    options_.on_background_error(failed);
  }
  if (rewound || wait) {
    rewind_wanted_ = false;
    rewind_tries_ = 0;
  }
}

Database::CommittedGroup Database::CommitGroup(std::vector<GroupedWrite> group) {
  std::vector<absl::Status> results(group.size());
  absl::Status outcome;
  uint64_t commit = 0;
  {
    absl::MutexLock lock(&write_mu_);
    if (writer_ == nullptr) {
      outcome = absl::UnavailableError("database is closed");
    } else if (absl::Status failed = wal_sync_->failed(); !failed.ok()) {
      outcome = failed;
    } else {
      auto run = [&](size_t i, Connection& db) {
        try {
          results[i] = group[i].fn(db);
        } catch (const std::exception& e) {
          results[i] = StatusFromSqlite(e, "statement");
        } catch (...) {
          // Whatever it was must not end the committer, which every
          // queued write is waiting for.
          results[i] = absl::InternalError("grouped write threw a non-standard exception");
        }
      };
      auto run_alone = [&](size_t i, Connection& db) {
        Control(db, "SAVEPOINT grouped_write");
        run(i, db);
        if (!results[i].ok()) Control(db, "ROLLBACK TO grouped_write");
        Control(db, "RELEASE grouped_write");
      };
      auto run_group = [&](Connection& db) {
        std::vector<size_t> repeatable;
        for (size_t i = 0; i < group.size(); ++i) {
          if (group[i].repeatable) repeatable.push_back(i);
        }
        if (!repeatable.empty()) {
          sqlite3* handle = db.getHandle();
          bool undo = false;
          for (size_t i : repeatable) {
            const int64_t changed_before = sqlite3_total_changes64(handle);
            run(i, db);
            if (sqlite3_get_autocommit(handle) != 0) {
              // Some errors (I/O, a full disk, OR ROLLBACK) end the whole
              // transaction, changing no row: without a savepoint of its
              // own to fail on, the group would go on in autocommit, one
              // statement per commit.
              return absl::UnavailableError(absl::StrCat(
                  "SQLite rolled back a group of writes: ",
                  results[i].ok() ? "a write ended the transaction" : results[i].message()));
            }
            if (!results[i].ok() && sqlite3_total_changes64(handle) != changed_before) {
              undo = true;
              break;
            }
          }
          if (undo) {
            // Only repeatable writes ran in the transaction so far: starting
            // it again undoes them without a savepoint taken beforehand.
            Control(db, "ROLLBACK");
            Control(db, "BEGIN IMMEDIATE");
            for (size_t i : repeatable) run_alone(i, db);
          }
        }
        for (size_t i = 0; i < group.size(); ++i) {
          if (!group[i].repeatable) run_alone(i, db);
        }
        return absl::OkStatus();
      };
      outcome = RunInTransaction(*writer_, "BEGIN IMMEDIATE", run_group, wal_sync_.get());
      if (outcome.ok()) commit = wal_sync_->last_begun();
    }
  }
  // A failed COMMIT undoes every write in the group, successful or not.
  if (!outcome.ok()) results.assign(group.size(), outcome);
  return CommittedGroup{std::move(group), std::move(results), commit};
}

void Database::CompleteLoop() {
  std::vector<CommittedGroup> batch;
  while (true) {
    {
      absl::MutexLock lock(&completion_mu_);
      completion_mu_.Await(absl::Condition(
          +[](Database* d) ABSL_NO_THREAD_SAFETY_ANALYSIS {
            return d->completer_stopping_ || !d->completion_queue_.empty();
          },
          this));
      // Stopping comes after the committer ended, so nothing more arrives.
      if (completion_queue_.empty()) return;
      batch.swap(completion_queue_);
    }
    // One sync for every group taken: the last commit covers the others.
    uint64_t last_commit = 0;
    for (const CommittedGroup& committed : batch) {
      last_commit = std::max(last_commit, committed.commit);
    }
    if (absl::Status synced = wal_sync_->SyncThrough(last_commit); !synced.ok()) {
      // Committed but not known to be on disk: not acknowledged.
      for (CommittedGroup& committed : batch) {
        for (absl::Status& result : committed.results) {
          if (result.ok()) result = synced;
        }
      }
    }
    for (CommittedGroup& committed : batch) Complete(committed);
    batch.clear();
  }
}

void Database::Complete(CommittedGroup& committed) {
  for (size_t i = 0; i < committed.writes.size(); ++i) {
    try {
      committed.writes[i].done(std::move(committed.results[i]));
    } catch (...) {
      // Ending the completer would leave every later write unanswered.
      if (options_.on_background_error) {
        options_.on_background_error(
            absl::InternalError("a grouped write's completion threw; its caller may hang"));
      }
    }
  }
}

std::unique_ptr<Connection> Database::AcquireReader() const {
  {
    absl::MutexLock lock(&readers_mu_);
    if (closed_) return nullptr;
    if (!idle_readers_.empty()) {
      auto reader = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return reader;
    }
    if (open_readers_ >= options_.max_readers) {
      // Wait for a reader to come back rather than opening without bound.
      readers_mu_.Await(absl::Condition(
          +[](const Database* d)
               ABSL_NO_THREAD_SAFETY_ANALYSIS { return d->closed_ || !d->idle_readers_.empty(); },
          this));
      if (closed_) return nullptr;
      auto reader = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return reader;
    }
    ++open_readers_;
  }
  auto reader = OpenConnection(/*read_only=*/true);
  if (!reader.ok()) {
    absl::MutexLock lock(&readers_mu_);
    --open_readers_;
    return nullptr;
  }
  return std::move(reader).value();
}

void Database::ReleaseReader(std::unique_ptr<Connection> reader) const {
  absl::MutexLock lock(&readers_mu_);
  if (closed_) {
    --open_readers_;
    return;
  }
  idle_readers_.push_back(std::move(reader));
}

absl::Status Database::Read(absl::FunctionRef<absl::Status(Connection&)> fn) const {
  std::unique_ptr<Connection> reader = AcquireReader();
  if (reader == nullptr) return absl::UnavailableError("database is closed or cannot be opened");
  absl::Status s = RunInTransaction(*reader, "BEGIN", fn);
  ReleaseReader(std::move(reader));
  RETURN_IF_ERROR(s);
  // On the committing thread whatever was read serves the group being
  // written, whose answers wait for a sync covering all before it.
  if (std::this_thread::get_id() == committer_.get_id()) return absl::OkStatus();
  // The snapshot holds no COMMIT begun after this.
  return wal_sync_->SyncThrough(wal_sync_->last_begun());
}

void Database::Close() {
  const std::thread::id self = std::this_thread::get_id();
  if (self == committer_.get_id() || self == completer_.get_id()) {
    if (options_.on_background_error) {
      options_.on_background_error(absl::FailedPreconditionError(
          "Close called from a grouped write on the store's own thread; ignored"));
    }
    return;
  }
  {
    absl::MutexLock lock(&group_mu_);
    committer_stopping_ = true;
  }
  if (committer_.joinable()) committer_.join();
  {
    absl::MutexLock lock(&completion_mu_);
    completer_stopping_ = true;
  }
  if (completer_.joinable()) completer_.join();
  if (checkpointer_ != nullptr) checkpointer_->Stop();
  {
    absl::MutexLock lock(&readers_mu_);
    closed_ = true;
    open_readers_ -= static_cast<int>(idle_readers_.size());
    idle_readers_.clear();
  }
  absl::MutexLock lock(&write_mu_);
  if (writer_ != nullptr) {
    if (wal_sync_ != nullptr && !wal_sync_->failed().ok()) {
      // After a failed sync the WAL in memory may not be what is on disk:
      // copy none of it, and let the next open recover from the disk.
      sqlite3_db_config(writer_->getHandle(), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
    } else {
      try {
        writer_->exec("PRAGMA wal_checkpoint(TRUNCATE)");
      } catch (const std::exception&) {
        // Checkpointing is an optimisation; the WAL replays on next open.
      }
    }
    writer_.reset();
  }
}

}  // namespace onewindow::store
