#include "libs/codes/mask.h"

#include <cstddef>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

#include "libs/codes/phone.h"

namespace onewindow::codes {
namespace {

constexpr size_t kResidentIdLength = 18;
constexpr size_t kPhoneLength = 11;
constexpr size_t kShownPrefix = 3;
constexpr size_t kShownSuffix = 4;

bool InRange(unsigned char c, unsigned char low, unsigned char high) {
  return c >= low && c <= high;
}

// Length in bytes of the UTF-8 character `s` starts with, or 0 when `s` does not start with a
// well-formed one. Strict (RFC 3629): overlong forms, surrogates and code points past U+10FFFF
// are malformed, so no byte sequence can smuggle a second character through a "single" one.
size_t FirstCharLength(absl::string_view s) {
  if (s.empty()) {
    return 0;
  }
  const auto byte = [&s](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) {
    return 1;
  }
  size_t length = 0;
  unsigned char second_low = 0x80;
  unsigned char second_high = 0xBF;
  if (InRange(lead, 0xC2, 0xDF)) {
    length = 2;
  } else if (InRange(lead, 0xE0, 0xEF)) {
    length = 3;
    if (lead == 0xE0) {
      second_low = 0xA0;
    } else if (lead == 0xED) {
      second_high = 0x9F;
    }
  } else if (InRange(lead, 0xF0, 0xF4)) {
    length = 4;
    if (lead == 0xF0) {
      second_low = 0x90;
    } else if (lead == 0xF4) {
      second_high = 0x8F;
    }
  } else {
    return 0;
  }
  if (s.size() < length || !InRange(byte(1), second_low, second_high)) {
    return 0;
  }
  for (size_t i = 2; i < length; ++i) {
    if (!InRange(byte(i), 0x80, 0xBF)) {
      return 0;
    }
  }
  return length;
}

std::optional<size_t> CountChars(absl::string_view s) {
  size_t count = 0;
  while (!s.empty()) {
    const size_t length = FirstCharLength(s);
    if (length == 0) {
      return std::nullopt;
    }
    s.remove_prefix(length);
    ++count;
  }
  return count;
}

std::string MaskAll(absl::string_view s) {
  return std::string(CountChars(s).value_or(s.size()), '*');
}

bool LooksLikeResidentId(absl::string_view id) {
  if (id.size() != kResidentIdLength) {
    return false;
  }
  for (size_t i = 0; i + 1 < kResidentIdLength; ++i) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(id[i]))) {
      return false;
    }
  }
  const char last = id.back();
  return absl::ascii_isdigit(static_cast<unsigned char>(last)) || last == 'X' || last == 'x';
}

}  // namespace

std::string MaskResidentId(absl::string_view id) {
  if (!LooksLikeResidentId(id)) {
    return MaskAll(id);
  }
  std::string masked = absl::StrCat(
      id.substr(0, kShownPrefix), std::string(kResidentIdLength - kShownPrefix - kShownSuffix, '*'),
      id.substr(kResidentIdLength - kShownSuffix));
  masked.back() = absl::ascii_toupper(static_cast<unsigned char>(masked.back()));
  return masked;
}

std::string MaskPhone(absl::string_view phone) {
  if (!ValidatePhone(phone).ok()) {
    return MaskAll(phone);
  }
  return absl::StrCat(phone.substr(0, kShownPrefix),
                      std::string(kPhoneLength - kShownPrefix - kShownSuffix, '*'),
                      phone.substr(kPhoneLength - kShownSuffix));
}

std::string MaskName(absl::string_view name) {
  const std::optional<size_t> count = CountChars(name);
  if (!count.has_value()) {
    return MaskAll(name);
  }
  if (*count <= 1) {
    return std::string(*count, '*');
  }
  return absl::StrCat(name.substr(0, FirstCharLength(name)), std::string(*count - 1, '*'));
}

}  // namespace onewindow::codes
