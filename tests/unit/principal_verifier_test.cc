#include "libs/auth/principal_verifier.h"

#include <catch2/catch.hpp>
#include <string>

#include "absl/strings/escaping.h"
#include "libs/auth/keyring.h"
#include "libs/auth/revocation.h"
#include "libs/auth/token.h"

namespace onewindow::auth {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1'780'000'000);

KeyRing Ring(const std::string& key) {
  auto ring = KeyRing::Parse("k1:" + absl::Base64Escape(key));
  REQUIRE(ring.ok());
  return *ring;
}

std::string Mint(const KeyRing& ring, const std::string& api_token_id, absl::Duration ttl) {
  v1::Principal p;
  p.set_kind(v1::STAFF);
  p.set_subject("staff-1");
  p.set_department_id("dept-tax");
  p.set_api_token_id(api_token_id);
  auto token = TokenSigner(ring).Mint(p, ttl, kStart);
  REQUIRE(token.ok());
  return *token;
}

// A verifier whose clock the test moves.
struct Verifier {
  explicit Verifier(const KeyRing& ring) : verifier(ring, &revocations, [this] { return now; }) {}
  absl::Time now = kStart;
  RevocationList revocations;
  HmacPrincipalVerifier verifier;
};

const std::string kKey(32, 'k');

TEST_CASE("a remembered token is still refused from its expiry on") {
  const KeyRing ring = Ring(kKey);
  Verifier v(ring);
  const std::string token = Mint(ring, "", absl::Minutes(5));
  REQUIRE(v.verifier.Verify(token).ok());
  v.now = kStart + absl::Minutes(5) - absl::Seconds(1);
  CHECK(v.verifier.Verify(token).ok());
  v.now = kStart + absl::Minutes(5);
  auto expired = v.verifier.Verify(token);
  REQUIRE_FALSE(expired.ok());
  CHECK(expired.status().code() == absl::StatusCode::kUnauthenticated);
  CHECK(expired.status().message() == "token expired");
}

TEST_CASE("a remembered token derived from an API token is refused once that is revoked") {
  const KeyRing ring = Ring(kKey);
  Verifier v(ring);
  const std::string token = Mint(ring, "api-7", absl::Minutes(5));
  v.revocations.Replace({});  // Identity answered: nothing revoked yet.
  auto first = v.verifier.Verify(token);
  REQUIRE(first.ok());
  CHECK(first->api_token_id() == "api-7");
  v.revocations.Replace({"api-7"});
  auto revoked = v.verifier.Verify(token);
  REQUIRE_FALSE(revoked.ok());
  CHECK(revoked.status().message() == "token revoked");
}

TEST_CASE("an API token is refused as unavailable until revocations have been loaded once") {
  const KeyRing ring = Ring(kKey);
  Verifier v(ring);
  const std::string api = Mint(ring, "api-7", absl::Minutes(5));
  auto early = v.verifier.Verify(api);
  REQUIRE_FALSE(early.ok());
  CHECK(early.status().code() == absl::StatusCode::kUnavailable);
  // Tokens that are not API tokens have nothing to be revoked.
  CHECK(v.verifier.Verify(Mint(ring, "", absl::Minutes(5))).ok());
  v.revocations.Replace({});
  CHECK(v.verifier.Verify(api).ok());
}

TEST_CASE("a token that failed to verify is not remembered as valid") {
  const KeyRing ring = Ring(kKey);
  Verifier v(ring);
  std::string token = Mint(ring, "", absl::Minutes(5));
  token.back() = token.back() == 'A' ? 'B' : 'A';
  CHECK_FALSE(v.verifier.Verify(token).ok());
  CHECK_FALSE(v.verifier.Verify(token).ok());
}

TEST_CASE("a remembered token answers with the principal it was minted for") {
  const KeyRing ring = Ring(kKey);
  Verifier v(ring);
  const std::string token = Mint(ring, "", absl::Minutes(5));
  for (int i = 0; i < 3; ++i) {
    auto p = v.verifier.Verify(token);
    REQUIRE(p.ok());
    CHECK(p->subject() == "staff-1");
    CHECK(p->department_id() == "dept-tax");
  }
}

}  // namespace
}  // namespace onewindow::auth
