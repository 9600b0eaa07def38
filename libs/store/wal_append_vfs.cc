#include "libs/store/wal_append_vfs.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include <sqlite3.h>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace onewindow::store {
namespace {

// A WAL frame header: page number, database size after a commit (0 on the
// frames before the commit's last), salts and checksums. Nothing else SQLite
// writes to a WAL is this long (its file header is 32 bytes, pages at least
// 512).
constexpr int kFrameHeaderBytes = 24;

// A transaction larger than this (it spills pages before committing) is
// written in pieces of about this size.
constexpr size_t kMaxCollectedBytes = 8 << 20;

// SQLite's unix VFS writes at most 128 KiB - 1 bytes per call (it masks the
// length to 17 bits), so more is written in pieces of this size.
constexpr size_t kMaxWriteBytes = 64 << 10;

// The WAL of one connection. SQLite allocates szOsFile bytes per file; the
// file of the VFS below follows this struct in the same allocation.
struct WalFile {
  sqlite3_file base;
  sqlite3_file* below;
  // Bytes appended and not yet written, meant for offset `start`.
  std::vector<char> collected;
  sqlite3_int64 start = 0;
  // The last header written was a commit frame's: its page ends the commit.
  bool commit_page_next = false;
};

WalFile* AsWal(sqlite3_file* f) { return reinterpret_cast<WalFile*>(f); }

int WriteCollected(WalFile* wal) {
  int rc = SQLITE_OK;
  for (size_t done = 0; done < wal->collected.size() && rc == SQLITE_OK;) {
    const size_t n = std::min(kMaxWriteBytes, wal->collected.size() - done);
    rc = wal->below->pMethods->xWrite(wal->below, wal->collected.data() + done, static_cast<int>(n),
                                      wal->start + static_cast<sqlite3_int64>(done));
    done += n;
  }
  wal->start += static_cast<sqlite3_int64>(wal->collected.size());
  wal->collected.clear();
  wal->commit_page_next = false;
  return rc;
}

int WalClose(sqlite3_file* f) {
  WalFile* wal = AsWal(f);
  const int written = WriteCollected(wal);
  const int closed =
      wal->below->pMethods != nullptr ? wal->below->pMethods->xClose(wal->below) : SQLITE_OK;
  wal->~WalFile();
  return written != SQLITE_OK ? written : closed;
}

int WalRead(sqlite3_file* f, void* out, int amount, sqlite3_int64 offset) {
  WalFile* wal = AsWal(f);
  if (const int rc = WriteCollected(wal); rc != SQLITE_OK) return rc;
  return wal->below->pMethods->xRead(wal->below, out, amount, offset);
}

int WalWrite(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
  WalFile* wal = AsWal(f);
  const sqlite3_int64 end = wal->start + static_cast<sqlite3_int64>(wal->collected.size());
  if (!wal->collected.empty() && offset != end) {
    // Not an append (a frame rewritten in place, a new WAL header): what
    // came before goes first, so the file sees writes in SQLite's order.
    if (const int rc = WriteCollected(wal); rc != SQLITE_OK) return rc;
  }
  if (wal->collected.empty()) wal->start = offset;
  const char* bytes = static_cast<const char*>(data);
  wal->collected.insert(wal->collected.end(), bytes, bytes + amount);
  if (amount == kFrameHeaderBytes) {
    // Bytes 4-7, big-endian: the database size, set only on a commit frame.
    wal->commit_page_next = (bytes[4] | bytes[5] | bytes[6] | bytes[7]) != 0;
    return SQLITE_OK;
  }
  if (wal->commit_page_next || wal->collected.size() >= kMaxCollectedBytes) {
    return WriteCollected(wal);
  }
  return SQLITE_OK;
}

int WalTruncate(sqlite3_file* f, sqlite3_int64 size) {
  WalFile* wal = AsWal(f);
  if (const int rc = WriteCollected(wal); rc != SQLITE_OK) return rc;
  return wal->below->pMethods->xTruncate(wal->below, size);
}

int WalSyncFile(sqlite3_file* f, int flags) {
  WalFile* wal = AsWal(f);
  if (const int rc = WriteCollected(wal); rc != SQLITE_OK) return rc;
  return wal->below->pMethods->xSync(wal->below, flags);
}

int WalFileSize(sqlite3_file* f, sqlite3_int64* size) {
  WalFile* wal = AsWal(f);
  if (const int rc = WriteCollected(wal); rc != SQLITE_OK) return rc;
  return wal->below->pMethods->xFileSize(wal->below, size);
}

int WalLock(sqlite3_file* f, int level) {
  return AsWal(f)->below->pMethods->xLock(AsWal(f)->below, level);
}

int WalUnlock(sqlite3_file* f, int level) {
  return AsWal(f)->below->pMethods->xUnlock(AsWal(f)->below, level);
}

int WalCheckReservedLock(sqlite3_file* f, int* out) {
  return AsWal(f)->below->pMethods->xCheckReservedLock(AsWal(f)->below, out);
}

int WalFileControl(sqlite3_file* f, int op, void* arg) {
  WalFile* wal = AsWal(f);
  if (const int rc = WriteCollected(wal); rc != SQLITE_OK) return rc;
  return wal->below->pMethods->xFileControl(wal->below, op, arg);
}

int WalSectorSize(sqlite3_file* f) {
  return AsWal(f)->below->pMethods->xSectorSize(AsWal(f)->below);
}

int WalDeviceCharacteristics(sqlite3_file* f) {
  return AsWal(f)->below->pMethods->xDeviceCharacteristics(AsWal(f)->below);
}

// Version 1: SQLite maps no memory and no shared memory through a WAL file.
const sqlite3_io_methods kWalMethods = {
    1,
    WalClose,
    WalRead,
    WalWrite,
    WalTruncate,
    WalSyncFile,
    WalFileSize,
    WalLock,
    WalUnlock,
    WalCheckReservedLock,
    WalFileControl,
    WalSectorSize,
    WalDeviceCharacteristics,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
};

sqlite3_vfs* Below(sqlite3_vfs* vfs) { return static_cast<sqlite3_vfs*>(vfs->pAppData); }

int Open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
  sqlite3_vfs* below = Below(vfs);
  // Every other file is the file below, in place: its own methods, no cost.
  if ((flags & SQLITE_OPEN_WAL) == 0) return below->xOpen(below, name, f, flags, out_flags);
  auto* wal = new (f) WalFile();
  wal->base.pMethods = nullptr;
  wal->below = reinterpret_cast<sqlite3_file*>(wal + 1);
  const int rc = below->xOpen(below, name, wal->below, flags, out_flags);
  if (rc != SQLITE_OK) {
    // SQLite calls no xClose on a file whose open failed; the file below
    // may still need one.
    if (wal->below->pMethods != nullptr) wal->below->pMethods->xClose(wal->below);
    wal->~WalFile();
    f->pMethods = nullptr;
    return rc;
  }
  wal->base.pMethods = &kWalMethods;
  return SQLITE_OK;
}

// The rest is the VFS below's.
int Delete(sqlite3_vfs* vfs, const char* name, int sync_dir) {
  return Below(vfs)->xDelete(Below(vfs), name, sync_dir);
}
int Access(sqlite3_vfs* vfs, const char* name, int flags, int* out) {
  return Below(vfs)->xAccess(Below(vfs), name, flags, out);
}
int FullPathname(sqlite3_vfs* vfs, const char* name, int size, char* out) {
  return Below(vfs)->xFullPathname(Below(vfs), name, size, out);
}
void* DlOpen(sqlite3_vfs* vfs, const char* name) { return Below(vfs)->xDlOpen(Below(vfs), name); }
void DlError(sqlite3_vfs* vfs, int size, char* out) { Below(vfs)->xDlError(Below(vfs), size, out); }
void (*DlSym(sqlite3_vfs* vfs, void* handle, const char* symbol))(void) {
  return Below(vfs)->xDlSym(Below(vfs), handle, symbol);
}
void DlClose(sqlite3_vfs* vfs, void* handle) { Below(vfs)->xDlClose(Below(vfs), handle); }
int Randomness(sqlite3_vfs* vfs, int size, char* out) {
  return Below(vfs)->xRandomness(Below(vfs), size, out);
}
int Sleep(sqlite3_vfs* vfs, int micros) { return Below(vfs)->xSleep(Below(vfs), micros); }
int CurrentTime(sqlite3_vfs* vfs, double* out) { return Below(vfs)->xCurrentTime(Below(vfs), out); }
int GetLastError(sqlite3_vfs* vfs, int size, char* out) {
  return Below(vfs)->xGetLastError != nullptr ? Below(vfs)->xGetLastError(Below(vfs), size, out)
                                              : 0;
}
int CurrentTimeInt64(sqlite3_vfs* vfs, sqlite3_int64* out) {
  if (Below(vfs)->iVersion >= 2 && Below(vfs)->xCurrentTimeInt64 != nullptr) {
    return Below(vfs)->xCurrentTimeInt64(Below(vfs), out);
  }
  double days = 0;
  const int rc = Below(vfs)->xCurrentTime(Below(vfs), &days);
  *out = static_cast<sqlite3_int64>(days * 86400000.0);
  return rc;
}

// One VFS per VFS below, registered on first use and never unregistered:
// SQLite holds on to it while any connection uses it.
class Registry {
 public:
  const char* Get(const char* below_name) {
    absl::MutexLock lock(&mu_);
    sqlite3_vfs* below = sqlite3_vfs_find(below_name);
    if (below == nullptr) return nullptr;
    auto& slot = vfs_[below];
    if (slot == nullptr) {
      slot = std::make_unique<Entry>();
      slot->name = absl::StrCat("ow-wal-append-", below->zName);
      sqlite3_vfs& v = slot->vfs;
      v.iVersion = 2;
      v.szOsFile = static_cast<int>(sizeof(WalFile)) + below->szOsFile;
      v.mxPathname = below->mxPathname;
      v.zName = slot->name.c_str();
      v.pAppData = below;
      v.xOpen = Open;
      v.xDelete = Delete;
      v.xAccess = Access;
      v.xFullPathname = FullPathname;
      v.xDlOpen = DlOpen;
      v.xDlError = DlError;
      v.xDlSym = DlSym;
      v.xDlClose = DlClose;
      v.xRandomness = Randomness;
      v.xSleep = Sleep;
      v.xCurrentTime = CurrentTime;
      v.xGetLastError = GetLastError;
      v.xCurrentTimeInt64 = CurrentTimeInt64;
      if (sqlite3_vfs_register(&v, /*makeDflt=*/0) != SQLITE_OK) {
        vfs_.erase(below);
        return nullptr;
      }
    }
    return slot->name.c_str();
  }

 private:
  struct Entry {
    std::string name;
    sqlite3_vfs vfs{};
  };
  absl::Mutex mu_;
  std::map<sqlite3_vfs*, std::unique_ptr<Entry>> vfs_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

const char* WalAppendVfs(const char* below) {
  // Leaked on purpose: registered VFSs must outlive every connection.
  static Registry* const registry = new Registry();
  return registry->Get(below);
}

}  // namespace onewindow::store
