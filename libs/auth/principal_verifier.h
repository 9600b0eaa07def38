#pragma once

#include <memory>

#include "absl/flags/declare.h"
#include "absl/status/statusor.h"
#include "libs/auth/token.h"
#include "libs/server/call.h"

// "kid:base64key,..." — the first key signs, all verify (rotation). Secret.
ABSL_DECLARE_FLAG(std::string, principal_keys);

namespace onewindow::auth {

// The server runner's PrincipalVerifier over HMAC principal tokens.
class HmacPrincipalVerifier : public server::PrincipalVerifier {
 public:
  explicit HmacPrincipalVerifier(KeyRing keys) : verifier_(std::move(keys)) {}
  absl::StatusOr<v1::Principal> Verify(absl::string_view token) const override;

 private:
  TokenVerifier verifier_;
};

// Key ring from --principal_keys; FAILED_PRECONDITION naming the flag when
// it is empty or malformed.
absl::StatusOr<KeyRing> KeyRingFromFlags();

// A verifier over KeyRingFromFlags().
absl::StatusOr<std::unique_ptr<server::PrincipalVerifier>> PrincipalVerifierFromFlags();

}  // namespace onewindow::auth
