#include "services/notification/contacts.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace onewindow::notification {
namespace {

constexpr size_t kMaxEmailBytes = 254;
constexpr size_t kMaxUrlBytes = 2000;

bool IsEmailChar(char c) {
  return c > ' ' && c < 0x7f && c != '<' && c != '>' && c != '(' && c != ')' && c != ',' &&
         c != ';' && c != ':' && c != '\\' && c != '"' && c != '[' && c != ']';
}

}  // namespace

absl::Status ValidateEmailAddress(absl::string_view address) {
  if (address.size() > kMaxEmailBytes) {
    return absl::InvalidArgumentError(absl::StrCat("longer than ", kMaxEmailBytes, " characters"));
  }
  for (char c : address) {
    if (c != '@' && !IsEmailChar(c)) {
      return absl::InvalidArgumentError("has a character e-mail addresses cannot contain");
    }
  }
  const size_t at = address.find('@');
  if (at == absl::string_view::npos || address.find('@', at + 1) != absl::string_view::npos) {
    return absl::InvalidArgumentError("must contain exactly one @");
  }
  const absl::string_view local = address.substr(0, at);
  const absl::string_view domain = address.substr(at + 1);
  if (local.empty()) return absl::InvalidArgumentError("nothing before the @");
  const size_t dot = domain.find('.');
  if (domain.empty() || dot == 0 || dot == absl::string_view::npos || domain.back() == '.') {
    return absl::InvalidArgumentError("the part after the @ must be a domain such as example.com");
  }
  return absl::OkStatus();
}

std::string MaskEmail(absl::string_view address) {
  if (!ValidateEmailAddress(address).ok()) return std::string(address.size(), '*');
  const size_t at = address.find('@');
  return absl::StrCat(address.substr(0, 1), "***", address.substr(at));
}

absl::StatusOr<HttpUrl> ParseHttpUrl(absl::string_view url) {
  if (url.size() > kMaxUrlBytes) {
    return absl::InvalidArgumentError(absl::StrCat("longer than ", kMaxUrlBytes, " characters"));
  }
  for (char c : url) {
    if (c <= ' ' || c >= 0x7f) {
      return absl::InvalidArgumentError("has spaces, control or non-ASCII characters");
    }
  }
  constexpr absl::string_view kScheme = "http://";
  if (!absl::StartsWithIgnoreCase(url, kScheme)) {
    return absl::InvalidArgumentError("must start with http:// (https is not supported yet)");
  }
  absl::string_view rest = url.substr(kScheme.size());
  const size_t slash = rest.find_first_of("/?#");
  absl::string_view authority = rest.substr(0, slash);
  HttpUrl parsed;
  parsed.target = slash == absl::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (!parsed.target.empty() && parsed.target[0] != '/') parsed.target = "/" + parsed.target;
  const size_t hash = parsed.target.find('#');
  if (hash != std::string::npos) parsed.target.resize(hash);
  if (authority.find('@') != absl::string_view::npos) {
    return absl::InvalidArgumentError("must not carry a user name or password");
  }
  const size_t colon = authority.rfind(':');
  if (colon != absl::string_view::npos && authority.find(']') == absl::string_view::npos) {
    if (!absl::SimpleAtoi(authority.substr(colon + 1), &parsed.port) || parsed.port <= 0 ||
        parsed.port > 65535) {
      return absl::InvalidArgumentError("has a bad port");
    }
    authority = authority.substr(0, colon);
  }
  if (authority.empty()) return absl::InvalidArgumentError("has no host");
  parsed.host = std::string(authority);
  return parsed;
}

}  // namespace onewindow::notification
