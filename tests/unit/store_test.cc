#include <SQLiteCpp/Statement.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "absl/strings/str_cat.h"
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

int64_t CountThings(Database& db) {
  int64_t n = -1;
  REQUIRE(db.Read([&](SQLite::Database& c) {
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
              ->Read([&](SQLite::Database& c) {
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
  absl::Status s = (*db)->Write([](SQLite::Database& c) {
    c.exec("INSERT INTO things(name) VALUES('a')");
    return absl::InvalidArgumentError("changed my mind");
  });
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK(CountThings(**db) == 0);

  s = (*db)->Write([](SQLite::Database& c) {
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
  absl::Status s = (*db)->Write([](SQLite::Database& c) {
    c.exec("INSERT INTO parts(thing_id) VALUES(42)");
    return absl::OkStatus();
  });
  CHECK_FALSE(s.ok());
}

TEST_CASE("the store runs in WAL mode with synchronous FULL") {
  testing::TempDir dir;
  auto db = Database::Open({absl::StrCat(dir.path(), "/t.db")}, TwoMigrations());
  REQUIRE(db.ok());
  std::string mode;
  int sync = -1;
  REQUIRE((*db)
              ->Write([&](SQLite::Database& c) {
                mode = c.execAndGet("PRAGMA journal_mode").getString();
                sync = c.execAndGet("PRAGMA synchronous").getInt();
                return absl::OkStatus();
              })
              .ok());
  CHECK(mode == "wal");
  CHECK(sync == 2);
}

TEST_CASE("readers see committed writes while writers run concurrently") {
  testing::TempDir dir;
  auto db = Database::Open({absl::StrCat(dir.path(), "/t.db")}, TwoMigrations());
  REQUIRE(db.ok());
  std::thread writer([&] {
    for (int i = 0; i < 200; ++i) {
      REQUIRE((*db)
                  ->Write([&](SQLite::Database& c) {
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
  CHECK((*db)->Write([](SQLite::Database&) { return absl::OkStatus(); }).code() ==
        absl::StatusCode::kUnavailable);
  CHECK((*db)->Read([](SQLite::Database&) { return absl::OkStatus(); }).code() ==
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
        absl::Status s = (*db)->WriteGrouped([&](SQLite::Database& c) {
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

TEST_CASE("a grouped write on a closed store answers UNAVAILABLE") {
  testing::TempDir dir;
  auto db = Database::Open({absl::StrCat(dir.path(), "/t.db")}, TwoMigrations());
  REQUIRE(db.ok());
  (*db)->Close();
  absl::Status s = (*db)->WriteGrouped([](SQLite::Database&) { return absl::OkStatus(); });
  CHECK(s.code() == absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace onewindow::store
