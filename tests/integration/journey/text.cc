#include "tests/integration/journey/text.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace onewindow::journey {

std::string Shorten(const std::string& text) {
  constexpr size_t kMax = 2000;
  if (text.size() <= kMax) return text;
  size_t cut = kMax;  // the answers are often Chinese
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return absl::StrCat(text.substr(0, cut), "…");
}

std::string UrlEncode(const std::string& text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace onewindow::journey
