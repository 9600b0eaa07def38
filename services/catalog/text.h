#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace onewindow::catalog {

// Helpers for Chinese text: search and validation count characters (code
// points), never bytes, since one Chinese character is three UTF-8 bytes.

// Appends the code points of `text` to `out`, folding ASCII letters to lower
// case so that "ICP" finds "icp". False (with `out` partly filled) when
// `text` is not valid UTF-8: overlong forms, surrogates and values above
// U+10FFFF are rejected, as the standard requires.
bool DecodeUtf8Folded(absl::string_view text, std::vector<char32_t>* out);

// Code points in `text`, or -1 when it is not valid UTF-8.
int CountCodePoints(absl::string_view text);

// Whether `needle` (already ASCII-lower-case) occurs in `haystack` with
// ASCII letters compared case-insensitively. Byte comparison is exact for
// UTF-8: a valid needle can only match at a character boundary.
bool ContainsFolded(absl::string_view haystack, absl::string_view needle_lower);
bool EqualsFolded(absl::string_view text, absl::string_view other_lower);

// Two code points packed into one key: the unit the search index posts.
inline uint64_t Bigram(char32_t first, char32_t second) {
  return (static_cast<uint64_t>(first) << 32) | static_cast<uint64_t>(second);
}

// Appends the bigrams of consecutive code points of `text` (folded as
// above). Invalid UTF-8 contributes the bigrams decoded before the fault.
void AppendBigrams(absl::string_view text, std::vector<uint64_t>* out);

// Trims ASCII and ideographic (U+3000) spaces at both ends.
absl::string_view TrimSpaces(absl::string_view text);

}  // namespace onewindow::catalog
