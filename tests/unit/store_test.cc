#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cerrno>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "libs/store/database.h"
#include "libs/testing/process.h"

namespace onewindow::store {
namespace {

std::vector<Migration> TwoMigrations() {
  return {{1, "things", "CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)"},
          {2, "parts",
           "CREATE TABLE parts (id INTEGER PRIMARY KEY,"
           " thing_id INTEGER NOT NULL REFERENCES things(id))"}};
}

// What the store tells DatabaseOptions::on_background_error, from any of
// its threads.
class ReportedErrors {
 public:
  std::function<void(const absl::Status&)> Hook() {
    return [this](const absl::Status& s) {
      absl::MutexLock lock(&mu_);
      messages_.emplace_back(s.message());
    };
  }
  std::vector<std::string> messages() const {
    absl::MutexLock lock(&mu_);
    return messages_;
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<std::string> messages_;
};

// A write that adds one thing called `name`.
auto InsertThing(std::string name) {
  return [name = std::move(name)](Connection& c) {
    SQLite::Statement insert(c, "INSERT INTO things (name) VALUES (?)");
    insert.bind(1, name);
    insert.exec();
    return absl::OkStatus();
  };
}

int64_t CountThings(Database& db) {
  int64_t n = -1;
  REQUIRE(db.Read([&](store::Connection& c) {
              n = c.execAndGet("SELECT COUNT(*) FROM things").getInt64();
              return absl::OkStatus();
            }).ok());
  return n;
}

TEST_CASE("migrations apply once and are recorded in order") {
  testing::TempDir dir;
  const DatabaseOptions options{absl::StrCat(dir.path(), "/t.db")};
  {
    auto db = Database::Open(options, TwoMigrations());
    REQUIRE(db.ok());
    CHECK((*db)->schema_version() == 2);
  }
  auto again = Database::Open(options, TwoMigrations());
  REQUIRE(again.ok());
  CHECK((*again)->schema_version() == 2);
  int64_t rows = 0;
  REQUIRE((*again)
              ->Read([&](store::Connection& c) {
                rows = c.execAndGet("SELECT COUNT(*) FROM schema_migrations").getInt64();
                return absl::OkStatus();
              })
              .ok());
  CHECK(rows == 2);
}

TEST_CASE("an older binary refuses a database with a newer schema") {
  testing::TempDir dir;
  const DatabaseOptions options{absl::StrCat(dir.path(), "/t.db")};
  REQUIRE(Database::Open(options, TwoMigrations()).ok());
  auto older = Database::Open(options, {TwoMigrations()[0]});
  REQUIRE_FALSE(older.ok());
  CHECK(older.status().code() == absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("migrations numbered out of order are refused") {
  testing::TempDir dir;
  auto db =
      Database::Open({absl::StrCat(dir.path(), "/t.db")}, {{2, "skipped", "CREATE TABLE x (a)"}});
  REQUIRE_FALSE(db.ok());
}

TEST_CASE("a failing write leaves nothing half-written") {
  testing::TempDir dir;
  auto db = Database::Open({absl::StrCat(dir.path(), "/t.db")}, TwoMigrations());
  REQUIRE(db.ok());
  absl::Status s = (*db)->Write([](store::Connection& c) {
    c.exec("INSERT INTO things(name) VALUES('a')");
    return absl::InvalidArgumentError("changed my mind");
  });
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK(CountThings(**db) == 0);

  s = (*db)->Write([](store::Connection& c) {
    c.exec("INSERT INTO things(name) VALUES('b')");
    c.exec("INSERT INTO things(name) VALUES('b')");  // UNIQUE violation throws.
    return absl::OkStatus();
  });
  CHECK(s.code() == absl::StatusCode::kAborted);
  CHECK(CountThings(**db) == 0);
}

TEST_CASE("foreign keys are enforced") {
  testing::TempDir dir;
  auto db = Database::Open({absl::StrCat(dir.path(), "/t.db")}, TwoMigrations());
  REQUIRE(db.ok());
  absl::Status s = (*db)->Write([](store::Connection& c) {
    c.exec("INSERT INTO parts(thing_id) VALUES(42)");
    return absl::OkStatus();
  });
  CHECK_FALSE(s.ok());
}

// DatabaseOptions::sync_file for tests: counts syncs, holds them while
// told to, and fails them with a chosen errno.
class TestSync {
 public:
  WalSync::SyncFile Hook() {
    return [this](int fd) {
      absl::MutexLock lock(&mu_);
      ++holding_;
      mu_.Await(absl::Condition(
          +[](TestSync* t) ABSL_NO_THREAD_SAFETY_ANALYSIS { return !t->held_; }, this));
      --holding_;
      ++syncs_;
      if (error_ != 0) return error_;
      return ::fdatasync(fd) == 0 ? 0 : errno;
    };
  }
  void Hold() {
    absl::MutexLock lock(&mu_);
    held_ = true;
  }
  void Release() {
    absl::MutexLock lock(&mu_);
    held_ = false;
  }
  void FailWith(int error) {
    absl::MutexLock lock(&mu_);
    error_ = error;
  }
  // Until a sync waits in the hook.
  bool WaitForHeldSync() {
    absl::MutexLock lock(&mu_);
    return mu_.AwaitWithTimeout(
        absl::Condition(
            +[](TestSync* t) ABSL_NO_THREAD_SAFETY_ANALYSIS { return t->holding_ > 0; }, this),
        absl::Seconds(10));
  }
  int syncs() const {
    absl::MutexLock lock(&mu_);
    return syncs_;
  }

 private:
  mutable absl::Mutex mu_;
  bool held_ ABSL_GUARDED_BY(mu_) = false;
  int holding_ ABSL_GUARDED_BY(mu_) = 0;
  int syncs_ ABSL_GUARDED_BY(mu_) = 0;
  int error_ ABSL_GUARDED_BY(mu_) = 0;
};

// Opens a store at a fresh path whose WAL syncs go through `sync`.
std::unique_ptr<Database> OpenSynced(const testing::TempDir& dir, TestSync& sync,
                                     ReportedErrors* reported = nullptr) {
  DatabaseOptions options{absl::StrCat(dir.path(), "/t.db")};
  options.sync_file = sync.Hook();
  if (reported != nullptr) options.on_background_error = reported->Hook();
  auto db = Database::Open(options, TwoMigrations());
  REQUIRE(db.ok());
  return std::move(db).value();
}

// Lets a held sync go when a test ends, failed or not, so closing the
// store does not wait for it. Declared after the store.
struct ReleaseAtEnd {
  TestSync& sync;
  ~ReleaseAtEnd() { sync.Release(); }
};

TEST_CASE("a write returns only once the WAL holding it is synced") {
  testing::TempDir dir;
  TestSync sync;
  std::unique_ptr<Database> db = OpenSynced(dir, sync);
  ReleaseAtEnd release{sync};
  std::string mode;
  int synchronous = -1;
  sync.Hold();
  absl::Notification written;
  absl::Status status;
  std::thread writer([&] {
    status = db->Write([&](store::Connection& c) {
      mode = c.execAndGet("PRAGMA journal_mode").getString();
      // NORMAL: COMMIT writes the WAL, the store syncs it.
      synchronous = c.execAndGet("PRAGMA synchronous").getInt();
      c.exec("INSERT INTO things (name) VALUES ('a')");
      return absl::OkStatus();
    });
    written.Notify();
  });
  CHECK(sync.WaitForHeldSync());
  CHECK_FALSE(written.WaitForNotificationWithTimeout(absl::Milliseconds(300)));
  sync.Release();
  writer.join();
  CHECK(status.ok());
  CHECK(mode == "wal");
  CHECK(synchronous == 1);
}

TEST_CASE("a grouped write is answered only after the WAL holding it is synced") {
  testing::TempDir dir;
  TestSync sync;
  std::unique_ptr<Database> db = OpenSynced(dir, sync);
  ReleaseAtEnd release{sync};
  sync.Hold();
  absl::Notification answered;
  db->WriteGroupedAsync(InsertThing("a"), [&](absl::Status s) {
    CHECK(s.ok());
    answered.Notify();
  });
  REQUIRE(sync.WaitForHeldSync());
  CHECK_FALSE(answered.WaitForNotificationWithTimeout(absl::Milliseconds(300)));
  sync.Release();
  CHECK(answered.WaitForNotificationWithTimeout(absl::Seconds(10)));
}

TEST_CASE("the next group commits while the previous group's sync is in flight") {
  testing::TempDir dir;
  TestSync sync;
  std::unique_ptr<Database> db = OpenSynced(dir, sync);
  ReleaseAtEnd release{sync};
  sync.Hold();
  absl::Notification first_answered, second_ran, second_answered;
  db->WriteGroupedAsync(InsertThing("first"), [&](absl::Status) { first_answered.Notify(); });
  REQUIRE(sync.WaitForHeldSync());
  db->WriteGroupedAsync(
      [&](Connection& c) {
        c.exec("INSERT INTO things (name) VALUES ('second')");
        second_ran.Notify();
        return absl::OkStatus();
      },
      [&](absl::Status s) {
        CHECK(s.ok());
        second_answered.Notify();
      });
  CHECK(second_ran.WaitForNotificationWithTimeout(absl::Seconds(10)));
  CHECK_FALSE(first_answered.HasBeenNotified());
  sync.Release();
  CHECK(second_answered.WaitForNotificationWithTimeout(absl::Seconds(10)));
  CHECK(CountThings(*db) == 2);
}

TEST_CASE("a read does not return a commit that is not yet synced") {
  testing::TempDir dir;
  TestSync sync;
  std::unique_ptr<Database> db = OpenSynced(dir, sync);
  ReleaseAtEnd release{sync};
  sync.Hold();
  db->WriteGroupedAsync(InsertThing("a"), [](absl::Status) {});
  REQUIRE(sync.WaitForHeldSync());
  absl::Notification done;
  absl::Status status;
  int64_t seen = -1;
  std::thread reader([&] {
    status = db->Read([&](Connection& c) {
      seen = c.execAndGet("SELECT COUNT(*) FROM things").getInt64();
      return absl::OkStatus();
    });
    done.Notify();
  });
  CHECK_FALSE(done.WaitForNotificationWithTimeout(absl::Milliseconds(300)));
  sync.Release();
  reader.join();
  CHECK(status.ok());
  CHECK(seen == 1);
}

TEST_CASE("a failed WAL sync is reported once and the store writes and copies nothing more") {
  testing::TempDir dir;
  TestSync sync;
  ReportedErrors reported;
  std::unique_ptr<Database> db = OpenSynced(dir, sync, &reported);
  sync.FailWith(EIO);
  absl::Status grouped = db->WriteGrouped(InsertThing("a"));
  CHECK(grouped.code() == absl::StatusCode::kUnavailable);
  CHECK_THAT(std::string(grouped.message()), Catch::Contains("storage sync failed"));
  // Nothing more is written, so nothing more can be answered wrongly, and
  // nothing read is vouched for.
  bool ran = false;
  absl::Status later = db->Write([&](Connection&) {
    ran = true;
    return absl::OkStatus();
  });
  CHECK(later.code() == absl::StatusCode::kUnavailable);
  CHECK_FALSE(ran);
  CHECK(db->Read([](Connection&) { return absl::OkStatus(); }).code() ==
        absl::StatusCode::kUnavailable);
  REQUIRE(reported.messages().size() == 1);
  CHECK_THAT(reported.messages()[0], Catch::Contains("fdatasync"));
  // Closing copies nothing into the database: the WAL stays for the next
  // open to recover from what reached the disk.
  db->Close();
  struct stat wal;
  REQUIRE(::stat(absl::StrCat(dir.path(), "/t.db-wal").c_str(), &wal) == 0);
  CHECK(wal.st_size > 0);
}

TEST_CASE("a WAL removed under the store fails each write with an error naming it, said once") {
  testing::TempDir dir;
  const std::string path = absl::StrCat(dir.path(), "/t.db");
  DatabaseOptions options{path};
  ReportedErrors reported;
  options.on_background_error = reported.Hook();
  auto db = Database::Open(options, TwoMigrations());
  REQUIRE(db.ok());
  REQUIRE((*db)->Write(InsertThing("before")).ok());
  // SQLite goes on writing to the file it holds open, which vanishes with
  // its last descriptor: nothing written from here on is durable.
  REQUIRE(::unlink((path + "-wal").c_str()) == 0);
  for (const char* name : {"first", "second", "third"}) {
    const absl::Status written = (*db)->Write(InsertThing(name));
    CHECK(written.code() == absl::StatusCode::kUnavailable);
    CHECK_THAT(std::string(written.message()),
               Catch::Contains("cannot sync the WAL: stat " + path + "-wal"));
  }
  // One report, not one per write: under load that would be thousands a
  // second.
  CHECK(reported.messages().size() == 1);
}

TEST_CASE("the writer purges deleted rows but does not rewrite the pages deletes free") {
  testing::TempDir dir;
  auto db = Database::Open({absl::StrCat(dir.path(), "/t.db")}, TwoMigrations());
  REQUIRE(db.ok());
  REQUIRE((*db)
              ->Write([](Connection& c) {
                CHECK(c.execAndGet("PRAGMA secure_delete").getInt() == 2);  // FAST
                return absl::OkStatus();
              })
              .ok());
}

TEST_CASE("connections leave locking to the store, not to a SQLite mutex per call") {
  testing::TempDir dir;
  auto db = Database::Open({absl::StrCat(dir.path(), "/t.db")}, TwoMigrations());
  REQUIRE(db.ok());
  REQUIRE((*db)
              ->Write([](Connection& c) {
                CHECK(sqlite3_db_mutex(c.getHandle()) == nullptr);
                return absl::OkStatus();
              })
              .ok());
  REQUIRE((*db)
              ->Read([](Connection& c) {
                CHECK(sqlite3_db_mutex(c.getHandle()) == nullptr);
                return absl::OkStatus();
              })
              .ok());
}

TEST_CASE("readers see committed writes while writers run concurrently") {
  testing::TempDir dir;
  auto db = Database::Open({absl::StrCat(dir.path(), "/t.db")}, TwoMigrations());
  REQUIRE(db.ok());
  std::thread writer([&] {
    for (int i = 0; i < 200; ++i) {
      REQUIRE((*db)
                  ->Write([&](store::Connection& c) {
                    SQLite::Statement insert(c, "INSERT INTO things(name) VALUES(?)");
                    insert.bind(1, absl::StrCat("n", i));
                    insert.exec();
                    return absl::OkStatus();
                  })
                  .ok());
    }
  });
  int64_t last = 0;
  for (int i = 0; i < 200; ++i) {
    const int64_t n = CountThings(**db);
    CHECK(n >= last);
    last = n;
  }
  writer.join();
  CHECK(CountThings(**db) == 200);
}

TEST_CASE("a closed store answers UNAVAILABLE") {
  testing::TempDir dir;
  auto db = Database::Open({absl::StrCat(dir.path(), "/t.db")}, TwoMigrations());
  REQUIRE(db.ok());
  (*db)->Close();
  CHECK((*db)->Write([](store::Connection&) { return absl::OkStatus(); }).code() ==
        absl::StatusCode::kUnavailable);
  CHECK((*db)->Read([](store::Connection&) { return absl::OkStatus(); }).code() ==
        absl::StatusCode::kUnavailable);
}

TEST_CASE("grouped writes from many threads all commit and a failing one rolls back alone") {
  testing::TempDir dir;
  auto db = Database::Open({absl::StrCat(dir.path(), "/t.db")}, TwoMigrations());
  REQUIRE(db.ok());
  constexpr int kThreads = 8;
  constexpr int kPerThread = 50;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        absl::Status s = (*db)->WriteGrouped([&](store::Connection& c) {
          SQLite::Statement insert(c, "INSERT INTO things (name) VALUES (?)");
          insert.bind(1, absl::StrCat("t", t, "-", i));
          insert.exec();
          // Every tenth write fails after inserting: its row must vanish.
          if (i % 10 == 9) return absl::InvalidArgumentError("refused");
          return absl::OkStatus();
        });
        if (!s.ok()) {
          CHECK(s.code() == absl::StatusCode::kInvalidArgument);
          ++failures;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(failures == kThreads * kPerThread / 10);
  CHECK(CountThings(**db) == kThreads * kPerThread * 9 / 10);
}

// Queues writes behind one that holds the committer, so that they all
// commit in the next group, and answers what each returned.
class OneGroup {
 public:
  explicit OneGroup(Database& db) : db_(db) {
    db_.WriteGroupedAsync(
        [this](Connection&) {
          holding_.Notify();
          release_.WaitForNotification();
          return absl::OkStatus();
        },
        [](absl::Status) {});
    holding_.WaitForNotification();
  }

  // `repeatable` picks WriteGroupedRepeatableAsync; `runs` counts its runs.
  void Add(bool repeatable, std::function<absl::Status(Connection&)> fn) {
    const size_t i = statuses_.size();
    statuses_.emplace_back();
    runs_.push_back(0);
    auto counted = [this, i, fn = std::move(fn)](Connection& c) {
      ++runs_[i];
      return fn(c);
    };
    auto done = [this, i](absl::Status s) {
      absl::MutexLock lock(&mu_);
      statuses_[i] = std::move(s);
      ++answered_;
    };
    if (repeatable) {
      db_.WriteGroupedRepeatableAsync(std::move(counted), std::move(done));
    } else {
      db_.WriteGroupedAsync(std::move(counted), std::move(done));
    }
  }

  // Lets the group commit and waits for every answer.
  void Commit() {
    release_.Notify();
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](OneGroup* g)
             ABSL_NO_THREAD_SAFETY_ANALYSIS { return g->answered_ == g->statuses_.size(); },
        this));
  }

  absl::StatusCode code(size_t i) {
    absl::MutexLock lock(&mu_);
    return statuses_[i].code();
  }
  // Read after Commit: the committer ran them all before answering.
  int runs(size_t i) const { return runs_[i]; }

 private:
  Database& db_;
  absl::Notification holding_, release_;
  absl::Mutex mu_;
  std::vector<absl::Status> statuses_;
  size_t answered_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<int> runs_;
};

std::vector<std::string> ThingNames(Database& db) {
  std::vector<std::string> names;
  REQUIRE(db.Read([&](Connection& c) {
              SQLite::Statement select(c, "SELECT name FROM things ORDER BY name");
              while (select.executeStep()) names.push_back(select.getColumn(0).getString());
              return absl::OkStatus();
            }).ok());
  return names;
}

TEST_CASE("a repeatable write refused before it wrote costs the rest of its group nothing") {
  testing::TempDir dir;
  auto db = Database::Open({absl::StrCat(dir.path(), "/t.db")}, TwoMigrations());
  REQUIRE(db.ok());
  OneGroup group(**db);
  group.Add(true, InsertThing("a"));
  group.Add(true, [](Connection&) { return absl::InvalidArgumentError("refused"); });
  group.Add(false, InsertThing("n"));
  group.Add(true, InsertThing("c"));
  group.Commit();
  CHECK(group.code(0) == absl::StatusCode::kOk);
  CHECK(group.code(1) == absl::StatusCode::kInvalidArgument);
  CHECK(group.code(2) == absl::StatusCode::kOk);
  CHECK(group.code(3) == absl::StatusCode::kOk);
  for (size_t i = 0; i < 4; ++i) CHECK(group.runs(i) == 1);
  CHECK(ThingNames(**db) == std::vector<std::string>{"a", "c", "n"});
}

TEST_CASE(
    "a repeatable write failing after it wrote is undone alone, and those before it run again") {
  testing::TempDir dir;
  auto db = Database::Open({absl::StrCat(dir.path(), "/t.db")}, TwoMigrations());
  REQUIRE(db.ok());
  const bool throws = GENERATE(false, true);
  OneGroup group(**db);
  group.Add(true, InsertThing("a"));
  group.Add(false, InsertThing("n"));
  group.Add(true, [throws](Connection& c) -> absl::Status {
    if (absl::Status inserted = InsertThing("b")(c); !inserted.ok()) return inserted;
    // A second row with the same unique name throws (InsertThing's status
    // is never reached); without it the write fails by its status.
    if (throws) InsertThing("b")(c).IgnoreError();
    return absl::InternalError("failed after writing");
  });
  group.Add(true, InsertThing("c"));
  group.Commit();
  CHECK(group.code(0) == absl::StatusCode::kOk);
  CHECK(group.code(1) == absl::StatusCode::kOk);
  CHECK(group.code(2) != absl::StatusCode::kOk);
  CHECK(group.code(3) == absl::StatusCode::kOk);
  CHECK(group.runs(0) == 2);
  CHECK(group.runs(1) == 1);  // Not repeatable: never run twice.
  CHECK(group.runs(2) == 2);
  CHECK(group.runs(3) == 1);  // Not reached before the undo.
  CHECK(ThingNames(**db) == std::vector<std::string>{"a", "c", "n"});
}

TEST_CASE("a repeatable write whose error made SQLite roll back the transaction fails its group") {
  testing::TempDir dir;
  auto db = Database::Open({absl::StrCat(dir.path(), "/t.db")}, TwoMigrations());
  REQUIRE(db.ok());
  OneGroup group(**db);
  group.Add(true, InsertThing("x"));
  // OR ROLLBACK ends the whole transaction and changes no row.
  group.Add(true, [](Connection& c) {
    c.exec("INSERT OR ROLLBACK INTO things (name) VALUES ('x')");
    return absl::OkStatus();
  });
  group.Add(true, InsertThing("y"));
  group.Add(false, InsertThing("n"));
  group.Commit();
  for (size_t i = 0; i < 4; ++i) CHECK(group.code(i) != absl::StatusCode::kOk);
  // Nothing committed behind the callers' backs, one statement at a time.
  CHECK(ThingNames(**db).empty());
  CHECK(group.runs(2) == 0);
}

TEST_CASE("a grouped write on a closed store answers UNAVAILABLE") {
  testing::TempDir dir;
  auto db = Database::Open({absl::StrCat(dir.path(), "/t.db")}, TwoMigrations());
  REQUIRE(db.ok());
  (*db)->Close();
  absl::Status s = (*db)->WriteGrouped([](store::Connection&) { return absl::OkStatus(); });
  CHECK(s.code() == absl::StatusCode::kUnavailable);
}

TEST_CASE("asynchronous grouped writes report each write's own outcome after the commit") {
  testing::TempDir dir;
  auto db = Database::Open({absl::StrCat(dir.path(), "/t.db")}, TwoMigrations());
  REQUIRE(db.ok());
  constexpr int kWrites = 200;
  absl::Mutex mu;
  int done = 0;
  int refused = 0;
  int64_t rows_seen_at_done = -1;
  for (int i = 0; i < kWrites; ++i) {
    (*db)->WriteGroupedAsync(
        [i](Connection& c) -> absl::Status {
          auto insert = c.Prepare("INSERT INTO things (name) VALUES (?)");
          insert->bind(1, absl::StrCat("a", i));
          insert->exec();
          if (i % 10 == 9) return absl::InvalidArgumentError("refused");
          return absl::OkStatus();
        },
        [&, i](absl::Status s) {
          absl::MutexLock lock(&mu);
          ++done;
          if (!s.ok()) {
            CHECK(s.code() == absl::StatusCode::kInvalidArgument);
            CHECK(i % 10 == 9);
            ++refused;
          }
        });
  }
  {
    absl::MutexLock lock(&mu);
    mu.Await(absl::Condition(
        +[](int* n) { return *n == kWrites; }, &done));
  }
  rows_seen_at_done = CountThings(**db);
  CHECK(refused == kWrites / 10);
  // Every write reported done is committed and visible to a new reader.
  CHECK(rows_seen_at_done == kWrites * 9 / 10);
}

TEST_CASE("a slow completion does not hold back the next group's commit") {
  testing::TempDir dir;
  auto db = Database::Open({absl::StrCat(dir.path(), "/t.db")}, TwoMigrations());
  REQUIRE(db.ok());
  absl::Notification first_answering, second_written, both_answered;
  bool second_written_meanwhile = false;
  (*db)->WriteGroupedAsync([](Connection&) { return absl::OkStatus(); },
                           [&](absl::Status) {
                             first_answering.Notify();
                             second_written_meanwhile =
                                 second_written.WaitForNotificationWithTimeout(absl::Seconds(5));
                           });
  REQUIRE(first_answering.WaitForNotificationWithTimeout(absl::Seconds(10)));
  (*db)->WriteGroupedAsync(
      [&](Connection& c) {
        c.exec("INSERT INTO things (name) VALUES ('second')");
        second_written.Notify();
        return absl::OkStatus();
      },
      [&](absl::Status s) {
        CHECK(s.ok());
        both_answered.Notify();
      });
  REQUIRE(both_answered.WaitForNotificationWithTimeout(absl::Seconds(20)));
  CHECK(second_written_meanwhile);
  CHECK(CountThings(**db) == 1);
}

TEST_CASE("grouped writes are answered in the order they were queued") {
  testing::TempDir dir;
  auto db = Database::Open({absl::StrCat(dir.path(), "/t.db")}, TwoMigrations());
  REQUIRE(db.ok());
  constexpr int kWrites = 300;
  absl::Mutex mu;
  std::vector<int> answered;
  for (int i = 0; i < kWrites; ++i) {
    (*db)->WriteGroupedAsync([](Connection&) { return absl::OkStatus(); },
                             [&, i](absl::Status) {
                               absl::MutexLock lock(&mu);
                               answered.push_back(i);
                             });
  }
  absl::MutexLock lock(&mu);
  mu.Await(absl::Condition(
      +[](std::vector<int>* a) { return a->size() == kWrites; }, &answered));
  for (int i = 0; i < kWrites; ++i) CHECK(answered[i] == i);
}

TEST_CASE("a grouped write's completion that throws is reported and the committer goes on") {
  testing::TempDir dir;
  ReportedErrors reported;
  DatabaseOptions options{absl::StrCat(dir.path(), "/t.db")};
  options.on_background_error = reported.Hook();
  auto db = Database::Open(options, TwoMigrations());
  REQUIRE(db.ok());
  (*db)->WriteGroupedAsync([](Connection&) { return absl::OkStatus(); },
                           [](absl::Status) { throw std::runtime_error("caller bug"); });
  // Answered, so the committer survived the throw.
  CHECK((*db)->WriteGrouped(InsertThing("after")).ok());
  CHECK(CountThings(**db) == 1);
  const std::vector<std::string> messages = reported.messages();
  REQUIRE(messages.size() == 1);
  CHECK(messages[0].find("completion threw") != std::string::npos);
}

TEST_CASE("a blocking grouped write from the committing thread is refused instead of hanging") {
  testing::TempDir dir;
  auto db = Database::Open({absl::StrCat(dir.path(), "/t.db")}, TwoMigrations());
  REQUIRE(db.ok());
  absl::Notification answered;
  absl::Status nested;
  (*db)->WriteGroupedAsync([](Connection&) { return absl::OkStatus(); },
                           [&](absl::Status) {
                             nested =
                                 (*db)->WriteGrouped([](Connection&) { return absl::OkStatus(); });
                             answered.Notify();
                           });
  REQUIRE(answered.WaitForNotificationWithTimeout(absl::Seconds(10)));
  CHECK(nested.code() == absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("closing the store from a grouped write's completion is refused and reported") {
  testing::TempDir dir;
  ReportedErrors reported;
  DatabaseOptions options{absl::StrCat(dir.path(), "/t.db")};
  options.on_background_error = reported.Hook();
  auto db = Database::Open(options, TwoMigrations());
  REQUIRE(db.ok());
  absl::Notification answered;
  (*db)->WriteGroupedAsync([](Connection&) { return absl::OkStatus(); },
                           [&](absl::Status) {
                             (*db)->Close();
                             answered.Notify();
                           });
  REQUIRE(answered.WaitForNotificationWithTimeout(absl::Seconds(10)));
  // Still open and writing.
  CHECK((*db)
            ->WriteGrouped([](Connection& c) {
              c.exec("INSERT INTO things (name) VALUES ('still open')");
              return absl::OkStatus();
            })
            .ok());
  const std::vector<std::string> messages = reported.messages();
  REQUIRE(messages.size() == 1);
  CHECK(messages[0].find("Close called from a grouped write") != std::string::npos);
}

TEST_CASE("closing the store commits asynchronous writes it had accepted") {
  testing::TempDir dir;
  const std::string path = absl::StrCat(dir.path(), "/t.db");
  std::atomic<int> ok{0};
  {
    auto db = Database::Open({path}, TwoMigrations());
    REQUIRE(db.ok());
    for (int i = 0; i < 50; ++i) {
      (*db)->WriteGroupedAsync(
          [i](Connection& c) {
            SQLite::Statement insert(c, "INSERT INTO things (name) VALUES (?)");
            insert.bind(1, absl::StrCat("c", i));
            insert.exec();
            return absl::OkStatus();
          },
          [&](absl::Status s) {
            if (s.ok()) ++ok;
          });
    }
    (*db)->Close();
    CHECK(ok == 50);
    bool called = false;
    (*db)->WriteGroupedAsync([](Connection&) { return absl::OkStatus(); },
                             [&](absl::Status s) {
                               CHECK(s.code() == absl::StatusCode::kUnavailable);
                               called = true;
                             });
    CHECK(called);
  }
  auto reopened = Database::Open({path}, TwoMigrations());
  REQUIRE(reopened.ok());
  CHECK(CountThings(**reopened) == 50);
}

TEST_CASE("a connection prepares a statement once and lends it again with no bindings") {
  testing::TempDir dir;
  auto db = Database::Open({absl::StrCat(dir.path(), "/t.db")}, TwoMigrations());
  REQUIRE(db.ok());
  REQUIRE((*db)
              ->Write([](Connection& c) {
                const SQLite::Statement* first = nullptr;
                {
                  auto insert = c.Prepare("INSERT INTO things (name) VALUES (?)");
                  insert->bind(1, "one");
                  insert->exec();
                  first = &*insert;
                }
                auto again = c.Prepare("INSERT INTO things (name) VALUES (?)");
                CHECK(&*again == first);
                // Bindings were cleared: an unbound parameter is NULL, which
                // the NOT NULL column refuses.
                CHECK_THROWS(again->exec());
                return absl::OkStatus();
              })
              .ok());
}

TEST_CASE("a nested use of the same SQL gets a statement of its own") {
  testing::TempDir dir;
  auto db = Database::Open({absl::StrCat(dir.path(), "/t.db")}, TwoMigrations());
  REQUIRE(db.ok());
  REQUIRE((*db)
              ->Write([](Connection& c) {
                c.exec("INSERT INTO things (name) VALUES ('a'), ('b')");
                auto outer = c.Prepare("SELECT name FROM things ORDER BY name");
                REQUIRE(outer->executeStep());
                auto inner = c.Prepare("SELECT name FROM things ORDER BY name");
                CHECK(&*inner != &*outer);
                REQUIRE(inner->executeStep());
                CHECK(inner->getColumn(0).getString() == "a");
                // The outer statement kept its place.
                REQUIRE(outer->executeStep());
                CHECK(outer->getColumn(0).getString() == "b");
                return absl::OkStatus();
              })
              .ok());
}

TEST_CASE("a statement lent while many others are first prepared comes back to the cache") {
  testing::TempDir dir;
  auto db = Database::Open({absl::StrCat(dir.path(), "/t.db")}, TwoMigrations());
  REQUIRE(db.ok());
  REQUIRE((*db)
              ->Write([](Connection& c) {
                const SQLite::Statement* held = nullptr;
                {
                  auto first = c.Prepare("SELECT COUNT(*) FROM things");
                  held = &*first;
                  // Enough new entries that the cache grows while `first`
                  // is out.
                  for (int i = 0; i < 40; ++i) {
                    auto other = c.Prepare(absl::StrCat("SELECT ", i, " FROM things"));
                  }
                }
                auto again = c.Prepare("SELECT COUNT(*) FROM things");
                CHECK(&*again == held);
                return absl::OkStatus();
              })
              .ok());
}

TEST_CASE("SQL that does not compile is reported each time and never cached") {
  testing::TempDir dir;
  auto db = Database::Open({absl::StrCat(dir.path(), "/t.db")}, TwoMigrations());
  REQUIRE(db.ok());
  REQUIRE((*db)
              ->Write([](Connection& c) {
                CHECK_THROWS(c.Prepare("SELEC nonsense"));
                CHECK_THROWS(c.Prepare("SELEC nonsense"));
                return absl::OkStatus();
              })
              .ok());
}

int64_t FileSize(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : -1;
}

// Writes about 600 KB (a page per row): fewer WAL pages than SQLite's own
// automatic checkpoint waits for (1000), so only a checkpointer moves them
// into the database file.
void WriteSomePages(Database& db) {
  REQUIRE(db.Write([](Connection& c) {
              SQLite::Statement insert(c, "INSERT INTO things (name) VALUES (?)");
              for (int i = 0; i < 200; ++i) {
                insert.bind(1, absl::StrCat(i, std::string(3000, 'x')));
                insert.exec();
                insert.reset();
              }
              return absl::OkStatus();
            }).ok());
}

TEST_CASE("the background checkpointer moves the WAL into the database file") {
  testing::TempDir dir;
  const std::string path = absl::StrCat(dir.path(), "/t.db");
  DatabaseOptions options{path};
  options.checkpoint_interval = absl::Milliseconds(20);
  auto db = Database::Open(options, TwoMigrations());
  REQUIRE(db.ok());
  WriteSomePages(**db);
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (FileSize(path) < 500'000 && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(10));
  CHECK(FileSize(path) >= 500'000);
}

// A reader holding its snapshot (and so the part of the WAL it needs)
// from construction until Release or destruction.
class HeldReader {
 public:
  explicit HeldReader(Database& db)
      : thread_([this, &db] {
          (void)db.Read([&](Connection& c) {
            c.execAndGet("SELECT COUNT(*) FROM things");
            reading_.Notify();
            release_.WaitForNotificationWithTimeout(absl::Seconds(30));
            return absl::OkStatus();
          });
        }) {
    // A read that failed before holding anything fails the test, not hangs it.
    REQUIRE(reading_.WaitForNotificationWithTimeout(absl::Seconds(30)));
  }
  ~HeldReader() { Release(); }

  void Release() {
    if (!release_.HasBeenNotified()) release_.Notify();
    if (thread_.joinable()) thread_.join();
  }

 private:
  absl::Notification reading_, release_;
  std::thread thread_;
};

// The WAL is rewound once it holds half of wal_keep_bytes; this much makes
// GrowWalPastRewind cross that.
constexpr int64_t kKeepToRewindBy40MB = int64_t{64} << 20;

// Writes about 40 MB of WAL (10,000 4 KB pages): past the rewind point of
// kKeepToRewindBy40MB or less.
void GrowWalPastRewind(Database& db) {
  REQUIRE(db.Write([](Connection& c) {
              SQLite::Statement insert(c, "INSERT INTO things (name) VALUES (?)");
              for (int i = 0; i < 10'000; ++i) {
                insert.bind(1, absl::StrCat(i, std::string(3500, 'x')));
                insert.exec();
                insert.reset();
              }
              return absl::OkStatus();
            }).ok());
}

// Bytes 12-15 of a WAL file's header (SQLite's file format, section 4.1).
std::string WalCheckpointSequence(const std::string& wal_path) {
  std::ifstream in(wal_path, std::ios::binary);
  std::string header(16, '\0');
  in.read(header.data(), static_cast<std::streamsize>(header.size()));
  return header.substr(12, 4);
}

// Writes (grouped or not) until the WAL's header shows a new checkpoint
// sequence, which the first commit after a rewind writes; generous, as a
// loaded machine copies and syncs a grown WAL slowly. True if it came.
bool WriteUntilRewound(Database& db, const std::string& wal_path, bool grouped) {
  const std::string first = WalCheckpointSequence(wal_path);
  const absl::Time give_up = absl::Now() + absl::Seconds(60);
  for (int i = 0; WalCheckpointSequence(wal_path) == first && absl::Now() < give_up; ++i) {
    auto write = InsertThing(absl::StrCat("until rewound ", i));
    REQUIRE((grouped ? db.WriteGrouped(write) : db.Write(write)).ok());
    absl::SleepFor(absl::Milliseconds(20));
  }
  return WalCheckpointSequence(wal_path) != first;
}

// The WAL's size once it was grown past a rewind and written to again.
int64_t WalSizeAfterRewind(int64_t wal_keep_bytes) {
  testing::TempDir dir;
  const std::string path = absl::StrCat(dir.path(), "/t.db");
  DatabaseOptions options{path};
  options.checkpoint_interval = absl::Milliseconds(20);
  options.wal_keep_bytes = wal_keep_bytes;
  auto db = Database::Open(options, TwoMigrations());
  REQUIRE(db.ok());
  GrowWalPastRewind(**db);
  CHECK(FileSize(path + "-wal") > 40'000'000);
  // No reader holds the WAL, so a checkpointer pass and a few writes see it
  // rewound; the first commit after the rewind cuts the file.
  REQUIRE(WriteUntilRewound(**db, path + "-wal", /*grouped=*/false));
  return FileSize(path + "-wal");
}

TEST_CASE("a rewound WAL is cut back to wal_keep_bytes and kept whole below it") {
  const int64_t cut = WalSizeAfterRewind(int64_t{4} << 20);
  CHECK(cut <= int64_t{4} << 20);
  CHECK(cut > 0);
  // Kept, its blocks are written again instead of allocated anew.
  CHECK(WalSizeAfterRewind(kKeepToRewindBy40MB) > 40'000'000);
}

// A store checkpointing every 20 ms, which waits 100 ms for readers and
// tells `reported` of background failures, with 40 MB in its WAL.
std::unique_ptr<Database> OpenWithGrownWal(const std::string& path, int64_t wal_keep_bytes,
                                           ReportedErrors& reported) {
  DatabaseOptions options{path};
  options.checkpoint_interval = absl::Milliseconds(20);
  options.wal_keep_bytes = wal_keep_bytes;
  options.busy_timeout = absl::Milliseconds(100);
  options.on_background_error = reported.Hook();
  auto db = Database::Open(options, TwoMigrations());
  REQUIRE(db.ok());
  GrowWalPastRewind(**db);
  REQUIRE((*db)->Write(InsertThing("last")).ok());
  return *std::move(db);
}

TEST_CASE("the WAL is not rewound before it holds half of wal_keep_bytes") {
  testing::TempDir dir;
  ReportedErrors reported;
  // Rewinds at 128 MiB.
  auto db = OpenWithGrownWal(absl::StrCat(dir.path(), "/t.db"), int64_t{256} << 20, reported);
  // A reader in the WAL makes every rewind try fail, and past 64 tries the
  // writer waits and reports (as the test below shows with a 64 MiB keep).
  // At 40 MB no pass asks for one: each would stop writes to sync the
  // database file.
  HeldReader reader(*db);
  // Long enough, however fast the groups commit, for many passes, the 64
  // tries and the 100 ms wait that would follow a request.
  const absl::Time until = absl::Now() + absl::Seconds(1);
  for (int i = 0; i < 200 || absl::Now() < until; ++i) {
    REQUIRE(db->WriteGrouped(InsertThing(absl::StrCat("group ", i))).ok());
    absl::SleepFor(absl::Milliseconds(1));
  }
  CHECK(reported.messages().empty());
  reader.Release();
}

TEST_CASE("a write does not wait for a reader that keeps a grown WAL from being rewound") {
  testing::TempDir dir;
  DatabaseOptions options{absl::StrCat(dir.path(), "/t.db")};
  options.checkpoint_interval = absl::Milliseconds(500);
  options.wal_keep_bytes = kKeepToRewindBy40MB;
  auto db = Database::Open(options, TwoMigrations());
  REQUIRE(db.ok());
  GrowWalPastRewind(**db);
  // Then a reader whose snapshot needs the WAL (a commit not yet copied
  // out) holds it, so no rewind can finish.
  REQUIRE((*db)->Write(InsertThing("last")).ok());
  HeldReader reader(**db);
  // A pass of the checkpointer meanwhile finds the WAL grown.
  absl::SleepFor(absl::Milliseconds(700));
  absl::Notification written;
  std::thread writer([&] {
    CHECK((*db)->WriteGrouped(InsertThing("meanwhile")).ok());
    written.Notify();
  });
  // A RESTART checkpoint holding the writer lock would keep this waiting
  // for the reader (up to the 5 s busy timeout).
  CHECK(written.WaitForNotificationWithTimeout(absl::Seconds(2)));
  reader.Release();
  writer.join();
}

TEST_CASE("a WAL a reader never lets go of is waited for at last, a failed wait is reported") {
  testing::TempDir dir;
  const std::string path = absl::StrCat(dir.path(), "/t.db");
  ReportedErrors reported;
  auto db = OpenWithGrownWal(path, kKeepToRewindBy40MB, reported);
  const std::string first = WalCheckpointSequence(path + "-wal");
  HeldReader reader(*db);
  // Once a checkpointer pass asks for a rewind, every group tries once
  // without waiting; past the tries the writer waits for the reader (the
  // busy timeout), in vain here, and says so.
  const absl::Time give_up_waiting = absl::Now() + absl::Seconds(20);
  for (int i = 0; reported.messages().empty() && absl::Now() < give_up_waiting; ++i) {
    REQUIRE(db->WriteGrouped(InsertThing(absl::StrCat("group ", i))).ok());
    absl::SleepFor(absl::Milliseconds(1));
  }
  CHECK(reported.messages().size() == 1);
  for (const auto& m : reported.messages()) CHECK_THAT(m, Catch::Contains("WAL restart"));
  CHECK(WalCheckpointSequence(path + "-wal") == first);
  // Once the reader is done, the next request is granted.
  reader.Release();
  CHECK(WriteUntilRewound(*db, path + "-wal", /*grouped=*/true));
}

TEST_CASE("without a checkpointer the WAL stays in the WAL until SQLite's own threshold") {
  testing::TempDir dir;
  const std::string path = absl::StrCat(dir.path(), "/t.db");
  DatabaseOptions options{path};
  options.checkpoint_interval = absl::ZeroDuration();
  auto db = Database::Open(options, TwoMigrations());
  REQUIRE(db.ok());
  WriteSomePages(**db);
  absl::SleepFor(absl::Milliseconds(200));
  CHECK(FileSize(path) < 500'000);
  CHECK(FileSize(path + "-wal") >= 500'000);
}

}  // namespace
}  // namespace onewindow::store
