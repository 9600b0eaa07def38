#include "services/intake/file_type.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>

namespace onewindow::intake {
namespace {

bool StartsWith(absl::string_view data, const char* magic, size_t n) {
  return data.size() >= n && std::memcmp(data.data(), magic, n) == 0;
}

uint32_t Le32(const unsigned char* p) {
  return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint32_t>(p[3]) << 24);
}
uint16_t Le16(const unsigned char* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }

// pread that fills `n` bytes or fails.
bool ReadAt(int fd, off_t offset, unsigned char* out, size_t n) {
  size_t done = 0;
  while (done < n) {
    const ssize_t got = ::pread(fd, out + done, n - done, offset + static_cast<off_t>(done));
    if (got <= 0) return false;
    done += static_cast<size_t>(got);
  }
  return true;
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

constexpr uint32_t kEndOfCentralDirectory = 0x06054b50;
constexpr uint32_t kCentralDirectoryEntry = 0x02014b50;
constexpr size_t kEocdSize = 22;
constexpr size_t kMaxComment = 0xffff;
constexpr size_t kCentralEntrySize = 46;
// An OFD package has a handful of entries per page; this bounds the walk.
constexpr int kMaxEntries = 100000;

}  // namespace

FileType SniffPrefix(absl::string_view prefix) {
  if (StartsWith(prefix, "%PDF-", 5)) return FileType::kPdf;
  if (StartsWith(prefix, "\xFF\xD8\xFF", 3)) return FileType::kJpeg;
  if (StartsWith(prefix, "\x89PNG\r\n\x1A\n", 8)) return FileType::kPng;
  if (StartsWith(prefix, "PK\x03\x04", 4)) return FileType::kOfd;
  return FileType::kUnknown;
}

const char* MimeType(FileType type) {
  switch (type) {
    case FileType::kPdf:
      return "application/pdf";
    case FileType::kJpeg:
      return "image/jpeg";
    case FileType::kPng:
      return "image/png";
    case FileType::kOfd:
      return "application/ofd";
    case FileType::kUnknown:
      break;
  }
  return "";
}

absl::Status CheckOfdPackage(const std::string& path) {
  const absl::Status not_ofd =
      absl::InvalidArgumentError("content: a ZIP file that is not an OFD document");
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return absl::InternalError("cannot reopen the uploaded file");
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return absl::InternalError("cannot stat the uploaded file");
  const size_t size = static_cast<size_t>(st.st_size);
  if (size < kEocdSize) return not_ofd;
  // The end-of-central-directory record sits in the last 22 bytes plus a
  // comment of up to 64 KiB; search backwards for its signature.
  const size_t tail_size = std::min(size, kEocdSize + kMaxComment);
  std::string tail(tail_size, '\0');
  auto* tail_bytes = reinterpret_cast<unsigned char*>(tail.data());
  if (!ReadAt(fd.get(), static_cast<off_t>(size - tail_size), tail_bytes, tail_size)) {
    return not_ofd;
  }
  size_t eocd = std::string::npos;
  for (size_t i = tail_size - kEocdSize + 1; i-- > 0;) {
    if (Le32(tail_bytes + i) == kEndOfCentralDirectory) {
      eocd = i;
      break;
    }
  }
  if (eocd == std::string::npos) return not_ofd;
  const unsigned char* e = tail_bytes + eocd;
  const int entries = Le16(e + 10);
  const uint32_t directory_size = Le32(e + 12);
  const uint32_t directory_offset = Le32(e + 16);
  if (entries > kMaxEntries || static_cast<uint64_t>(directory_offset) + directory_size > size) {
    return not_ofd;
  }
  std::string directory(directory_size, '\0');
  auto* d = reinterpret_cast<unsigned char*>(directory.data());
  if (!ReadAt(fd.get(), directory_offset, d, directory_size)) return not_ofd;
  size_t at = 0;
  for (int i = 0; i < entries; ++i) {
    if (at + kCentralEntrySize > directory_size || Le32(d + at) != kCentralDirectoryEntry) {
      return not_ofd;
    }
    const size_t name_length = Le16(d + at + 28);
    const size_t extra_length = Le16(d + at + 30);
    const size_t comment_length = Le16(d + at + 32);
    if (at + kCentralEntrySize + name_length > directory_size) return not_ofd;
    const absl::string_view name(directory.data() + at + kCentralEntrySize, name_length);
    if (name == "OFD.xml" || name == "/OFD.xml") return absl::OkStatus();
    at += kCentralEntrySize + name_length + extra_length + comment_length;
  }
  return not_ofd;
}

}  // namespace onewindow::intake
