#include "services/catalog/text.h"

#include "absl/strings/ascii.h"
#include "absl/strings/strip.h"

namespace onewindow::catalog {
namespace {

char FoldAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

constexpr absl::string_view kIdeographicSpace = "\xE3\x80\x80";

// Decodes the code point at `*p` (p < end) and advances past it; false on
// malformed input.
bool DecodeNext(const unsigned char*& p, const unsigned char* end, char32_t* out) {
  const unsigned char lead = *p;
  if (lead < 0x80) {
    *out = lead;
    ++p;
    return true;
  }
  int extra;
  char32_t cp;
  char32_t min;
  if ((lead & 0xE0) == 0xC0) {
    extra = 1;
    cp = lead & 0x1F;
    min = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    extra = 2;
    cp = lead & 0x0F;
    min = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    extra = 3;
    cp = lead & 0x07;
    min = 0x10000;
  } else {
    return false;
  }
  if (end - p <= extra) return false;
  for (int i = 1; i <= extra; ++i) {
    if ((p[i] & 0xC0) != 0x80) return false;
    cp = (cp << 6) | (p[i] & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
  *out = cp;
  p += extra + 1;
  return true;
}

}  // namespace

bool DecodeUtf8Folded(absl::string_view text, std::vector<char32_t>* out) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  char32_t cp;
  while (p < end) {
    if (!DecodeNext(p, end, &cp)) return false;
    out->push_back(cp >= 'A' && cp <= 'Z' ? cp - 'A' + 'a' : cp);
  }
  return true;
}

int CountCodePoints(absl::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  int count = 0;
  char32_t cp;
  while (p < end) {
    if (!DecodeNext(p, end, &cp)) return -1;
    ++count;
  }
  return count;
}

bool ContainsFolded(absl::string_view haystack, absl::string_view needle_lower) {
  if (needle_lower.empty()) return true;
  if (needle_lower.size() > haystack.size()) return false;
  const size_t last = haystack.size() - needle_lower.size();
  const char first = needle_lower[0];
  for (size_t i = 0; i <= last; ++i) {
    if (FoldAscii(haystack[i]) != first) continue;
    size_t j = 1;
    while (j < needle_lower.size() && FoldAscii(haystack[i + j]) == needle_lower[j]) ++j;
    if (j == needle_lower.size()) return true;
  }
  return false;
}

bool EqualsFolded(absl::string_view text, absl::string_view other_lower) {
  if (text.size() != other_lower.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (FoldAscii(text[i]) != other_lower[i]) return false;
  }
  return true;
}

void AppendBigrams(absl::string_view text, std::vector<uint64_t>* out) {
  thread_local std::vector<char32_t> cps;
  cps.clear();
  DecodeUtf8Folded(text, &cps);
  for (size_t i = 1; i < cps.size(); ++i) out->push_back(Bigram(cps[i - 1], cps[i]));
}

absl::string_view TrimSpaces(absl::string_view text) {
  for (;;) {
    const size_t before = text.size();
    text = absl::StripAsciiWhitespace(text);
    if (absl::ConsumePrefix(&text, kIdeographicSpace)) continue;
    if (absl::ConsumeSuffix(&text, kIdeographicSpace)) continue;
    if (text.size() == before) return text;
  }
}

}  // namespace onewindow::catalog
