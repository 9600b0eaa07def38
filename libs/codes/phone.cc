#include "libs/codes/phone.h"

#include <cstddef>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace onewindow::codes {
namespace {

constexpr size_t kLength = 11;

}  // namespace

absl::Status ValidatePhone(absl::string_view number) {
  if (number.size() != kLength) {
    return absl::InvalidArgumentError(absl::StrCat("mobile number must be ", kLength,
                                                   " digits, got ", number.size(), " characters"));
  }
  for (size_t i = 0; i < kLength; ++i) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(number[i]))) {
      return absl::InvalidArgumentError(
          absl::StrCat("mobile number has a non-digit at position ", i + 1));
    }
  }
  if (number[0] != '1') {
    return absl::InvalidArgumentError("mobile number must start with 1");
  }
  return absl::OkStatus();
}

}  // namespace onewindow::codes
