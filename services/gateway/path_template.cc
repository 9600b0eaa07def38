#include "services/gateway/path_template.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace onewindow::gateway {
namespace {

// RFC 3986 pchar without '%': templates hold plain text, so an escape in a
// literal would only invite double-decoding confusion.
bool IsLiteralChar(char c) {
  if (absl::ascii_isalnum(static_cast<unsigned char>(c))) return true;
  switch (c) {
    case '-':
    case '.':
    case '_':
    case '~':
    case '!':
    case '$':
    case '&':
    case '\'':
    case '(':
    case ')':
    case '*':
    case '+':
    case ',':
    case ';':
    case '=':
    case ':':
    case '@':
      return true;
    default:
      return false;
  }
}

bool IsIdentifier(absl::string_view s) {
  if (s.empty()) return false;
  if (!absl::ascii_isalpha(static_cast<unsigned char>(s[0])) && s[0] != '_') return false;
  for (char c : s) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

absl::StatusOr<PathTemplate> PathTemplate::Parse(absl::string_view text) {
  auto error = [text](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("path template \"", text, "\": ", why));
  };
  if (text.empty() || text[0] != '/') return error("must start with '/'");
  PathTemplate result;
  result.text_ = std::string(text);
  if (text == "/") return result;

  absl::flat_hash_set<std::string> seen;
  for (absl::string_view segment : absl::StrSplit(text.substr(1), '/')) {
    if (segment.empty()) return error("has an empty segment (\"//\" or a trailing '/')");
    if (segment.front() == '{') {
      if (segment.size() < 2 || segment.back() != '}') {
        return error("a variable must fill its whole segment, as in /{name}/");
      }
      absl::string_view name = segment.substr(1, segment.size() - 2);
      if (name.find('=') != absl::string_view::npos) {
        return error("{name=pattern} variables are not supported");
      }
      for (absl::string_view part : absl::StrSplit(name, '.')) {
        if (!IsIdentifier(part)) {
          return error(absl::StrCat("variable \"", name, "\" is not a field path like a.b_c"));
        }
      }
      if (!seen.insert(std::string(name)).second) {
        return error(absl::StrCat("variable \"", name, "\" appears twice"));
      }
      result.segments_.push_back(Segment{true, std::string(name)});
      continue;
    }
    if (segment == "." || segment == "..") {
      return error("\".\" and \"..\" segments are rewritten by clients and cannot be matched");
    }
    for (char c : segment) {
      if (!IsLiteralChar(c)) {
        return error(absl::StrCat("literal segment \"", segment,
                                  "\" has a character that is not URL-safe or a brace "
                                  "that does not open a whole-segment variable"));
      }
    }
    result.segments_.push_back(Segment{false, std::string(segment)});
  }
  return result;
}

std::vector<std::string> PathTemplate::variables() const {
  std::vector<std::string> out;
  for (const Segment& s : segments_) {
    if (s.is_variable) out.push_back(s.text);
  }
  return out;
}

std::optional<std::vector<PathBinding>> PathTemplate::MatchSegments(
    const std::vector<std::string>& segments) const {
  if (segments.size() != segments_.size()) return std::nullopt;
  std::vector<PathBinding> bindings;
  for (size_t i = 0; i < segments.size(); ++i) {
    const Segment& s = segments_[i];
    if (s.is_variable) {
      if (segments[i].empty()) return std::nullopt;
      bindings.push_back(PathBinding{s.text, segments[i]});
    } else if (segments[i] != s.text) {
      return std::nullopt;
    }
  }
  return bindings;
}

std::optional<std::vector<PathBinding>> PathTemplate::Match(absl::string_view path) const {
  absl::StatusOr<std::vector<std::string>> segments = SplitPath(path);
  if (!segments.ok()) return std::nullopt;
  return MatchSegments(*segments);
}

bool PathTemplate::SameShape(const PathTemplate& other) const {
  if (segments_.size() != other.segments_.size()) return false;
  for (size_t i = 0; i < segments_.size(); ++i) {
    const Segment& a = segments_[i];
    const Segment& b = other.segments_[i];
    if (a.is_variable != b.is_variable) return false;
    if (!a.is_variable && a.text != b.text) return false;
  }
  return true;
}

bool PathTemplate::MoreSpecific(const PathTemplate& a, const PathTemplate& b) {
  const size_t n = std::min(a.segments_.size(), b.segments_.size());
  for (size_t i = 0; i < n; ++i) {
    const bool va = a.segments_[i].is_variable;
    const bool vb = b.segments_[i].is_variable;
    if (va != vb) return !va;
  }
  if (a.segments_.size() != b.segments_.size()) {
    return a.segments_.size() > b.segments_.size();
  }
  return a.text_ < b.text_;
}

absl::StatusOr<std::string> PercentDecode(absl::string_view in, bool plus_as_space) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (in.size() - i < 3) {
        return absl::InvalidArgumentError("'%' not followed by two hex digits");
      }
      const int h = HexValue(in[i + 1]);
      const int l = HexValue(in[i + 2]);
      if (h < 0 || l < 0) {
        return absl::InvalidArgumentError("'%' not followed by two hex digits");
      }
      out.push_back(static_cast<char>(h * 16 + l));
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> SplitPath(absl::string_view path) {
  if (path.empty() || path[0] != '/') {
    return absl::InvalidArgumentError("request path must start with '/'");
  }
  std::vector<std::string> out;
  if (path == "/") return out;
  for (absl::string_view raw : absl::StrSplit(path.substr(1), '/')) {
    absl::StatusOr<std::string> decoded = PercentDecode(raw, /*plus_as_space=*/false);
    if (!decoded.ok()) return decoded.status();
    out.push_back(*std::move(decoded));
  }
  return out;
}

std::pair<absl::string_view, absl::string_view> SplitRequestTarget(absl::string_view target) {
  const size_t hash = target.find('#');
  if (hash != absl::string_view::npos) target = target.substr(0, hash);
  const size_t question = target.find('?');
  if (question == absl::string_view::npos) return {target, absl::string_view()};
  return {target.substr(0, question), target.substr(question + 1)};
}

}  // namespace onewindow::gateway
