#pragma once

#include <memory>

#include "absl/flags/declare.h"
#include "absl/status/statusor.h"
#include "libs/auth/revocation.h"
#include "libs/auth/token.h"
#include "libs/server/call.h"

// "kid:base64key,..." — the first key signs, all verify (rotation). Secret.
ABSL_DECLARE_FLAG(std::string, principal_keys);

namespace onewindow::auth {

// The server runner's PrincipalVerifier over HMAC principal tokens. Tokens
// derived from an API token are also checked against `revocations`.
class HmacPrincipalVerifier : public server::PrincipalVerifier {
 public:
  HmacPrincipalVerifier(KeyRing keys, const RevocationList* revocations)
      : verifier_(std::move(keys)), revocations_(revocations) {}
  absl::StatusOr<v1::Principal> Verify(absl::string_view token) const override;

 private:
  TokenVerifier verifier_;
  const RevocationList* revocations_;
};

// Key ring from --principal_keys; FAILED_PRECONDITION naming the flag when
// it is empty or malformed.
absl::StatusOr<KeyRing> KeyRingFromFlags();

// A verifier over KeyRingFromFlags().
absl::StatusOr<std::unique_ptr<server::PrincipalVerifier>> PrincipalVerifierFromFlags(
    const RevocationList* revocations);

}  // namespace onewindow::auth
