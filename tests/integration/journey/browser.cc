#include "tests/integration/journey/browser.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "libs/testing/accounts.h"
#include "libs/testing/json_fields.h"

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
  cookie_ = testing::SessionCookie(login);
  csrf_ = testing::JsonField(login.body, "csrfToken");
  if (cookie_.empty() || csrf_.empty()) {
    FAIL(step << ": the sign-in answer lacks the session cookie or csrfToken; Set-Cookie: "
              << login.header("set-cookie") << "; body: " << Shorten(login.body));
  }
}

}  // namespace onewindow::journey
