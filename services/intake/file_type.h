#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace onewindow::intake {

// The file types applicants may upload, told from the content's signature;
// a file's name and declared type prove nothing.
enum class FileType { kUnknown, kPdf, kJpeg, kPng, kOfd };

// Bytes of a file's start that SniffPrefix needs.
inline constexpr size_t kSniffBytes = 8;

// From the first kSniffBytes bytes (fewer only if the file is that short).
// kOfd here means "a ZIP package": only CheckOfdPackage can tell an OFD
// document from any other ZIP file.
FileType SniffPrefix(absl::string_view prefix);

// Whether the ZIP file at `path` is an OFD document (GB/T 33190): its
// central directory lists the package entry "OFD.xml" at the root.
// INVALID_ARGUMENT when it is not, or is not a readable ZIP at all.
absl::Status CheckOfdPackage(const std::string& path);

// "application/pdf", "image/jpeg", "image/png", "application/ofd"; "" for
// kUnknown.
const char* MimeType(FileType type);

}  // namespace onewindow::intake
