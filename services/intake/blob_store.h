#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace onewindow::intake {

// Files stored by their content: <root>/<first two hex digits>/<sha256>.
// A file appears under its final name only complete and on disk: it is
// written under <root>/tmp, fsynced, renamed into place and the directory
// fsynced. Leftovers of a crash mid-upload stay in tmp/, which Open empties,
// so no half file is ever visible. Equal contents share one file, so a file
// may go only once no material names it: see Remove.
class BlobStore {
 public:
  // Creates the directories as needed and removes tmp/ leftovers.
  static absl::StatusOr<std::unique_ptr<BlobStore>> Open(const std::string& root);

  // One file being written. Dropping it uncommitted removes the temp file.
  class Writer {
   public:
    ~Writer();
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;

    absl::Status Append(absl::string_view bytes);
    int64_t size() const { return size_; }
    // The first bytes written (up to 8), for telling the type.
    const std::string& prefix() const { return prefix_; }
    // Where the bytes are until Commit, for checks that read the file.
    const std::string& temp_path() const { return temp_path_; }
    // Makes the file durable under its content's name; returns the
    // lower-case hex SHA-256. The content cannot be removed from then until
    // this writer is dropped, which gives the caller the time to record it.
    absl::StatusOr<std::string> Commit();

   private:
    friend class BlobStore;
    Writer(BlobStore* store, int fd, std::string temp_path);

    BlobStore* store_;
    int fd_;
    std::string temp_path_;
    struct Hash;
    std::unique_ptr<Hash> hash_;
    std::string prefix_;
    int64_t size_ = 0;
    bool committed_ = false;
    std::string pinned_;  // The content committed, kept from removal.
  };

  // A stored file opened for reading.
  class Reader {
   public:
    ~Reader();
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;
    // Up to `max` bytes; empty at the end.
    absl::StatusOr<std::string> Read(size_t max);

   private:
    friend class BlobStore;
    explicit Reader(int fd) : fd_(fd) {}
    int fd_;
  };

  absl::StatusOr<std::unique_ptr<Writer>> NewWriter();
  // NOT_FOUND when no file has that content.
  absl::StatusOr<std::unique_ptr<Reader>> OpenContent(absl::string_view sha256) const;
  std::string PathFor(absl::string_view sha256) const;

  // Removes the file of `sha256` unless `referenced` says a material still
  // names it. An upload committing the same content while this runs keeps
  // the file even when its row came too late for `referenced` to see.
  // Returns whether the file went; `freed` (if given) receives its size.
  absl::StatusOr<bool> Remove(absl::string_view sha256,
                              absl::FunctionRef<absl::StatusOr<bool>()> referenced,
                              int64_t* freed = nullptr);

  // Files are spread over this many directories, named by the first two
  // hex digits of their content's hash.
  static constexpr int kShards = 256;
  struct Stored {
    std::string sha256;
    absl::Time modified;
  };
  // The files in directory `shard` (0 to kShards - 1): a sweep looks at one
  // directory at a time rather than at millions of files at once.
  absl::StatusOr<std::vector<Stored>> List(int shard) const;

 private:
  explicit BlobStore(std::string root) : root_(std::move(root)) {}
  void Pin(const std::string& sha256);
  void Unpin(const std::string& sha256);

  const std::string root_;
  absl::Mutex mu_;
  // Contents committed by uploads not yet done, with how many.
  absl::flat_hash_map<std::string, int> pins_ ABSL_GUARDED_BY(mu_);
  // Contents being removed, each with whether an upload pinned it since.
  absl::flat_hash_map<std::string, bool> removing_ ABSL_GUARDED_BY(mu_);
};

// Whether `text` is 64 lower-case hex digits.
bool IsSha256Hex(absl::string_view text);

}  // namespace onewindow::intake
