#include "services/intake/blob_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/auth/random.h"

namespace onewindow::intake {
namespace {

absl::Status ErrnoStatus(absl::string_view what) {
  const int e = errno;
  // ENOSPC and EIO are the storage being unwell, worth retrying elsewhere.
  if (e == ENOSPC || e == EIO || e == EDQUOT) {
    return absl::UnavailableError(absl::StrCat(what, ": ", std::strerror(e)));
  }
  return absl::InternalError(absl::StrCat(what, ": ", std::strerror(e)));
}

absl::Status MakeDirectory(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    return ErrnoStatus(absl::StrCat("mkdir ", path));
  }
  return absl::OkStatus();
}

// A directory's entries are durable only once the directory is fsynced.
absl::Status SyncDirectory(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(absl::StrCat("open ", path));
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return ErrnoStatus(absl::StrCat("fsync ", path));
  return absl::OkStatus();
}

}  // namespace

bool IsSha256Hex(absl::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

struct BlobStore::Writer::Hash {
  Hash() : ctx(EVP_MD_CTX_new()) { EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr); }
  ~Hash() { EVP_MD_CTX_free(ctx); }
  EVP_MD_CTX* ctx;
};

absl::StatusOr<std::unique_ptr<BlobStore>> BlobStore::Open(const std::string& root) {
  if (root.empty()) return absl::InvalidArgumentError("material directory is empty");
  if (absl::Status s = MakeDirectory(root); !s.ok()) return s;
  const std::string tmp = absl::StrCat(root, "/tmp");
  if (absl::Status s = MakeDirectory(tmp); !s.ok()) return s;
  // Whatever is in tmp/ was never acknowledged: a crash interrupted it.
  DIR* dir = ::opendir(tmp.c_str());
  if (dir == nullptr) return ErrnoStatus(absl::StrCat("opendir ", tmp));
  while (const dirent* entry = ::readdir(dir)) {
    const std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    ::unlink(absl::StrCat(tmp, "/", name).c_str());
  }
  ::closedir(dir);
  return std::unique_ptr<BlobStore>(new BlobStore(root));
}

std::string BlobStore::PathFor(absl::string_view sha256) const {
  return absl::StrCat(root_, "/", sha256.substr(0, 2), "/", sha256);
}

absl::StatusOr<std::unique_ptr<BlobStore::Writer>> BlobStore::NewWriter() {
  std::string path = absl::StrCat(root_, "/tmp/", auth::RandomHex(16));
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoStatus("create upload file");
  return std::unique_ptr<Writer>(new Writer(this, fd, std::move(path)));
}

absl::StatusOr<std::unique_ptr<BlobStore::Reader>> BlobStore::OpenContent(
    absl::string_view sha256) const {
  if (!IsSha256Hex(sha256)) return absl::NotFoundError("no such content");
  const int fd = ::open(PathFor(sha256).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return absl::NotFoundError("stored content is missing");
    return ErrnoStatus("open stored content");
  }
  return std::unique_ptr<Reader>(new Reader(fd));
}

BlobStore::Writer::Writer(BlobStore* store, int fd, std::string temp_path)
    : store_(store), fd_(fd), temp_path_(std::move(temp_path)), hash_(std::make_unique<Hash>()) {}

BlobStore::Writer::~Writer() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(temp_path_.c_str());
  if (!pinned_.empty()) store_->Unpin(pinned_);
}

absl::Status BlobStore::Writer::Append(absl::string_view bytes) {
  if (fd_ < 0) return absl::FailedPreconditionError("upload already finished");
  if (prefix_.size() < 8) {
    prefix_.append(bytes.data(), std::min(bytes.size(), 8 - prefix_.size()));
  }
  EVP_DigestUpdate(hash_->ctx, bytes.data(), bytes.size());
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t wrote = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (wrote < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("write upload");
    }
    done += static_cast<size_t>(wrote);
  }
  size_ += static_cast<int64_t>(bytes.size());
  return absl::OkStatus();
}

absl::StatusOr<std::string> BlobStore::Writer::Commit() {
  if (fd_ < 0) return absl::FailedPreconditionError("upload already finished");
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(hash_->ctx, digest, &length);
  const std::string sha =
      absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), length));
  if (::fsync(fd_) != 0) return ErrnoStatus("fsync upload");
  ::close(fd_);
  fd_ = -1;
  const std::string directory = absl::StrCat(store_->root_, "/", sha.substr(0, 2));
  struct stat st;
  if (::stat(directory.c_str(), &st) != 0) {
    if (absl::Status s = MakeDirectory(directory); !s.ok()) return s;
    if (absl::Status s = SyncDirectory(store_->root_); !s.ok()) return s;
  }
  // Pinned before the file is in place: a removal that has already looked
  // for rows of this content must not take the file this upload is about
  // to record.
  store_->Pin(sha);
  pinned_ = sha;
  // Same name, same bytes: replacing an existing copy changes nothing.
  if (::rename(temp_path_.c_str(), store_->PathFor(sha).c_str()) != 0) {
    return ErrnoStatus("rename upload into place");
  }
  committed_ = true;
  if (absl::Status s = SyncDirectory(directory); !s.ok()) return s;
  return sha;
}

void BlobStore::Pin(const std::string& sha256) {
  absl::MutexLock lock(&mu_);
  ++pins_[sha256];
  if (auto removal = removing_.find(sha256); removal != removing_.end()) removal->second = true;
}

void BlobStore::Unpin(const std::string& sha256) {
  absl::MutexLock lock(&mu_);
  if (auto pin = pins_.find(sha256); pin != pins_.end() && --pin->second == 0) pins_.erase(pin);
}

absl::StatusOr<bool> BlobStore::Remove(absl::string_view sha256,
                                       absl::FunctionRef<absl::StatusOr<bool>()> referenced,
                                       int64_t* freed) {
  if (!IsSha256Hex(sha256)) return absl::InvalidArgumentError("not a content hash");
  const std::string sha(sha256);
  {
    absl::MutexLock lock(&mu_);
    if (pins_.contains(sha)) return false;
    // Another removal of the same content is under way: it decides.
    if (!removing_.emplace(sha, false).second) return false;
  }
  // Asked without the lock: uploads must not wait for the database.
  const absl::StatusOr<bool> in_use = referenced();
  absl::MutexLock lock(&mu_);
  const auto removal = removing_.find(sha);
  const bool pinned_meanwhile = removal->second;
  removing_.erase(removal);
  if (!in_use.ok()) return in_use.status();
  if (*in_use || pinned_meanwhile || pins_.contains(sha)) return false;
  // Unlinked under the lock, so an upload's rename comes before it (and was
  // seen above) or after it (and puts the file back).
  const std::string path = PathFor(sha);
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return false;
    return ErrnoStatus("stat stored content");
  }
  // No directory fsync: should the removal not survive a crash, the file is
  // an orphan again and the next sweep takes it.
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT) return false;
    return ErrnoStatus("remove stored content");
  }
  if (freed != nullptr) *freed = static_cast<int64_t>(st.st_size);
  return true;
}

absl::StatusOr<std::vector<BlobStore::Stored>> BlobStore::List(int shard) const {
  if (shard < 0 || shard >= kShards) return absl::InvalidArgumentError("no such shard");
  const std::string prefix = absl::StrFormat("%02x", shard);
  const std::string directory = absl::StrCat(root_, "/", prefix);
  std::vector<Stored> out;
  DIR* dir = ::opendir(directory.c_str());
  if (dir == nullptr) {
    // Created with the first file of that shard.
    if (errno == ENOENT) return out;
    return ErrnoStatus(absl::StrCat("opendir ", directory));
  }
  while (const dirent* entry = ::readdir(dir)) {
    const absl::string_view name = entry->d_name;
    // Only what Commit names; anything else here is not ours to judge.
    if (!IsSha256Hex(name) || name.substr(0, 2) != prefix) continue;
    struct stat st;
    if (::lstat(absl::StrCat(directory, "/", name).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      continue;
    }
    out.push_back({std::string(name), absl::TimeFromTimespec(st.st_mtim)});
  }
  ::closedir(dir);
  return out;
}

BlobStore::Reader::~Reader() { ::close(fd_); }

absl::StatusOr<std::string> BlobStore::Reader::Read(size_t max) {
  std::string out(max, '\0');
  while (true) {
    const ssize_t got = ::read(fd_, out.data(), max);
    if (got < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("read stored content");
    }
    out.resize(static_cast<size_t>(got));
    return out;
  }
}

}  // namespace onewindow::intake
