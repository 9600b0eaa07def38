#pragma once

// Citizens registered and signed in through the gateway's JSON API, as a
// browser would do it.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/testing/http_client.h"

namespace onewindow::testing {

// The password test citizens register with; it passes identity's policy.
inline constexpr char kCitizenPassword[] = "Correct-horse-9";

// A citizen to register.
struct NewCitizen {
  std::string resident_id;  // with a valid check character
  std::string phone;
  std::string name = "李四";
  std::string region_code = "440106001001";
  std::string password = kCitizenPassword;
};

// A signed-in session in the gateway.
struct SignedInCitizen {
  std::string account_id;  // empty when only signed in
  std::string cookie;      // "ow_session=…", as sent back in Cookie
  std::string csrf;        // the X-CSRF-Token writes carry
  // Cookie and X-CSRF-Token, for a signed-in request.
  Headers headers() const { return {{"Cookie", cookie}, {"X-CSRF-Token", csrf}}; }
};

// POST /api/v1/accounts/citizens; the new account's id, or an error naming
// the HTTP status and body of a refusal.
absl::StatusOr<std::string> RegisterCitizen(int gateway_port, const NewCitizen& citizen);

// POST /api/v1/sessions as a citizen, the answer as it came (tests of
// sign-in itself look at its status and headers).
absl::StatusOr<HttpResult> PostCitizenLogin(int gateway_port, const std::string& login_id,
                                            const std::string& password,
                                            const Headers& headers = {});

// The session cookie a sign-in answer sets ("ow_session=…", or
// "__Host-ow_session=…" behind TLS), without its attributes; "" when it
// sets none.
std::string SessionCookie(const HttpResult& login);
// The same from the Set-Cookie header's value.
std::string SessionCookieFrom(absl::string_view set_cookie);

// Signs in with a resident id or phone; an error unless the gateway answers
// 200 with a session.
absl::StatusOr<SignedInCitizen> SignInCitizen(int gateway_port, const std::string& login_id,
                                              const std::string& password = kCitizenPassword);

// Registers `citizen` and signs in as them.
absl::StatusOr<SignedInCitizen> RegisterAndSignIn(int gateway_port, const NewCitizen& citizen);

}  // namespace onewindow::testing
