#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace onewindow::notification {

// Template text: literal text with {placeholder} names (lower-case letters,
// digits and '_'); "{{" and "}}" stand for literal braces.
class TemplateText {
 public:
  // INVALID_ARGUMENT naming `field` and the character position (counted in
  // characters from 1) of an unclosed '{', a stray '}' or a malformed name.
  static absl::StatusOr<TemplateText> Parse(absl::string_view text, absl::string_view field);

  const std::set<std::string>& placeholders() const { return placeholders_; }

  // Substitutes `params`. A parameter the event did not carry renders empty
  // and is added to `missing` (if given): the citizen still hears of the
  // event, and the caller counts the gap.
  std::string Render(const std::map<std::string, std::string>& params,
                     std::set<std::string>* missing = nullptr) const;

 private:
  struct Piece {
    bool placeholder = false;
    std::string text;
  };
  std::vector<Piece> pieces_;
  std::set<std::string> placeholders_;
};

// Characters (UTF-8 code points) in `text`.
size_t CharCount(absl::string_view text);

}  // namespace onewindow::notification
