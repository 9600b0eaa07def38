#include "libs/codes/utf8.h"

namespace onewindow::codes {

absl::string_view Utf8Prefix(absl::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t cut = max_bytes;
  // Back to the first byte of the character the cut would split; at most
  // three steps in UTF-8, so a run of stray continuation bytes stops after
  // those rather than eating the whole prefix.
  for (int steps = 0;
       cut > 0 && steps < 3 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80; ++steps) {
    --cut;
  }
  return text.substr(0, cut);
}

}  // namespace onewindow::codes
