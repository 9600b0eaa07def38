#include "libs/testing/accounts.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "libs/status/macros.h"
#include "libs/status/proto_json.h"
#include "libs/testing/json_fields.h"
#include "onewindow/identity/v1/identity.pb.h"

namespace onewindow::testing {
namespace {

absl::Status Refused(const std::string& what, const HttpResult& r) {
  return absl::FailedPreconditionError(absl::StrCat(what, ": HTTP ", r.status, " ", r.body));
}

}  // namespace

absl::StatusOr<std::string> RegisterCitizen(int gateway_port, const NewCitizen& citizen) {
  // Built from the request message, so the body is the JSON the route
  // documents (camelCase names, escaped strings).
  identity::v1::RegisterCitizenRequest request;
  request.set_resident_id(citizen.resident_id);
  request.set_name(citizen.name);
  request.set_phone(citizen.phone);
  request.set_region_code(citizen.region_code);
  request.set_password(citizen.password);
  ASSIGN_OR_RETURN(const std::string body, status::MessageToJson(request));
  ASSIGN_OR_RETURN(const HttpResult r, HttpPost(gateway_port, "/api/v1/accounts/citizens", body));
  const std::string what = absl::StrCat("register ", citizen.resident_id);
  if (r.status != 200) return Refused(what, r);
  identity::v1::Account account;
  status::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  if (absl::Status s = status::JsonToMessage(r.body, &account, options); !s.ok()) {
    return Refused(absl::StrCat(what, " (", s.message(), ")"), r);
  }
  if (account.id().empty()) return Refused(absl::StrCat(what, " (no account id)"), r);
  return account.id();
}

absl::StatusOr<HttpResult> PostCitizenLogin(int gateway_port, const std::string& login_id,
                                            const std::string& password, const Headers& headers) {
  identity::v1::LoginRequest request;
  request.set_kind(identity::v1::CITIZEN_LOGIN);
  request.set_login_id(login_id);
  request.set_password(password);
  ASSIGN_OR_RETURN(const std::string body, status::MessageToJson(request));
  return HttpPost(gateway_port, "/api/v1/sessions", body, headers);
}

std::string SessionCookie(const HttpResult& login) {
  return SessionCookieFrom(login.header("set-cookie"));
}

std::string SessionCookieFrom(absl::string_view set_cookie) {
  // "ow_session=<id>; Path=/; HttpOnly; …", or __Host-ow_session behind
  // TLS; HttpResult joins repeated Set-Cookie headers with "\n".
  for (absl::string_view line : absl::StrSplit(set_cookie, '\n')) {
    const absl::string_view pair = absl::StripAsciiWhitespace(line.substr(0, line.find(';')));
    const size_t eq = pair.find('=');
    if (eq != absl::string_view::npos && eq + 1 < pair.size() &&
        absl::EndsWith(pair.substr(0, eq), "ow_session")) {
      return std::string(pair);
    }
  }
  return "";
}

absl::StatusOr<SignedInCitizen> SignInCitizen(int gateway_port, const std::string& login_id,
                                              const std::string& password) {
  ASSIGN_OR_RETURN(const HttpResult r, PostCitizenLogin(gateway_port, login_id, password));
  const std::string what = absl::StrCat("sign in ", login_id);
  if (r.status != 200) return Refused(what, r);
  SignedInCitizen citizen;
  citizen.cookie = SessionCookie(r);
  citizen.csrf = JsonField(r.body, "csrfToken");
  if (citizen.cookie.empty() || citizen.csrf.empty()) {
    return Refused(absl::StrCat(what, " (no session cookie or csrfToken)"), r);
  }
  return citizen;
}

absl::StatusOr<SignedInCitizen> RegisterAndSignIn(int gateway_port, const NewCitizen& citizen) {
  ASSIGN_OR_RETURN(std::string account_id, RegisterCitizen(gateway_port, citizen));
  ASSIGN_OR_RETURN(SignedInCitizen signed_in,
                   SignInCitizen(gateway_port, citizen.resident_id, citizen.password));
  signed_in.account_id = std::move(account_id);
  return signed_in;
}

}  // namespace onewindow::testing
