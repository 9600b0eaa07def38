// Sign-in through the gateway: sessions in Redis, cookies, CSRF, rate
// limits, fail-closed behaviour, and who may see what.
#include <signal.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/client/channels.h"
#include "libs/testing/accounts.h"
#include "libs/testing/eventually.h"
#include "libs/testing/grpc_context.h"
#include "libs/testing/http_client.h"
#include "libs/testing/json_fields.h"
#include "libs/testing/principals.h"
#include "libs/testing/stack.h"
#include "onewindow/approval/v1/approval.grpc.pb.h"
#include "onewindow/identity/v1/identity.grpc.pb.h"
#include "tests/integration/require_ok.h"

namespace onewindow {
namespace {

using testing::Headers;
using testing::HttpConnection;
using testing::HttpResult;
using testing::kCitizenPassword;
using testing::RequireOk;
using testing::SignedInCitizen;
using testing::Stack;
using testing::TokenContext;

std::unique_ptr<Stack> StartStack(std::vector<std::string> gateway_flags = {},
                                  int extra_gateways = 0) {
  testing::StackOptions options;
  options.backends = {"identity", "intake", "approval"};
  options.extra_gateways = extra_gateways;
  options.extra_flags["gateway"] = std::move(gateway_flags);
  for (const auto& b : options.backends) options.extra_flags[b] = {"--revocation_poll_seconds=1"};
  return RequireOk(Stack::Start(options));
}

// The gateway's answer to a citizen's sign-in, whatever its status.
HttpResult Login(int port, const std::string& login_id, const std::string& password,
                 const Headers& headers = {}) {
  return RequireOk(testing::PostCitizenLogin(port, login_id, password, headers));
}

SignedInCitizen RegisterAndLogin(int port, const std::string& resident_id,
                                 const std::string& phone) {
  return RequireOk(testing::RegisterAndSignIn(port, {resident_id, phone}));
}

int Status(int port, const std::string& method, const std::string& target, const Headers& headers,
           const std::string& body = "") {
  HttpConnection c(port);
  auto r = c.Request(method, target, body, headers);
  REQUIRE(r.ok());
  return r->status;
}

TEST_CASE("a citizen signs in, sees themself, and signing out ends the session") {
  auto stack = StartStack();
  const int port = stack->gateway_port();
  SignedInCitizen c = RegisterAndLogin(port, "11010519491231002X", "13812341234");
  REQUIRE(absl::StartsWith(c.cookie, "ow_session="));
  HttpResult login = Login(port, "13812341234", kCitizenPassword);  // By phone too.
  CHECK(login.status == 200);
  const std::string set_cookie = login.header("set-cookie");
  CHECK(absl::StrContains(set_cookie, "HttpOnly"));
  CHECK(absl::StrContains(set_cookie, "SameSite=Strict"));
  CHECK(absl::StrContains(set_cookie, "Path=/"));

  auto me = testing::HttpGet(port, "/api/v1/me", {{"Cookie", c.cookie}});
  REQUIRE(me.ok());
  CHECK(me->status == 200);
  CHECK(absl::StrContains(me->body, "11010519491231002X"));  // The owner sees it whole.
  CHECK(me->header("cache-control") == "no-store");

  CHECK(Status(port, "DELETE", "/api/v1/sessions/current", {{"Cookie", c.cookie}}) == 403);
  CHECK(Status(port, "DELETE", "/api/v1/sessions/current",
               {{"Cookie", c.cookie}, {"X-CSRF-Token", c.csrf}}) == 204);
  CHECK(Status(port, "GET", "/api/v1/me", {{"Cookie", c.cookie}}) == 401);
}

TEST_CASE("a wrong password and an unknown account get the same 401") {
  auto stack = StartStack();
  const int port = stack->gateway_port();
  RegisterAndLogin(port, "11010519491231002X", "13812341234");
  HttpResult wrong = Login(port, "11010519491231002X", "Wrong-horse-9");
  HttpResult unknown = Login(port, "110105194912310038", "Wrong-horse-9");
  CHECK(wrong.status == 401);
  CHECK(unknown.status == 401);
  CHECK(testing::JsonField(wrong.body, "message") == testing::JsonField(unknown.body, "message"));
}

TEST_CASE("signing in again rotates the session id and the old id stops working") {
  auto stack = StartStack();
  const int port = stack->gateway_port();
  SignedInCitizen c = RegisterAndLogin(port, "11010519491231002X", "13812341234");
  HttpResult again = Login(port, "11010519491231002X", kCitizenPassword, {{"Cookie", c.cookie}});
  REQUIRE(again.status == 200);
  const std::string rotated = testing::SessionCookie(again);
  CHECK(rotated != c.cookie);
  CHECK(Status(port, "GET", "/api/v1/me", {{"Cookie", c.cookie}}) == 401);
  CHECK(Status(port, "GET", "/api/v1/me", {{"Cookie", rotated}}) == 200);
}

TEST_CASE("a session ends after its idle timeout but use keeps it alive") {
  auto stack = StartStack({"--citizen_idle_seconds=2"});
  const int port = stack->gateway_port();
  SignedInCitizen c = RegisterAndLogin(port, "11010519491231002X", "13812341234");
  for (int i = 0; i < 4; ++i) {
    absl::SleepFor(absl::Seconds(1));
    CHECK(Status(port, "GET", "/api/v1/me", {{"Cookie", c.cookie}}) == 200);
  }
  absl::SleepFor(absl::Milliseconds(2500));
  CHECK(Status(port, "GET", "/api/v1/me", {{"Cookie", c.cookie}}) == 401);
}

TEST_CASE("a session ends at its absolute timeout however busy it is") {
  auto stack = StartStack({"--citizen_idle_seconds=60", "--session_absolute_seconds=3"});
  const int port = stack->gateway_port();
  SignedInCitizen c = RegisterAndLogin(port, "11010519491231002X", "13812341234");
  CHECK(Status(port, "GET", "/api/v1/me", {{"Cookie", c.cookie}}) == 200);
  int last = 200;
  for (int i = 0; i < 8 && last == 200; ++i) {
    absl::SleepFor(absl::Milliseconds(600));
    last = Status(port, "GET", "/api/v1/me", {{"Cookie", c.cookie}});
  }
  CHECK(last == 401);
}

TEST_CASE("a session made at one gateway works at another sharing Redis, and after a restart") {
  auto stack = StartStack({}, /*extra_gateways=*/1);
  SignedInCitizen c = RegisterAndLogin(stack->gateway_port(), "11010519491231002X", "13812341234");
  CHECK(Status(stack->port("gateway2"), "GET", "/api/v1/me", {{"Cookie", c.cookie}}) == 200);
  REQUIRE(stack->Restart("gateway").ok());
  CHECK(Status(stack->gateway_port(), "GET", "/api/v1/me", {{"Cookie", c.cookie}}) == 200);
}

TEST_CASE("with Redis down the gateway answers 503 and never serves anyone anonymously") {
  auto stack = StartStack();
  const int port = stack->gateway_port();
  SignedInCitizen c = RegisterAndLogin(port, "11010519491231002X", "13812341234");
  stack->Stop("redis", SIGKILL);
  CHECK(Status(port, "GET", "/api/v1/me", {{"Cookie", c.cookie}}) == 503);
  CHECK(Status(port, "GET", "/api/v1/inbox", {}) == 503);
  CHECK(Login(port, "11010519491231002X", kCitizenPassword).status == 503);
  REQUIRE(stack->Restart("redis").ok());
  // Redis came back empty: the user signs in again, and that works.
  CHECK(Status(port, "GET", "/api/v1/me", {{"Cookie", c.cookie}}) == 401);
  CHECK(Login(port, "11010519491231002X", kCitizenPassword).status == 200);
}

TEST_CASE("repeated logins from one client are limited with 429 and Retry-After") {
  auto stack = StartStack({"--login_burst_per_client=3", "--login_rate_per_client=0.1"});
  const int port = stack->gateway_port();
  int limited = 0;
  std::string retry_after;
  for (int i = 0; i < 6; ++i) {
    HttpResult r = Login(port, "11010519491231002X", "Wrong-horse-9");
    if (r.status == 429) {
      ++limited;
      retry_after = r.header("retry-after");
    }
  }
  CHECK(limited == 3);
  CHECK(std::stoi(retry_after) >= 1);
}

TEST_CASE("requests per client beyond the bucket get 429") {
  auto stack = StartStack({"--burst_per_client=5", "--rate_per_client=0.01"});
  int limited = 0;
  HttpConnection c(stack->gateway_port());
  for (int i = 0; i < 10; ++i) {
    auto r = c.Request("GET", "/api/v1/regions/440000000000");
    REQUIRE(r.ok());
    if (r->status == 429) ++limited;
  }
  CHECK(limited == 5);
}

// A citizen asking for another citizen's application or material gets 404
// exactly like a missing one: intake_integration_test proves it through the
// gateway (it needs a published item and uploaded materials); the inbox case
// is in notification_test.

TEST_CASE("a department API token acts only for its department and stops working once revoked") {
  auto stack = StartStack();
  auto identity =
      identity::v1::IdentityService::NewStub(client::MakeChannel(stack->Address("identity")));
  auto approval =
      approval::v1::ApprovalService::NewStub(client::MakeChannel(stack->Address("approval")));
  const std::string admin = stack->AdminToken();

  // A 30-day token of dept-a with `role`, as the admin issues it.
  auto token_request = [](const std::string& name, const std::string& role) {
    identity::v1::IssueApiTokenRequest r;
    r.set_name(name);
    r.set_department_id("dept-a");
    r.add_roles(role);
    r.set_valid_days(30);
    return r;
  };
  identity::v1::IssueApiTokenRequest issue = token_request("city system", "approver");
  identity::v1::IssueApiTokenResponse issued;
  REQUIRE(identity->IssueApiToken(TokenContext(admin).get(), issue, &issued).ok());

  // Its own department's queue answers; another department's is refused.
  // (Acting on another department's case: approval_integration_test.)
  approval::v1::ListQueueRequest own;
  approval::v1::ListQueueResponse queue;
  CHECK(approval->ListQueue(TokenContext(issued.secret()).get(), own, &queue).ok());
  // Approval logs the department system's access: which call, whose token.
  CHECK(testing::Eventually([&] {
    const std::string logs = stack->Logs("approval");
    return absl::StrContains(logs, R"("msg":"access","call":"ListQueue")") &&
           absl::StrContains(logs, absl::StrCat(R"("department":"dept-a","api_token":")",
                                                issued.token().token_id(), "\""));
  }));
  approval::v1::ListQueueRequest other;
  other.set_department_id("dept-b");
  CHECK(approval->ListQueue(TokenContext(issued.secret()).get(), other, &queue).error_code() ==
        grpc::PERMISSION_DENIED);

  // The token cannot issue tokens for another department either.
  issue.set_department_id("dept-b");
  CHECK(identity->IssueApiToken(TokenContext(issued.secret()).get(), issue, &issued).error_code() ==
        grpc::PERMISSION_DENIED);

  // Nor can a token with the department's admin role make accounts, which
  // would outlive it.
  identity::v1::IssueApiTokenResponse admin_token;
  REQUIRE(identity
              ->IssueApiToken(TokenContext(admin).get(),
                              token_request("city admin system", "dept_admin"), &admin_token)
              .ok());
  identity::v1::CreateStaffAccountRequest staff;
  staff.set_username("made-by-a-token");
  staff.set_password("Correct-horse-9-battery");
  staff.set_display_name("Token Made");
  staff.set_kind(auth::v1::STAFF);
  staff.set_department_id("dept-a");
  staff.add_roles("dept_admin");
  identity::v1::Account made;
  const grpc::Status by_token =
      identity->CreateStaffAccount(TokenContext(admin_token.secret()).get(), staff, &made);
  CHECK(by_token.error_code() == grpc::PERMISSION_DENIED);
  CHECK(absl::StrContains(by_token.error_message(), "API tokens cannot create accounts"));
  const grpc::Status by_admin =
      identity->CreateStaffAccount(TokenContext(admin).get(), staff, &made);
  INFO(by_admin.error_message());
  CHECK(by_admin.ok());  // The request itself was fine.

  // Nor list its department's tokens, nor revoke another system's (a
  // leaked token must not be able to cut its peers off).
  identity::v1::RevokeApiTokenRequest revoke;
  revoke.set_token_id(issued.token().token_id());
  identity::v1::ApiToken revoked;
  const grpc::Status revoked_by_token =
      identity->RevokeApiToken(TokenContext(admin_token.secret()).get(), revoke, &revoked);
  CHECK(revoked_by_token.error_code() == grpc::PERMISSION_DENIED);
  CHECK(absl::StrContains(revoked_by_token.error_message(), "API tokens cannot revoke"));
  identity::v1::ListApiTokensRequest list;
  identity::v1::ListApiTokensResponse listed;
  CHECK(identity->ListApiTokens(TokenContext(admin_token.secret()).get(), list, &listed)
            .error_code() == grpc::PERMISSION_DENIED);
  CHECK(approval->ListQueue(TokenContext(issued.secret()).get(), own, &queue).ok());

  REQUIRE(identity->RevokeApiToken(TokenContext(admin).get(), revoke, &revoked).ok());
  grpc::StatusCode code = grpc::OK;
  for (int i = 0; i < 50 && code == grpc::OK; ++i) {
    absl::SleepFor(absl::Milliseconds(200));
    code = approval->ListQueue(TokenContext(issued.secret()).get(), own, &queue).error_code();
  }
  CHECK(code == grpc::UNAUTHENTICATED);
}

TEST_CASE("citizens sharing a phone number each sign in by it with their own password") {
  // Seven sign-ins from one address: more than the gateway's login burst.
  auto stack = StartStack({"--login_burst_per_client=20"});
  const int port = stack->gateway_port();
  const std::string phone = "13812341234";
  // A parent registered with their child's phone, as families do.
  testing::NewCitizen child{"11010519491231002X", phone};
  testing::NewCitizen parent{"110105194912310038", phone};
  parent.password = "Other-horse-8-battery";
  REQUIRE(testing::RegisterCitizen(port, child).ok());
  REQUIRE(testing::RegisterCitizen(port, parent).ok());

  auto owner = [&](const std::string& password) {
    SignedInCitizen c = RequireOk(testing::SignInCitizen(port, phone, password));
    auto me = RequireOk(testing::HttpGet(port, "/api/v1/me", {{"Cookie", c.cookie}}));
    return me.body;
  };
  CHECK(absl::StrContains(owner(kCitizenPassword), child.resident_id));
  CHECK(absl::StrContains(owner(parent.password), parent.resident_id));
  CHECK(Login(port, phone, "Wrong-horse-7-battery").status == 401);

  // A third with the child's password too: the phone cannot tell which.
  REQUIRE(testing::RegisterCitizen(port, {"110105194912310011", phone}).ok());
  HttpResult ambiguous = Login(port, phone, kCitizenPassword);
  INFO(ambiguous.body);
  CHECK(ambiguous.status == 409);
  CHECK(absl::StrContains(ambiguous.body, "sign in with your resident ID number"));
  CHECK(absl::StrContains(owner(parent.password), parent.resident_id));
  SignedInCitizen by_id = RequireOk(testing::SignInCitizen(port, child.resident_id));
  CHECK_FALSE(by_id.cookie.empty());

  // Past three accounts the number signs in none of them, even the parent.
  REQUIRE(testing::RegisterCitizen(port, {"110105194912310054", phone}).ok());
  HttpResult crowded = Login(port, phone, parent.password);
  INFO(crowded.body);
  CHECK(crowded.status == 409);
  CHECK(absl::StrContains(crowded.body, "more than 3 accounts share this phone number"));
}

TEST_CASE("identity listening on an address other than 127.0.0.1 still checks API tokens") {
  testing::StackOptions options;
  options.backends = {"identity"};
  options.gateway = false;
  options.redis = false;
  options.hosts["identity"] = "127.0.0.2";
  auto stack = RequireOk(Stack::Start(options));
  auto identity =
      identity::v1::IdentityService::NewStub(client::MakeChannel(stack->Address("identity")));
  identity::v1::IssueApiTokenRequest issue;
  issue.set_name("city system");
  issue.set_department_id("dept-a");
  issue.add_roles("approver");
  issue.set_valid_days(30);
  identity::v1::IssueApiTokenResponse issued;
  REQUIRE(identity->IssueApiToken(TokenContext(stack->AdminToken()).get(), issue, &issued).ok());

  // Identity needs its own revocation list before it can judge the token:
  // until then the answer is UNAVAILABLE.
  identity::v1::ListApiTokensResponse listed;
  grpc::Status answer;
  for (int i = 0; i < 50; ++i) {
    answer = identity->ListApiTokens(TokenContext(issued.secret()).get(), {}, &listed);
    if (answer.error_code() != grpc::UNAVAILABLE) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  INFO(answer.error_message());
  CHECK(answer.error_code() == grpc::PERMISSION_DENIED);
}

// What the gateway sends identity for a citizen signing in from `client_ip`.
identity::v1::LoginRequest CitizenLogin(const std::string& login_id, const std::string& client_ip,
                                        const std::string& password) {
  identity::v1::LoginRequest login;
  login.set_kind(identity::v1::CITIZEN_LOGIN);
  login.set_login_id(login_id);
  login.set_client_ip(client_ip);
  login.set_password(password);
  return login;
}

TEST_CASE("signing in by a shared phone number does not clear that number's failed guesses") {
  auto stack = StartStack();
  const std::string phone = "13812341234";
  // The victim's number, and an account someone else registered on it.
  REQUIRE(testing::RegisterCitizen(stack->gateway_port(), {"11010519491231002X", phone}).ok());
  testing::NewCitizen other{"110105194912310038", phone};
  other.password = "Other-horse-8-battery";
  REQUIRE(testing::RegisterCitizen(stack->gateway_port(), other).ok());
  auto identity =
      identity::v1::IdentityService::NewStub(client::MakeChannel(stack->Address("identity")));
  const std::string token = stack->Token(testing::MakePrincipal(auth::v1::SERVICE, "gateway"));
  identity::v1::LoginResponse response;
  auto attempt = [&](const std::string& password, int from) {
    return identity
        ->Login(TokenContext(token).get(),
                CitizenLogin(phone, absl::StrCat("198.51.100.", from), password), &response)
        .error_code();
  };
  for (int i = 0; i < 4; ++i) CHECK(attempt("Wrong-horse-9", i + 1) == grpc::UNAUTHENTICATED);
  CHECK(attempt(other.password, 10) == grpc::OK);
  CHECK(attempt("Wrong-horse-9", 11) == grpc::UNAUTHENTICATED);
  // Five guesses at the number: it is locked, whoever signed in between.
  CHECK(attempt(kCitizenPassword, 12) == grpc::RESOURCE_EXHAUSTED);
}

TEST_CASE("identity locks a login out after repeated failures, even with the right password") {
  auto stack = StartStack();
  RegisterAndLogin(stack->gateway_port(), "11010519491231002X", "13812341234");
  auto identity =
      identity::v1::IdentityService::NewStub(client::MakeChannel(stack->Address("identity")));
  const std::string token = stack->Token(testing::MakePrincipal(auth::v1::SERVICE, "gateway"));
  identity::v1::LoginRequest login =
      CitizenLogin("11010519491231002X", "192.0.2.7", "Wrong-horse-9");
  identity::v1::LoginResponse response;
  for (int i = 0; i < 5; ++i) {
    CHECK(identity->Login(TokenContext(token).get(), login, &response).error_code() ==
          grpc::UNAUTHENTICATED);
  }
  login.set_password(kCitizenPassword);
  CHECK(identity->Login(TokenContext(token).get(), login, &response).error_code() ==
        grpc::RESOURCE_EXHAUSTED);
  // However the id is written, and from wherever: one count per id as it
  // is looked up.
  RegisterAndLogin(stack->gateway_port(), "110105194912310038", "13912341234");
  identity::v1::LoginRequest spelled;
  spelled.set_kind(identity::v1::CITIZEN_LOGIN);
  spelled.set_password("Wrong-horse-9");
  const char* spellings[] = {"110105194912310038", " 110105194912310038", "110105194912310038 ",
                             "\t110105194912310038", "110105194912310038\n"};
  for (int i = 0; i < 5; ++i) {
    spelled.set_login_id(spellings[i]);
    spelled.set_client_ip(absl::StrCat("198.51.100.", i + 1));
    CHECK(identity->Login(TokenContext(token).get(), spelled, &response).error_code() ==
          grpc::UNAUTHENTICATED);
  }
  spelled.set_login_id("110105194912310038");
  spelled.set_client_ip("198.51.100.99");
  spelled.set_password(kCitizenPassword);
  CHECK(identity->Login(TokenContext(token).get(), spelled, &response).error_code() ==
        grpc::RESOURCE_EXHAUSTED);

  // Only the gateway may ask identity to check passwords.
  CHECK(identity->Login(TokenContext(stack->AdminToken()).get(), login, &response).error_code() ==
        grpc::PERMISSION_DENIED);
}

TEST_CASE("guesses sent at once get no more password checks than the lockout allows") {
  auto stack = StartStack();
  RegisterAndLogin(stack->gateway_port(), "11010519491231002X", "13812341234");
  auto identity =
      identity::v1::IdentityService::NewStub(client::MakeChannel(stack->Address("identity")));
  const std::string token = stack->Token(testing::MakePrincipal(auth::v1::SERVICE, "gateway"));
  constexpr int kGuesses = 12;
  std::vector<grpc::StatusCode> codes(kGuesses);
  std::vector<std::thread> guessers;
  for (int i = 0; i < kGuesses; ++i) {
    guessers.emplace_back([&, i] {
      const identity::v1::LoginRequest login =
          CitizenLogin("11010519491231002X", absl::StrCat("198.51.100.", i + 1),
                       absl::StrCat("Wrong-horse-", i));
      identity::v1::LoginResponse response;
      codes[i] = identity->Login(TokenContext(token).get(), login, &response).error_code();
    });
  }
  for (auto& g : guessers) g.join();
  const int checked =
      static_cast<int>(std::count(codes.begin(), codes.end(), grpc::UNAUTHENTICATED));
  const int refused =
      static_cast<int>(std::count(codes.begin(), codes.end(), grpc::RESOURCE_EXHAUSTED));
  // Five failures lock the account; the rest are refused unchecked.
  CHECK(checked == 5);
  CHECK(refused == kGuesses - 5);
}

}  // namespace
}  // namespace onewindow
