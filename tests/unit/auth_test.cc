#include <catch2/catch.hpp>

#include <cstdint>
#include <initializer_list>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "libs/auth/access.h"
#include "libs/auth/keyring.h"
#include "libs/auth/password.h"
#include "libs/auth/random.h"
#include "libs/auth/token.h"
#include "onewindow/auth/v1/principal.pb.h"

namespace {

using onewindow::auth::CheckPasswordPolicy;
using onewindow::auth::HashPassword;
using onewindow::auth::KeyRing;
using onewindow::auth::NeedsRehash;
using onewindow::auth::OwnerCheck;
using onewindow::auth::PasswordParams;
using onewindow::auth::TokenSigner;
using onewindow::auth::TokenVerifier;
using onewindow::auth::VerifyPassword;
namespace v1 = onewindow::auth::v1;

// Fixed, distinct 32-byte test keys so rings can be rebuilt with the same key.
std::string TestKey(char fill) { return absl::Base64Escape(std::string(32, fill)); }
const std::string kKeyA = TestKey('a');
const std::string kKeyB = TestKey('b');

KeyRing MustParse(const std::string& config) {
  auto ring = KeyRing::Parse(config);
  REQUIRE(ring.ok());
  return *std::move(ring);
}

const absl::Time kNow = absl::FromUnixSeconds(1'760'000'000);

v1::Principal Citizen(const std::string& subject) {
  v1::Principal p;
  p.set_kind(v1::CITIZEN);
  p.set_subject(subject);
  p.set_display_name("张三");
  p.set_region_code("110101000000");
  return p;
}

v1::Principal Staff(const std::string& department, std::initializer_list<const char*> roles) {
  v1::Principal p;
  p.set_kind(v1::STAFF);
  p.set_subject("staff-1");
  p.set_department_id(department);
  for (const char* role : roles) {
    p.add_roles(role);
  }
  return p;
}

v1::Principal OfKind(v1::PrincipalKind kind) {
  v1::Principal p;
  p.set_kind(kind);
  p.set_subject(absl::StrCat("subject-", kind));
  return p;
}

std::string MintOrDie(const TokenSigner& signer, const v1::Principal& p,
                      absl::Duration ttl = absl::Minutes(5), absl::Time now = kNow) {
  auto token = signer.Mint(p, ttl, now);
  REQUIRE(token.ok());
  return *token;
}

// Asserts an UNAUTHENTICATED rejection with `reason` that does not echo the token.
void RequireRejected(const TokenVerifier& verifier, const std::string& token,
                     const std::string& reason, absl::Time now = kNow) {
  auto claims = verifier.Verify(token, now);
  REQUIRE_FALSE(claims.ok());
  CHECK(claims.status().code() == absl::StatusCode::kUnauthenticated);
  CHECK(claims.status().message() == reason);
  if (token.size() >= 8) {
    CHECK_FALSE(absl::StrContains(claims.status().message(), token));
  }
}

std::vector<std::string> Parts(const std::string& token) { return absl::StrSplit(token, '.'); }

// Signs an arbitrary payload text the way a signer would, to reach the checks
// that run only after the MAC is accepted.
std::string SignRaw(const KeyRing& ring, const std::string& kid, const std::string& payload_b64) {
  const std::string signed_part = absl::StrCat("v1.", kid, ".", payload_b64);
  auto mac = ring.Mac(kid, signed_part);
  REQUIRE(mac.ok());
  return absl::StrCat(signed_part, ".", absl::WebSafeBase64Escape(*mac));
}

char Flip(char c) { return c == 'A' ? 'B' : 'A'; }

}  // namespace

// ---------------------------------------------------------------- tokens

TEST_CASE("a minted token verifies back to the same principal and validity window") {
  const KeyRing ring = MustParse("k1:" + kKeyA);
  const TokenSigner signer(ring);
  const TokenVerifier verifier(ring);
  v1::Principal staff = Staff("dept-tax", {"clerk", "reviewer"});
  staff.set_api_token_id("api-7");

  const std::string token = MintOrDie(signer, staff, absl::Minutes(5));
  auto claims = verifier.Verify(token, kNow + absl::Minutes(4));
  REQUIRE(claims.ok());
  CHECK(claims->principal().SerializeAsString() == staff.SerializeAsString());
  CHECK(claims->issued_at() == absl::ToUnixSeconds(kNow));
  CHECK(claims->expires_at() == absl::ToUnixSeconds(kNow + absl::Minutes(5)));
}

TEST_CASE("a token is v1, the key id, and two unpadded base64url parts") {
  const TokenSigner signer(MustParse("k1:" + kKeyA));
  const std::string token = MintOrDie(signer, Citizen("c-1"));
  const std::vector<std::string> parts = Parts(token);
  REQUIRE(parts.size() == 4);
  CHECK(parts[0] == "v1");
  CHECK(parts[1] == "k1");
  CHECK(parts[3].size() == 43);  // 32-byte MAC, no padding.
  for (char c : token) {
    CHECK((absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'));
  }
  v1::PrincipalClaims claims;
  std::string serialized;
  REQUIRE(absl::WebSafeBase64Unescape(parts[2], &serialized));
  REQUIRE(claims.ParseFromString(serialized));
  CHECK(claims.principal().subject() == "c-1");
}

TEST_CASE("a token whose payload was altered fails its signature") {
  const KeyRing ring = MustParse("k1:" + kKeyA);
  const TokenVerifier verifier(ring);
  const std::string token = MintOrDie(TokenSigner(ring), Citizen("c-1"));

  // Re-encode a payload naming someone else: a well-formed but unsigned claim.
  std::vector<std::string> parts = Parts(token);
  std::string serialized;
  REQUIRE(absl::WebSafeBase64Unescape(parts[2], &serialized));
  v1::PrincipalClaims claims;
  REQUIRE(claims.ParseFromString(serialized));
  claims.mutable_principal()->set_subject("c-2");
  parts[2] = absl::WebSafeBase64Escape(claims.SerializeAsString());
  RequireRejected(verifier, absl::StrJoin(parts, "."), "bad signature");

  // A single flipped character anywhere in the payload.
  parts = Parts(token);
  parts[2][parts[2].size() / 2] = Flip(parts[2][parts[2].size() / 2]);
  RequireRejected(verifier, absl::StrJoin(parts, "."), "bad signature");
}

TEST_CASE("a token whose MAC was altered fails its signature") {
  const KeyRing ring = MustParse("k1:" + kKeyA);
  const std::string token = MintOrDie(TokenSigner(ring), Citizen("c-1"));
  std::vector<std::string> parts = Parts(token);
  parts[3][0] = Flip(parts[3][0]);
  RequireRejected(TokenVerifier(ring), absl::StrJoin(parts, "."), "bad signature");
}

TEST_CASE("a token relabelled with another key id in the ring fails its signature") {
  const KeyRing ring = MustParse(absl::StrCat("k1:", kKeyA, ",k2:", kKeyB));
  const std::string token = MintOrDie(TokenSigner(ring), Citizen("c-1"));
  std::vector<std::string> parts = Parts(token);
  REQUIRE(parts[1] == "k1");
  parts[1] = "k2";
  RequireRejected(TokenVerifier(ring), absl::StrJoin(parts, "."), "bad signature");
}

TEST_CASE("a token signed with a key id the verifier does not hold is rejected as unknown") {
  const std::string token = MintOrDie(TokenSigner(MustParse("k9:" + kKeyA)), Citizen("c-1"));
  // Same key bytes under another id: the id alone decides.
  RequireRejected(TokenVerifier(MustParse("k1:" + kKeyA)), token, "unknown key id");
}

TEST_CASE("a token signed by another ring's key of the same id fails its signature") {
  const std::string token = MintOrDie(TokenSigner(KeyRing::Generate()), Citizen("c-1"));
  RequireRejected(TokenVerifier(KeyRing::Generate()), token, "bad signature");
}

TEST_CASE("a token is valid until its expiry second and rejected from then on") {
  const KeyRing ring = MustParse("k1:" + kKeyA);
  const TokenVerifier verifier(ring);
  const std::string token = MintOrDie(TokenSigner(ring), Citizen("c-1"), absl::Minutes(5));
  CHECK(verifier.Verify(token, kNow + absl::Minutes(5) - absl::Seconds(1)).ok());
  RequireRejected(verifier, token, "token expired", kNow + absl::Minutes(5));
  RequireRejected(verifier, token, "token expired", kNow + absl::Hours(24));
}

TEST_CASE("a token issued slightly in the future is accepted within the clock skew only") {
  const KeyRing ring = MustParse("k1:" + kKeyA);
  const TokenSigner signer(ring);
  const TokenVerifier verifier(ring);
  const std::string near =
      MintOrDie(signer, Citizen("c-1"), absl::Minutes(5), kNow + absl::Seconds(30));
  CHECK(verifier.Verify(near, kNow).ok());
  const std::string far =
      MintOrDie(signer, Citizen("c-1"), absl::Minutes(5), kNow + absl::Seconds(31));
  RequireRejected(verifier, far, "token not yet valid");
  // A verifier configured without slack is strict.
  RequireRejected(TokenVerifier(ring, absl::ZeroDuration()), near, "token not yet valid");
}

TEST_CASE("tokens with the wrong shape are rejected as malformed") {
  const KeyRing ring = MustParse("k1:" + kKeyA);
  const TokenVerifier verifier(ring);
  const std::string token = MintOrDie(TokenSigner(ring), Citizen("c-1"));
  const std::vector<std::string> parts = Parts(token);

  SECTION("wrong number of parts") {
    RequireRejected(verifier, "", "malformed token");
    RequireRejected(verifier, absl::StrJoin({parts[0], parts[1], parts[2]}, "."),
                    "malformed token");
    RequireRejected(verifier, token + ".AAAA", "malformed token");
    RequireRejected(verifier, "v1...", "malformed token");
  }
  SECTION("unknown version") {
    RequireRejected(verifier, absl::StrJoin({std::string("v2"), parts[1], parts[2], parts[3]}, "."),
                    "malformed token");
  }
  SECTION("characters outside base64url") {
    RequireRejected(verifier, token + "=", "malformed token");
    RequireRejected(verifier, " " + token, "malformed token");
    std::string with_plus = token;
    with_plus[with_plus.size() - 5] = '+';
    RequireRejected(verifier, with_plus, "malformed token");
  }
  SECTION("a MAC part that is not a 32-byte base64url value") {
    RequireRejected(verifier, absl::StrJoin({parts[0], parts[1], parts[2], std::string("A")}, "."),
                    "malformed token");
    RequireRejected(verifier,
                    absl::StrJoin({parts[0], parts[1], parts[2], parts[3].substr(0, 40)}, "."),
                    "malformed token");
  }
  SECTION("a non-canonical spelling of the right MAC") {
    // The last of 43 characters carries 2 unused bits; setting them decodes
    // to the same bytes, which must not give the token a second spelling.
    std::string mac_text = parts[3];
    const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const size_t index = alphabet.find(mac_text.back());
    REQUIRE(index % 4 == 0);
    mac_text.back() = alphabet[index + 1];
    RequireRejected(verifier, absl::StrJoin({parts[0], parts[1], parts[2], mac_text}, "."),
                    "malformed token");
  }
  SECTION("a signed payload that is not base64url") {
    RequireRejected(verifier, SignRaw(ring, "k1", "A"), "malformed token");
  }
  SECTION("a signed payload that is not PrincipalClaims") {
    RequireRejected(verifier, SignRaw(ring, "k1", absl::WebSafeBase64Escape("\xff\xff\xff")),
                    "malformed token");
  }
  SECTION("signed claims without a principal kind") {
    v1::PrincipalClaims claims;
    claims.mutable_principal()->set_subject("c-1");
    claims.set_issued_at(absl::ToUnixSeconds(kNow));
    claims.set_expires_at(absl::ToUnixSeconds(kNow) + 60);
    RequireRejected(verifier,
                    SignRaw(ring, "k1", absl::WebSafeBase64Escape(claims.SerializeAsString())),
                    "malformed token");
  }
  SECTION("an oversized token") {
    RequireRejected(verifier, token + std::string(onewindow::auth::kMaxTokenBytes, 'A'),
                    "malformed token");
  }
}

TEST_CASE("minting refuses principals without kind or subject and lifetimes under a second") {
  const TokenSigner signer(KeyRing::Generate());
  v1::Principal no_kind = Citizen("c-1");
  no_kind.set_kind(v1::PRINCIPAL_KIND_UNSPECIFIED);
  CHECK(signer.Mint(no_kind, absl::Minutes(5), kNow).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(signer.Mint(Citizen(""), absl::Minutes(5), kNow).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(signer.Mint(Citizen("c-1"), absl::Milliseconds(500), kNow).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(signer.Mint(Citizen("c-1"), -absl::Minutes(5), kNow).status().code() ==
        absl::StatusCode::kInvalidArgument);
  v1::Principal huge = Citizen("c-1");
  huge.set_display_name(std::string(onewindow::auth::kMaxTokenBytes, 'x'));
  CHECK(signer.Mint(huge, absl::Minutes(5), kNow).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("a token from the previous key verifies while that key stays in the ring") {
  const std::string old_token = MintOrDie(TokenSigner(MustParse("old:" + kKeyA)), Citizen("c-1"));

  // Rotation step 1: the new key signs, the old one still verifies.
  const KeyRing rotated = MustParse(absl::StrCat("new:", kKeyB, ",old:", kKeyA));
  CHECK(rotated.current_key_id() == "new");
  const TokenVerifier verifier(rotated);
  CHECK(verifier.Verify(old_token, kNow).ok());
  const std::string new_token = MintOrDie(TokenSigner(rotated), Citizen("c-1"));
  CHECK(Parts(new_token)[1] == "new");
  CHECK(verifier.Verify(new_token, kNow).ok());
}

TEST_CASE("a token signed with a retired key id is rejected as unknown") {
  const std::string old_token = MintOrDie(TokenSigner(MustParse("old:" + kKeyA)), Citizen("c-1"));
  // Rotation step 2: the old key is dropped.
  const TokenVerifier verifier(MustParse("new:" + kKeyB));
  RequireRejected(verifier, old_token, "unknown key id");
}

// ---------------------------------------------------------------- key ring

TEST_CASE("a key ring signs with its first key and knows all of them") {
  const KeyRing ring = MustParse(absl::StrCat(" k1:", kKeyA, " , k2 : ", kKeyB, "\n"));
  CHECK(ring.current_key_id() == "k1");
  CHECK(ring.Contains("k1"));
  CHECK(ring.Contains("k2"));
  CHECK_FALSE(ring.Contains("k3"));
  CHECK(ring.key_ids() == std::vector<std::string>{"k1", "k2"});
}

TEST_CASE("a key ring accepts URL-safe base64 keys") {
  // 0xfb bytes encode to '+' and '/' in standard base64 and '-' '_' in URL-safe.
  const std::string key = absl::WebSafeBase64Escape(std::string(33, '\xfb'));
  REQUIRE(key.find_first_of("-_") != std::string::npos);
  CHECK(KeyRing::Parse("k1:" + key).ok());
}

TEST_CASE("a generated key ring is current under the id dev") {
  const KeyRing ring = KeyRing::Generate();
  CHECK(ring.current_key_id() == "dev");
  const std::string token = MintOrDie(TokenSigner(ring), Citizen("c-1"));
  CHECK(TokenVerifier(ring).Verify(token, kNow).ok());
}

TEST_CASE("key ring errors name the key id but never the key material") {
  const std::string short_key = absl::Base64Escape("0123456789abcdef0123456789abcd");  // 30 bytes
  const std::string secretish = absl::Base64Escape(std::string(32, 's'));

  struct Case {
    std::string config;
    std::string must_mention;
    std::string must_not_mention;
  };
  const std::vector<Case> cases = {
      {"k1:" + short_key, "\"k1\"", short_key},
      {"k1:" + kKeyA + ",k2:" + short_key, "\"k2\"", short_key},
      {"k1:not*base64!" + secretish, "\"k1\"", secretish},
      {"k1:" + kKeyA + ",k1:" + kKeyB, "duplicate key id \"k1\"", kKeyB},
      // A bare key (forgotten id) is described by position, never echoed.
      {secretish, "entry 1", secretish},
      {"k1:" + kKeyA + "," + secretish, "entry 2", secretish},
      // An id that cannot be a token part is not echoed either: it might be
      // key material pasted in the wrong place.
      {secretish.substr(0, 20) + ".x:" + kKeyA, "entry 1", secretish.substr(0, 20)},
      {":" + secretish, "entry 1", secretish},
      {"", "entry 1", "\xff"},
      {"k1:", "\"k1\"", "\xff"},
  };
  for (const Case& c : cases) {
    INFO("config case mentioning " << c.must_mention);
    auto ring = KeyRing::Parse(c.config);
    REQUIRE_FALSE(ring.ok());
    CHECK(ring.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(absl::StrContains(ring.status().message(), c.must_mention));
    CHECK_FALSE(absl::StrContains(ring.status().message(), c.must_not_mention));
    // Nor any recognisable piece of it.
    CHECK_FALSE(absl::StrContains(ring.status().message(), c.must_not_mention.substr(0, 8)));
  }
}

// ---------------------------------------------------------------- passwords

TEST_CASE("an argon2id hash verifies the right password and rejects a wrong one") {
  auto encoded = HashPassword("correct horse 42");
  REQUIRE(encoded.ok());
  auto right = VerifyPassword("correct horse 42", *encoded);
  REQUIRE(right.ok());
  CHECK(*right);
  auto wrong = VerifyPassword("correct horse 43", *encoded);
  REQUIRE(wrong.ok());
  CHECK_FALSE(*wrong);
  auto empty = VerifyPassword("", *encoded);
  REQUIRE(empty.ok());
  CHECK_FALSE(*empty);
}

TEST_CASE("a password hash is standard argon2id with at least m=19456, t=2, p=1") {
  auto encoded = HashPassword("correct horse 42");
  REQUIRE(encoded.ok());
  CHECK(absl::StartsWith(*encoded, "$argon2id$v=19$m=19456,t=2,p=1$"));
  const std::vector<std::string> parts = absl::StrSplit(*encoded, '$');
  REQUIRE(parts.size() == 6);
  const std::vector<std::string> costs = absl::StrSplit(parts[3], ',');
  REQUIRE(costs.size() == 3);
  uint32_t m = 0, t = 0, p = 0;
  REQUIRE(absl::SimpleAtoi(absl::StripPrefix(costs[0], "m="), &m));
  REQUIRE(absl::SimpleAtoi(absl::StripPrefix(costs[1], "t="), &t));
  REQUIRE(absl::SimpleAtoi(absl::StripPrefix(costs[2], "p="), &p));
  CHECK(m >= 19456);
  CHECK(t >= 2);
  CHECK(p >= 1);
  CHECK(parts[4].size() == 22);  // 16-byte salt, unpadded base64.
  CHECK(parts[5].size() == 43);  // 32-byte hash.
}

TEST_CASE("hashing the same password twice gives different salts") {
  auto first = HashPassword("correct horse 42");
  auto second = HashPassword("correct horse 42");
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK(*first != *second);
}

TEST_CASE("hashing refuses parameters weaker than the minimum") {
  PasswordParams weak;
  weak.memory_kib = 4096;
  CHECK(HashPassword("correct horse 42", weak).status().code() ==
        absl::StatusCode::kInvalidArgument);
  weak = PasswordParams{};
  weak.iterations = 1;
  CHECK(HashPassword("correct horse 42", weak).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(
      HashPassword(std::string(onewindow::auth::kMaxPasswordInputBytes + 1, 'x')).status().code() ==
      absl::StatusCode::kInvalidArgument);
}

TEST_CASE("a stronger configured cost is written into the hash and still verifies") {
  PasswordParams params;
  params.memory_kib = 32768;
  params.iterations = 3;
  auto encoded = HashPassword("correct horse 42", params);
  REQUIRE(encoded.ok());
  CHECK(absl::StartsWith(*encoded, "$argon2id$v=19$m=32768,t=3,p=1$"));
  auto ok = VerifyPassword("correct horse 42", *encoded);
  REQUIRE(ok.ok());
  CHECK(*ok);
  CHECK_FALSE(NeedsRehash(*encoded, params));
  CHECK(NeedsRehash(*encoded));
}

TEST_CASE("a corrupt or hostile stored hash is an error, not a wrong password") {
  auto encoded = HashPassword("correct horse 42");
  REQUIRE(encoded.ok());
  const std::string tail = encoded->substr(encoded->find("$", 20));  // "$salt$hash" after costs
  for (const std::string& bad : {
           std::string(""),
           std::string("plaintext"),
           "$argon2i$v=19$m=19456,t=2,p=1" + tail,
           "$argon2id$v=16$m=19456,t=2,p=1" + tail,
           "$argon2id$v=19$m=4194304,t=2,p=1" + tail,  // 4 GiB: refused before allocating
           "$argon2id$v=19$m=19456,t=1000,p=1" + tail,
           "$argon2id$v=19$m=19456,t=2" + tail,
           encoded->substr(0, encoded->size() - 1) + "!",
       }) {
    INFO(bad);
    auto result = VerifyPassword("correct horse 42", bad);
    REQUIRE_FALSE(result.ok());
    CHECK(result.status().code() == absl::StatusCode::kInvalidArgument);
  }
}

TEST_CASE("a hash needs rehashing when its parameters differ from the configured ones") {
  auto encoded = HashPassword("correct horse 42");
  REQUIRE(encoded.ok());
  CHECK_FALSE(NeedsRehash(*encoded));
  PasswordParams stronger;
  stronger.memory_kib = 65536;
  CHECK(NeedsRehash(*encoded, stronger));
  CHECK(NeedsRehash("$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaA"));
  CHECK(NeedsRehash("not a hash"));
  // Short salt or hash from some other tool.
  CHECK(NeedsRehash("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"));
}

TEST_CASE("the password policy wants 8 to 128 bytes of more than one character kind") {
  CHECK(CheckPasswordPolicy("passw0rd").ok());
  CHECK(CheckPasswordPolicy("Password").ok());
  CHECK(CheckPasswordPolicy("correct horse battery staple").ok());  // letters and spaces
  CHECK(CheckPasswordPolicy("我的密码abc").ok());
  CHECK(CheckPasswordPolicy(std::string(64, 'a') + std::string(64, '1')).ok());

  for (const std::string& bad : {
           std::string("pa55wd"),                        // too short
           std::string(65, 'a') + std::string(64, '1'),  // 129 bytes
           std::string("12345678"),                      // digits only
           std::string("abcdefghij"),                    // lowercase only
           std::string("PASSWORD"),                      // uppercase only
           std::string("!@#$%^&*()"),                    // symbols only
           std::string("我的密码我的密码"),              // non-ASCII only
           std::string("passw0rd\n"),                    // control character
           std::string("passw0rd\0x", 10),               // NUL
       }) {
    INFO(absl::CHexEscape(bad));
    const absl::Status status = CheckPasswordPolicy(bad);
    REQUIRE_FALSE(status.ok());
    CHECK(status.code() == absl::StatusCode::kInvalidArgument);
    CHECK(absl::StartsWith(status.message(), "password: "));
    CHECK_FALSE(absl::StrContains(status.message(), bad));
  }
}

// ---------------------------------------------------------------- access

TEST_CASE("role checks look for the exact role and name it when denied") {
  const v1::Principal clerk = Staff("dept-tax", {"clerk"});
  CHECK(onewindow::auth::HasRole(clerk, "clerk"));
  CHECK_FALSE(onewindow::auth::HasRole(clerk, "approver"));
  CHECK_FALSE(onewindow::auth::HasRole(clerk, "Clerk"));
  CHECK(onewindow::auth::RequireRole(clerk, onewindow::auth::kRoleClerk).ok());

  const absl::Status denied = onewindow::auth::RequireRole(clerk, "approver");
  CHECK(denied.code() == absl::StatusCode::kPermissionDenied);
  CHECK(absl::StrContains(denied.message(), "approver"));
}

TEST_CASE("a platform admin without the role cannot approve") {
  CHECK(onewindow::auth::RequireRole(OfKind(v1::PLATFORM_ADMIN), "approver").code() ==
        absl::StatusCode::kPermissionDenied);
}

TEST_CASE("kind checks admit only the listed kinds") {
  CHECK(onewindow::auth::RequireKind(Citizen("c-1"), {v1::CITIZEN, v1::ENTERPRISE}).ok());
  const absl::Status denied = onewindow::auth::RequireKind(Staff("d", {}), {v1::CITIZEN});
  CHECK(denied.code() == absl::StatusCode::kPermissionDenied);
  CHECK(absl::StrContains(denied.message(), "CITIZEN"));
  CHECK(onewindow::auth::RequireKind(OfKind(v1::PRINCIPAL_KIND_UNSPECIFIED),
                                     {v1::PRINCIPAL_KIND_UNSPECIFIED})
            .code() == absl::StatusCode::kPermissionDenied);
  CHECK(onewindow::auth::RequireKind(Citizen("c-1"), {}).code() ==
        absl::StatusCode::kPermissionDenied);
}

TEST_CASE("staff act only for their own department, platform admins for any") {
  using onewindow::auth::RequireDepartment;
  CHECK(RequireDepartment(Staff("dept-tax", {"clerk"}), "dept-tax").ok());
  const absl::Status other = RequireDepartment(Staff("dept-tax", {"clerk"}), "dept-police");
  CHECK(other.code() == absl::StatusCode::kPermissionDenied);
  CHECK(absl::StrContains(other.message(), "dept-police"));
  CHECK(RequireDepartment(OfKind(v1::PLATFORM_ADMIN), "dept-police").ok());
  CHECK(RequireDepartment(Citizen("c-1"), "dept-tax").code() ==
        absl::StatusCode::kPermissionDenied);
  CHECK(RequireDepartment(OfKind(v1::OPERATOR), "dept-tax").code() ==
        absl::StatusCode::kPermissionDenied);
  // An unset department on both sides is not a match.
  CHECK(RequireDepartment(Staff("", {"clerk"}), "").code() == absl::StatusCode::kPermissionDenied);

  v1::Principal api = OfKind(v1::SERVICE);
  api.set_department_id("dept-tax");
  api.set_api_token_id("api-1");
  CHECK(RequireDepartment(api, "dept-tax").ok());
  CHECK(RequireDepartment(api, "dept-police").code() == absl::StatusCode::kPermissionDenied);
}

TEST_CASE("a citizen cannot read another citizen's application: it looks absent") {
  using onewindow::auth::RequireOwner;
  CHECK(RequireOwner(Citizen("c-1"), "c-1").ok());
  const absl::Status other = RequireOwner(Citizen("c-2"), "c-1");
  CHECK(other.code() == absl::StatusCode::kNotFound);
  CHECK_FALSE(absl::StrContains(other.message(), "c-1"));
  // Nor does asking as a supervisor help a citizen.
  CHECK(RequireOwner(Citizen("c-2"), "c-1", OwnerCheck::kOwnerOrSupervisor).code() ==
        absl::StatusCode::kNotFound);
  // An empty owner (a bug upstream) matches nobody, not even an empty subject.
  CHECK(RequireOwner(Citizen(""), "").code() == absl::StatusCode::kNotFound);
}

TEST_CASE("operators and platform admins read owned resources only when the check allows") {
  using onewindow::auth::RequireOwner;
  for (v1::PrincipalKind kind : {v1::OPERATOR, v1::PLATFORM_ADMIN}) {
    INFO(v1::PrincipalKind_Name(kind));
    CHECK(RequireOwner(OfKind(kind), "c-1").code() == absl::StatusCode::kNotFound);
    CHECK(RequireOwner(OfKind(kind), "c-1", OwnerCheck::kOwnerOrSupervisor).ok());
  }
  CHECK(RequireOwner(Staff("dept-tax", {"dept_admin"}), "c-1", OwnerCheck::kOwnerOrSupervisor)
            .code() == absl::StatusCode::kNotFound);
}

// ---------------------------------------------------------------- random

TEST_CASE("session tokens carry 256 bits as unpadded base64url and do not repeat") {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string token = onewindow::auth::RandomToken(32);
    CHECK(token.size() == 43);
    for (char c : token) {
      CHECK((absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'));
    }
    seen.insert(token);
  }
  CHECK(seen.size() == 100);
  CHECK(onewindow::auth::RandomToken().size() == 43);
}

TEST_CASE("random hex has two lowercase hex digits per byte") {
  const std::string hex = onewindow::auth::RandomHex(16);
  CHECK(hex.size() == 32);
  CHECK(hex.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(onewindow::auth::RandomHex(16) != hex);
  CHECK(onewindow::auth::RandomBytes(0).empty());
}

TEST_CASE("a random pool hands out fresh bytes across refills, never the same twice") {
  // Refilled every two ids, and the 40-byte draw spans three refills.
  onewindow::auth::RandomPool pool(16);
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string hex = pool.Hex(8);
    CHECK(hex.size() == 16);
    CHECK(hex.find_first_not_of("0123456789abcdef") == std::string::npos);
    seen.insert(hex);
  }
  CHECK(seen.size() == 100);
  std::vector<uint8_t> first(40, 0), second(40, 0);
  pool.Fill(absl::MakeSpan(first));
  pool.Fill(absl::MakeSpan(second));
  CHECK(first != second);
  CHECK(first != std::vector<uint8_t>(40, 0));
  CHECK(pool.Hex(0).empty());
}
