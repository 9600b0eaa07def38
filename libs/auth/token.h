#pragma once

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/auth/keyring.h"
#include "onewindow/auth/v1/principal.pb.h"

namespace onewindow::auth {

// Principal tokens carry who is calling from the gateway (or a department
// system's API token) to every backend, which verifies them itself. Format:
//
//   v1.<kid>.<base64url(serialized PrincipalClaims)>.<base64url(HMAC-SHA-256)>
//
// base64url without padding; the MAC covers "v1.<kid>.<payload>" exactly as
// sent, so nothing is parsed before it is authenticated.

// Longer tokens are refused unread; it also keeps them well inside gRPC's
// default metadata limit.
inline constexpr size_t kMaxTokenBytes = 4096;

// How far in the future issued_at may be before a token is refused: clocks of
// the minting and verifying hosts are never quite in step.
inline constexpr absl::Duration kDefaultClockSkew = absl::Seconds(30);

// Mints tokens with the key ring's current key. Thread-safe (const methods on
// immutable state).
class TokenSigner {
 public:
  explicit TokenSigner(KeyRing keys);

  // A token for `principal`, valid from `now` for `ttl` (at least 1 s, as
  // claims hold whole seconds). INVALID_ARGUMENT for a principal without kind
  // or subject, a short ttl, or a principal too big for kMaxTokenBytes.
  absl::StatusOr<std::string> Mint(const v1::Principal& principal, absl::Duration ttl,
                                   absl::Time now) const;

 private:
  KeyRing keys_;
};

// Verifies tokens signed by any key in its ring. Thread-safe.
class TokenVerifier {
 public:
  explicit TokenVerifier(KeyRing keys, absl::Duration max_clock_skew = kDefaultClockSkew);

  // The claims of a valid token. Every failure is UNAUTHENTICATED with a
  // short reason that never echoes the token: "malformed token", "unknown key
  // id", "bad signature", "token expired", "token not yet valid". A token is
  // valid while now < expires_at. INTERNAL only if OpenSSL fails.
  absl::StatusOr<v1::PrincipalClaims> Verify(absl::string_view token, absl::Time now) const;

 private:
  KeyRing keys_;
  absl::Duration max_clock_skew_;
};

}  // namespace onewindow::auth
