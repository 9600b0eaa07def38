#include "libs/store/wal_sync.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"

namespace onewindow::store {

// Asks for the inode number only. Since Linux 6.13 a stat that reads a
// file's times makes its next write stamp a fine-grained time, so every
// sync after such a stat also wrote the inode: on ext4 without a journal,
// one more synchronous disk write per fdatasync.
bool WalSync::IdentifyFile(int dir, const char* path, int flags, FileId* id) {
  struct statx found;
  if (::statx(dir, path, flags, STATX_INO, &found) != 0) return false;
  *id = {found.stx_dev_major, found.stx_dev_minor, found.stx_ino};
  return true;
}

WalSync::WalSync(std::string wal_path, SyncFile sync_file,
                 std::function<void(const absl::Status&)> on_failure)
    : wal_path_(std::move(wal_path)),
      sync_file_(sync_file ? std::move(sync_file)
                           : SyncFile([](int fd) { return ::fdatasync(fd) == 0 ? 0 : errno; })),
      on_failure_(std::move(on_failure)) {}

WalSync::~WalSync() {
  if (fd_ >= 0) ::close(fd_);
}

uint64_t WalSync::BeginCommit() {
  absl::MutexLock lock(&mu_);
  return ++begun_;
}

void WalSync::EndCommit() {
  absl::MutexLock lock(&mu_);
  ended_ = begun_;
}

uint64_t WalSync::last_begun() const {
  absl::MutexLock lock(&mu_);
  return begun_;
}

absl::Status WalSync::failed() const {
  absl::MutexLock lock(&mu_);
  return failed_;
}

absl::Status WalSync::SyncThrough(uint64_t commit) {
  struct Wait {
    WalSync* sync;
    uint64_t commit;
  } wait{this, commit};
  absl::MutexLock lock(&mu_);
  while (true) {
    if (!failed_.ok()) return failed_;
    if (synced_ >= commit) return absl::OkStatus();
    if (syncing_ || ended_ < commit) {
      // The running sync may cover `commit`; if not, the next one will,
      // once its COMMIT has written everything.
      mu_.Await(absl::Condition(
          +[](Wait* w) ABSL_NO_THREAD_SAFETY_ANALYSIS {
            return !w->sync->failed_.ok() || (!w->sync->syncing_ && w->sync->ended_ >= w->commit);
          },
          &wait));
      continue;
    }
    syncing_ = true;
    // Every COMMIT up to here has returned: its frames are in the file.
    const uint64_t target = ended_;
    mu_.Unlock();
    absl::Status opened = OpenWal();
    int error = 0;
    if (opened.ok()) error = sync_file_(fd_);
    absl::Status synced =
        error == 0 ? absl::OkStatus()
                   : absl::UnavailableError(absl::StrCat("storage sync failed: fdatasync ",
                                                         wal_path_, ": ", std::strerror(error)));
    if (on_failure_ && !synced.ok()) on_failure_(synced);
    // Not finding the file fails every sync until someone acts, so it is
    // said once a minute, not once a write.
    if (on_failure_ && !opened.ok() && open_report_.Due()) on_failure_(opened);
    mu_.Lock();
    syncing_ = false;
    if (!opened.ok()) return opened;
    if (!synced.ok()) {
      failed_ = synced;
      return failed_;
    }
    synced_ = std::max(synced_, target);
  }
}

absl::Status WalSync::OpenWal() {
  FileId now;
  if (!IdentifyFile(AT_FDCWD, wal_path_.c_str(), 0, &now)) {
    return absl::UnavailableError(
        absl::StrCat("cannot sync the WAL: stat ", wal_path_, ": ", std::strerror(errno)));
  }
  if (fd_ < 0 || now != opened_) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = ::open(wal_path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) {
      return absl::UnavailableError(
          absl::StrCat("cannot sync the WAL: open ", wal_path_, ": ", std::strerror(errno)));
    }
    if (!IdentifyFile(fd_, "", AT_EMPTY_PATH, &opened_)) {
      return absl::UnavailableError(
          absl::StrCat("cannot sync the WAL: fstat ", wal_path_, ": ", std::strerror(errno)));
    }
  }
  return absl::OkStatus();
}

}  // namespace onewindow::store
