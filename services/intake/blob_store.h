#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace onewindow::intake {

// Files stored by their content: <root>/<first two hex digits>/<sha256>.
// A file appears under its final name only complete and on disk: it is
// written under <root>/tmp, fsynced, renamed into place and the directory
// fsynced. Leftovers of a crash mid-upload stay in tmp/, which Open empties,
// so no half file is ever visible. Equal contents share one file.
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
    // lower-case hex SHA-256.
    absl::StatusOr<std::string> Commit();

   private:
    friend class BlobStore;
    Writer(const BlobStore* store, int fd, std::string temp_path);

    const BlobStore* store_;
    int fd_;
    std::string temp_path_;
    struct Hash;
    std::unique_ptr<Hash> hash_;
    std::string prefix_;
    int64_t size_ = 0;
    bool committed_ = false;
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

  absl::StatusOr<std::unique_ptr<Writer>> NewWriter() const;
  // NOT_FOUND when no file has that content.
  absl::StatusOr<std::unique_ptr<Reader>> OpenContent(absl::string_view sha256) const;
  std::string PathFor(absl::string_view sha256) const;

 private:
  explicit BlobStore(std::string root) : root_(std::move(root)) {}
  std::string root_;
};

// Whether `text` is 64 lower-case hex digits.
bool IsSha256Hex(absl::string_view text);

}  // namespace onewindow::intake
