// The WAL-appending VFS, over a probe VFS that counts and can fail the
// writes reaching the WAL file.
#include "libs/store/wal_append_vfs.h"

#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <functional>
#include <new>
#include <string>

#include "absl/strings/str_cat.h"
#include "libs/testing/process.h"

namespace onewindow::store {
namespace {

// What the probe saw of WAL writes, and whether it fails them.
struct Probe {
  int wal_writes = 0;
  bool fail_wal_writes = false;
};

struct ProbeFile {
  sqlite3_file base;
  sqlite3_file* below;
  Probe* probe;
};

ProbeFile* AsProbe(sqlite3_file* f) { return reinterpret_cast<ProbeFile*>(f); }
sqlite3_file* Below(sqlite3_file* f) { return AsProbe(f)->below; }

int ProbeClose(sqlite3_file* f) {
  const int rc = Below(f)->pMethods->xClose(Below(f));
  AsProbe(f)->~ProbeFile();
  return rc;
}
int ProbeRead(sqlite3_file* f, void* out, int n, sqlite3_int64 at) {
  return Below(f)->pMethods->xRead(Below(f), out, n, at);
}
int ProbeWrite(sqlite3_file* f, const void* data, int n, sqlite3_int64 at) {
  ++AsProbe(f)->probe->wal_writes;
  if (AsProbe(f)->probe->fail_wal_writes) return SQLITE_IOERR_WRITE;
  return Below(f)->pMethods->xWrite(Below(f), data, n, at);
}
int ProbeTruncate(sqlite3_file* f, sqlite3_int64 n) {
  return Below(f)->pMethods->xTruncate(Below(f), n);
}
int ProbeSync(sqlite3_file* f, int flags) { return Below(f)->pMethods->xSync(Below(f), flags); }
int ProbeFileSize(sqlite3_file* f, sqlite3_int64* n) {
  return Below(f)->pMethods->xFileSize(Below(f), n);
}
int ProbeLock(sqlite3_file* f, int l) { return Below(f)->pMethods->xLock(Below(f), l); }
int ProbeUnlock(sqlite3_file* f, int l) { return Below(f)->pMethods->xUnlock(Below(f), l); }
int ProbeReserved(sqlite3_file* f, int* out) {
  return Below(f)->pMethods->xCheckReservedLock(Below(f), out);
}
int ProbeControl(sqlite3_file* f, int op, void* arg) {
  return Below(f)->pMethods->xFileControl(Below(f), op, arg);
}
int ProbeSector(sqlite3_file* f) { return Below(f)->pMethods->xSectorSize(Below(f)); }
int ProbeDevice(sqlite3_file* f) { return Below(f)->pMethods->xDeviceCharacteristics(Below(f)); }

const sqlite3_io_methods kProbeMethods = {
    1,         ProbeClose,  ProbeRead,     ProbeWrite,   ProbeTruncate, ProbeSync,   ProbeFileSize,
    ProbeLock, ProbeUnlock, ProbeReserved, ProbeControl, ProbeSector,   ProbeDevice, nullptr,
    nullptr,   nullptr,     nullptr,       nullptr,      nullptr,
};

// Registered as "ow-probe" once for the test binary: the appending VFS
// over it keeps pointing at it.
class ProbeVfs {
 public:
  static Probe& Reset() {
    static ProbeVfs* const vfs = new ProbeVfs();
    vfs->probe = Probe();
    return vfs->probe;
  }

  Probe probe;

 private:
  ProbeVfs() {
    default_ = sqlite3_vfs_find(nullptr);
    vfs_ = *default_;
    vfs_.zName = "ow-probe";
    vfs_.szOsFile = static_cast<int>(sizeof(ProbeFile)) + default_->szOsFile;
    vfs_.pNext = nullptr;
    vfs_.pAppData = this;
    vfs_.xOpen = Open;
    // The default VFS's other methods read its own pAppData.
    REQUIRE(sqlite3_vfs_register(&vfs_, 0) == SQLITE_OK);
  }

  static int Open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* f, int flags, int* out) {
    auto* self = static_cast<ProbeVfs*>(vfs->pAppData);
    if ((flags & SQLITE_OPEN_WAL) == 0) {
      return self->default_->xOpen(self->default_, name, f, flags, out);
    }
    auto* file = new (f) ProbeFile{{nullptr}, nullptr, &self->probe};
    file->below = reinterpret_cast<sqlite3_file*>(file + 1);
    const int rc = self->default_->xOpen(self->default_, name, file->below, flags, out);
    if (rc != SQLITE_OK) return rc;
    file->base.pMethods = &kProbeMethods;
    return SQLITE_OK;
  }

  sqlite3_vfs* default_;
  sqlite3_vfs vfs_;
};

// A database written through the appending VFS over the probe, and read
// by a plain connection as the store's readers are.
class Store {
 public:
  explicit Store(const std::string& path) {
    const char* vfs = WalAppendVfs("ow-probe");
    REQUIRE(vfs != nullptr);
    REQUIRE(sqlite3_open_v2(path.c_str(), &writer_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                            vfs) == SQLITE_OK);
    REQUIRE(Exec(writer_,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                 "CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)") == SQLITE_OK);
    REQUIRE(sqlite3_open_v2(path.c_str(), &reader_, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  }
  ~Store() {
    sqlite3_close(reader_);
    sqlite3_close(writer_);
  }

  // One transaction of `rows` rows of about a page each.
  int Insert(int rows) {
    return Exec(writer_, absl::StrCat("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
                                      "FROM n WHERE i < ",
                                      rows,
                                      ") INSERT INTO t (body) SELECT printf('%.3000c', 'x')"
                                      " FROM n"));
  }

  int64_t ReaderCount() {
    sqlite3_stmt* q = nullptr;
    REQUIRE(sqlite3_prepare_v2(reader_, "SELECT COUNT(*) FROM t", -1, &q, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(q) == SQLITE_ROW);
    const int64_t n = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return n;
  }

  std::string IntegrityCheck() {
    sqlite3_stmt* q = nullptr;
    REQUIRE(sqlite3_prepare_v2(reader_, "PRAGMA integrity_check", -1, &q, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(q) == SQLITE_ROW);
    std::string result = reinterpret_cast<const char*>(sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    return result;
  }

  sqlite3* writer() { return writer_; }

 private:
  static int Exec(sqlite3* db, const std::string& sql) {
    return sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  }

  sqlite3* writer_ = nullptr;
  sqlite3* reader_ = nullptr;
};

TEST_CASE("a commit reaches the WAL in a few large writes, not two per page") {
  Probe& probe = ProbeVfs::Reset();
  testing::TempDir dir;
  Store store(absl::StrCat(dir.path(), "/wal.db"));
  probe.wal_writes = 0;
  REQUIRE(store.Insert(100) == SQLITE_OK);
  // 100 row pages and a few b-tree pages are 400 KiB of frames: 7 writes of
  // at most 64 KiB, where SQLite alone makes two per frame (over 200).
  CHECK(probe.wal_writes > 0);
  CHECK(probe.wal_writes <= 8);
  // Readers see the whole commit as soon as it returns.
  CHECK(store.ReaderCount() == 100);
  CHECK(store.IntegrityCheck() == "ok");
}

TEST_CASE("a transaction larger than the page cache spills to the WAL and commits whole") {
  ProbeVfs::Reset();
  testing::TempDir dir;
  Store store(absl::StrCat(dir.path(), "/wal.db"));
  REQUIRE(sqlite3_exec(store.writer(), "PRAGMA cache_size = 50", nullptr, nullptr, nullptr) ==
          SQLITE_OK);
  // Spilled frames are read back and rewritten in place before the commit.
  REQUIRE(store.Insert(3000) == SQLITE_OK);
  CHECK(store.ReaderCount() == 3000);
  CHECK(store.IntegrityCheck() == "ok");
  // A spilled transaction that rolls back leaves no trace.
  REQUIRE(sqlite3_exec(store.writer(), "BEGIN", nullptr, nullptr, nullptr) == SQLITE_OK);
  REQUIRE(store.Insert(500) == SQLITE_OK);
  REQUIRE(sqlite3_exec(store.writer(), "ROLLBACK", nullptr, nullptr, nullptr) == SQLITE_OK);
  REQUIRE(store.Insert(10) == SQLITE_OK);
  CHECK(store.ReaderCount() == 3010);
  CHECK(store.IntegrityCheck() == "ok");
}

TEST_CASE("a WAL write that fails fails the COMMIT, and readers never see its rows") {
  Probe& probe = ProbeVfs::Reset();
  testing::TempDir dir;
  Store store(absl::StrCat(dir.path(), "/wal.db"));
  REQUIRE(store.Insert(5) == SQLITE_OK);
  probe.fail_wal_writes = true;
  CHECK((store.Insert(20) & 0xff) == SQLITE_IOERR);
  CHECK(store.ReaderCount() == 5);
  probe.fail_wal_writes = false;
  REQUIRE(store.Insert(20) == SQLITE_OK);
  CHECK(store.ReaderCount() == 25);
  CHECK(store.IntegrityCheck() == "ok");
}

// SQLite counts a spilled frame as written once it is collected; if writing
// it later fails, no commit may build on the frames the file lacks.
void SpillThenFailAWrite(const std::function<int(Store&)>& failing) {
  Probe& probe = ProbeVfs::Reset();
  testing::TempDir dir;
  Store store(absl::StrCat(dir.path(), "/wal.db"));
  REQUIRE(store.Insert(10) == SQLITE_OK);
  REQUIRE(sqlite3_exec(store.writer(), "PRAGMA cache_size = 50", nullptr, nullptr, nullptr) ==
          SQLITE_OK);
  REQUIRE(sqlite3_exec(store.writer(), "BEGIN", nullptr, nullptr, nullptr) == SQLITE_OK);
  REQUIRE(store.Insert(300) == SQLITE_OK);
  probe.fail_wal_writes = true;
  CHECK(failing(store) != SQLITE_OK);
  probe.fail_wal_writes = false;
  // Either SQLite gave the transaction up (then this commits alone) or it
  // goes on with it.
  const bool given_up = sqlite3_get_autocommit(store.writer()) != 0;
  REQUIRE(store.Insert(5) == SQLITE_OK);
  const int commit = sqlite3_exec(store.writer(), "COMMIT", nullptr, nullptr, nullptr);
  if (given_up) {
    CHECK(store.ReaderCount() == 15);
  } else if (commit == SQLITE_OK) {
    CHECK(store.ReaderCount() == 315);
  } else {
    sqlite3_exec(store.writer(), "ROLLBACK", nullptr, nullptr, nullptr);
    CHECK(store.ReaderCount() == 10);
  }
  CHECK(store.IntegrityCheck() == "ok");
  // The next transaction writes over what was lost.
  REQUIRE(store.Insert(20) == SQLITE_OK);
  CHECK(store.IntegrityCheck() == "ok");
}

TEST_CASE("frames lost to a failed write while appending are never committed upon") {
  // More than the VFS collects before writing: the write is made, and fails.
  SpillThenFailAWrite([](Store& store) { return store.Insert(3000); });
}

TEST_CASE("frames lost to a failed write before a read are never read back or committed upon") {
  // Reading the spilled pages back writes them first, and that fails.
  SpillThenFailAWrite([](Store& store) {
    return sqlite3_exec(store.writer(), "SELECT COUNT(*), SUM(LENGTH(body)) FROM t", nullptr,
                        nullptr, nullptr);
  });
}

TEST_CASE("an unknown VFS to write through gives no VFS, so the store keeps the default") {
  CHECK(WalAppendVfs("no-such-vfs") == nullptr);
  // Asked again, the same VFS over the same one below.
  ProbeVfs::Reset();
  const char* first = WalAppendVfs("ow-probe");
  REQUIRE(first != nullptr);
  CHECK(std::string(first) == WalAppendVfs("ow-probe"));
  CHECK(sqlite3_vfs_find(first) != nullptr);
}

}  // namespace
}  // namespace onewindow::store
