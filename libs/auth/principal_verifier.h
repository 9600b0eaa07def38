#pragma once

#include <functional>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/flags/declare.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/auth/revocation.h"
#include "libs/auth/token.h"
#include "libs/server/call.h"

// "kid:base64key,..." — the first key signs, all verify (rotation). Secret.
ABSL_DECLARE_FLAG(std::string, principal_keys);

namespace onewindow::auth {

// The server runner's PrincipalVerifier over HMAC principal tokens. Tokens
// derived from an API token are also checked against `revocations`.
//
// A caller sends the same token on every call until it expires, so tokens
// that verified are remembered until their expiry: a repeat skips the
// base64, the HMAC and the parse. Expiry and revocation are checked on
// every call all the same.
class HmacPrincipalVerifier : public server::PrincipalVerifier {
 public:
  HmacPrincipalVerifier(KeyRing keys, const RevocationList* revocations,
                        std::function<absl::Time()> now = absl::Now)
      : verifier_(std::move(keys)), revocations_(revocations), now_(std::move(now)) {}
  absl::StatusOr<v1::Principal> Verify(absl::string_view token) const override;

 private:
  // Bounds memory against a flood of distinct valid tokens: a full cache
  // starts over.
  static constexpr size_t kMaxRemembered = 10000;

  // The claims of a token that verified, if remembered.
  std::shared_ptr<const v1::PrincipalClaims> Remembered(absl::string_view token) const;

  TokenVerifier verifier_;
  const RevocationList* revocations_;
  const std::function<absl::Time()> now_;
  mutable absl::Mutex mu_;
  // Shared, so a hit (every call of a caller's token but the first) copies
  // a pointer under a reader lock, not the claims under an exclusive one.
  mutable absl::flat_hash_map<std::string, std::shared_ptr<const v1::PrincipalClaims>> verified_
      ABSL_GUARDED_BY(mu_);
};

// Key ring from --principal_keys; FAILED_PRECONDITION naming the flag when
// it is empty or malformed.
absl::StatusOr<KeyRing> KeyRingFromFlags();

// A verifier over KeyRingFromFlags().
absl::StatusOr<std::unique_ptr<server::PrincipalVerifier>> PrincipalVerifierFromFlags(
    const RevocationList* revocations);

}  // namespace onewindow::auth
