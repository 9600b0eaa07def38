#include "libs/auth/token.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/status/macros.h"

namespace onewindow::auth {
namespace {

constexpr absl::string_view kVersion = "v1";

absl::Status Malformed() { return absl::UnauthenticatedError("malformed token"); }

// Everything a well-formed token can contain: base64url plus the separator.
// Checking up front keeps odd bytes (whitespace, padding, NULs) from reaching
// the base64 decoder, which would otherwise skip some of them.
bool IsTokenAlphabet(absl::string_view token) {
  for (char c : token) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
      return false;
    }
  }
  return true;
}

}  // namespace

TokenSigner::TokenSigner(KeyRing keys) : keys_(std::move(keys)) {}

absl::StatusOr<std::string> TokenSigner::Mint(const v1::Principal& principal, absl::Duration ttl,
                                              absl::Time now) const {
  if (principal.kind() == v1::PRINCIPAL_KIND_UNSPECIFIED ||
      !v1::PrincipalKind_IsValid(principal.kind())) {
    return absl::InvalidArgumentError("principal.kind: must be set");
  }
  if (principal.subject().empty()) {
    return absl::InvalidArgumentError("principal.subject: must be set");
  }
  if (ttl < absl::Seconds(1)) {
    return absl::InvalidArgumentError("ttl: must be at least 1 second");
  }
  v1::PrincipalClaims claims;
  *claims.mutable_principal() = principal;
  claims.set_issued_at(absl::ToUnixSeconds(now));
  claims.set_expires_at(absl::ToUnixSeconds(now + ttl));
  std::string serialized;
  if (!claims.SerializeToString(&serialized)) {
    return absl::InternalError("cannot serialize principal claims");
  }
  std::string token = absl::StrCat(kVersion, ".", keys_.current_key_id(), ".",
                                   absl::WebSafeBase64Escape(serialized));
  ASSIGN_OR_RETURN(const std::string mac, keys_.Mac(keys_.current_key_id(), token));
  absl::StrAppend(&token, ".", absl::WebSafeBase64Escape(mac));
  if (token.size() > kMaxTokenBytes) {
    // Verifiers would refuse it; fail here where the cause is visible.
    return absl::InvalidArgumentError("principal: too large for a token");
  }
  return token;
}

TokenVerifier::TokenVerifier(KeyRing keys, absl::Duration max_clock_skew)
    : keys_(std::move(keys)), max_clock_skew_(std::max(max_clock_skew, absl::ZeroDuration())) {}

absl::StatusOr<v1::PrincipalClaims> TokenVerifier::Verify(absl::string_view token,
                                                          absl::Time now) const {
  if (token.empty() || token.size() > kMaxTokenBytes || !IsTokenAlphabet(token)) {
    return Malformed();
  }
  const std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 4 || parts[0] != kVersion || !IsValidKeyId(parts[1]) || parts[2].empty()) {
    return Malformed();
  }
  const absl::string_view key_id = parts[1];
  const absl::string_view mac_text = parts[3];

  // Only the canonical encoding of a 32-byte MAC is accepted, so one token
  // has exactly one spelling (it may be used as a cache or revocation key).
  std::string mac;
  if (!absl::WebSafeBase64Unescape(mac_text, &mac) || mac.size() != KeyRing::kMacBytes ||
      absl::WebSafeBase64Escape(mac) != mac_text) {
    return Malformed();
  }
  if (!keys_.Contains(key_id)) {
    return absl::UnauthenticatedError("unknown key id");
  }
  const absl::string_view signed_part = token.substr(0, token.size() - mac_text.size() - 1);
  ASSIGN_OR_RETURN(const std::string expected, keys_.Mac(key_id, signed_part));
  // Constant time, so response timing does not reveal how much of a forged
  // MAC was right.
  if (CRYPTO_memcmp(expected.data(), mac.data(), KeyRing::kMacBytes) != 0) {
    return absl::UnauthenticatedError("bad signature");
  }

  // Authenticated from here on: only our own signers produced these bytes.
  std::string serialized;
  v1::PrincipalClaims claims;
  if (!absl::WebSafeBase64Unescape(parts[2], &serialized) || !claims.ParseFromString(serialized) ||
      !claims.has_principal() || claims.principal().kind() == v1::PRINCIPAL_KIND_UNSPECIFIED ||
      !v1::PrincipalKind_IsValid(claims.principal().kind()) ||
      claims.principal().subject().empty() || claims.expires_at() <= claims.issued_at()) {
    return Malformed();
  }
  if (now >= absl::FromUnixSeconds(claims.expires_at())) {
    return absl::UnauthenticatedError("token expired");
  }
  if (absl::FromUnixSeconds(claims.issued_at()) > now + max_clock_skew_) {
    return absl::UnauthenticatedError("token not yet valid");
  }
  return claims;
}

}  // namespace onewindow::auth
