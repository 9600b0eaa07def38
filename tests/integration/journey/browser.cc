#include "tests/integration/journey/browser.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace onewindow::journey {
namespace {

std::string Describe(const std::string& method, const std::string& target,
                     const absl::StatusOr<testing::HttpResult>& r) {
  if (!r.ok()) return absl::StrCat(method, " ", target, " -> no answer: ", r.status().ToString());
  return absl::StrCat(method, " ", target, " -> HTTP ", r->status, ": ", Shorten(r->body));
}

}  // namespace

Browser::Browser(int gateway_port) : http_(gateway_port, "127.0.0.1", absl::Seconds(15)) {}

testing::HttpResult Browser::Call(const std::string& step, const std::string& method,
                                  const std::string& target, const std::string& body,
                                  testing::Headers headers, int want) {
  if (!cookie_.empty()) {
    headers.emplace_back("Cookie", cookie_);
    headers.emplace_back("X-CSRF-Token", csrf_);
  }
  if (!body.empty() && std::none_of(headers.begin(), headers.end(), [](const auto& h) {
        return absl::EqualsIgnoreCase(h.first, "Content-Type");
      })) {
    headers.emplace_back("Content-Type", "application/json");
  }
  absl::StatusOr<testing::HttpResult> r = http_.Request(method, target, body, headers);
  last_ = Describe(method, target, r);
  if (!r.ok() || r->status != want) FAIL(step << ": expected HTTP " << want << ", got " << last_);
  return *r;
}

void Browser::SignedIn(const std::string& step, const testing::HttpResult& login) {
  // "ow_session=<id>; Path=/; HttpOnly; …" (or __Host-ow_session=…).
  for (absl::string_view line : absl::StrSplit(login.header("set-cookie"), '\n')) {
    const absl::string_view pair = absl::StripAsciiWhitespace(line.substr(0, line.find(';')));
    const size_t eq = pair.find('=');
    if (eq != absl::string_view::npos && absl::EndsWith(pair.substr(0, eq), "ow_session")) {
      cookie_ = std::string(pair);
    }
  }
  const std::string key = "\"csrfToken\":\"";
  const size_t at = login.body.find(key);
  if (at != std::string::npos) {
    const size_t start = at + key.size();
    csrf_ = login.body.substr(start, login.body.find('"', start) - start);
  }
  if (cookie_.empty() || csrf_.empty()) {
    FAIL(step << ": the sign-in answer lacks the session cookie or csrfToken; Set-Cookie: "
              << login.header("set-cookie") << "; body: " << Shorten(login.body));
  }
}

}  // namespace onewindow::journey
