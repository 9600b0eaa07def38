#include "tests/integration/journey/text.h"

#include "absl/strings/str_cat.h"

namespace onewindow::journey {

std::string Shorten(const std::string& text) {
  constexpr size_t kMax = 2000;
  if (text.size() <= kMax) return text;
  size_t cut = kMax;  // the answers are often Chinese
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return absl::StrCat(text.substr(0, cut), "…");
}

}  // namespace onewindow::journey
