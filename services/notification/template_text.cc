#include "services/notification/template_text.h"

#include "absl/strings/str_cat.h"

namespace onewindow::notification {
namespace {

bool IsNameChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

size_t CharCount(absl::string_view text) {
  size_t n = 0;
  for (char c : text) n += IsContinuationByte(c) ? 0 : 1;
  return n;
}

absl::StatusOr<TemplateText> TemplateText::Parse(absl::string_view text, absl::string_view field) {
  TemplateText parsed;
  std::string literal;
  size_t chars = 0;  // Characters before position i.
  auto flush = [&] {
    if (!literal.empty()) parsed.pieces_.push_back({false, std::move(literal)});
    literal.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (!IsContinuationByte(c)) ++chars;
    if (c == '{' && i + 1 < text.size() && text[i + 1] == '{') {
      literal += '{';
      ++i;
      ++chars;
      continue;
    }
    if (c == '}' && i + 1 < text.size() && text[i + 1] == '}') {
      literal += '}';
      ++i;
      ++chars;
      continue;
    }
    if (c == '}') {
      return absl::InvalidArgumentError(absl::StrCat(
          field, ": '}' at character ", chars, " closes nothing (write }} for a literal brace)"));
    }
    if (c != '{') {
      literal += c;
      continue;
    }
    const size_t close = text.find('}', i + 1);
    if (close == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, ": '{' at character ", chars, " is not closed (write {{ for a literal brace)"));
    }
    const absl::string_view name = text.substr(i + 1, close - i - 1);
    bool valid = !name.empty();
    for (char n : name) valid = valid && IsNameChar(n);
    if (!valid) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": placeholder at character ", chars,
                       " must be a name of a-z, 0-9 and _ inside braces, e.g. {number}"));
    }
    flush();
    parsed.pieces_.push_back({true, std::string(name)});
    parsed.placeholders_.insert(std::string(name));
    chars += name.size() + 1;  // Names are ASCII.
    i = close;
  }
  flush();
  return parsed;
}

std::string TemplateText::Render(const std::map<std::string, std::string>& params,
                                 std::set<std::string>* missing) const {
  std::string out;
  for (const Piece& piece : pieces_) {
    if (!piece.placeholder) {
      out += piece.text;
      continue;
    }
    auto it = params.find(piece.text);
    if (it != params.end()) {
      out += it->second;
    } else if (missing != nullptr) {
      missing->insert(piece.text);
    }
  }
  return out;
}

}  // namespace onewindow::notification
