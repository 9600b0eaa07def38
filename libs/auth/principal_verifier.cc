#include "libs/auth/principal_verifier.h"

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

ABSL_FLAG(std::string, principal_keys, "",
          "Principal token keys as kid:base64key,... (first signs); secret");

namespace onewindow::auth {

absl::StatusOr<v1::Principal> HmacPrincipalVerifier::Verify(absl::string_view token) const {
  absl::StatusOr<v1::PrincipalClaims> claims = verifier_.Verify(token, absl::Now());
  if (!claims.ok()) return claims.status();
  const std::string& api_token_id = claims->principal().api_token_id();
  if (!api_token_id.empty() && revocations_ != nullptr && revocations_->IsRevoked(api_token_id)) {
    return absl::UnauthenticatedError("token revoked");
  }
  return claims->principal();
}

absl::StatusOr<KeyRing> KeyRingFromFlags() {
  const std::string config = absl::GetFlag(FLAGS_principal_keys);
  if (config.empty()) {
    return absl::FailedPreconditionError(
        "missing required configuration: --principal_keys (OW_PRINCIPAL_KEYS)");
  }
  absl::StatusOr<KeyRing> keys = KeyRing::Parse(config);
  if (!keys.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("--principal_keys (OW_PRINCIPAL_KEYS): ", keys.status().message()));
  }
  return keys;
}

absl::StatusOr<std::unique_ptr<server::PrincipalVerifier>> PrincipalVerifierFromFlags(
    const RevocationList* revocations) {
  absl::StatusOr<KeyRing> keys = KeyRingFromFlags();
  if (!keys.ok()) return keys.status();
  return std::unique_ptr<server::PrincipalVerifier>(
      std::make_unique<HmacPrincipalVerifier>(*std::move(keys), revocations));
}

}  // namespace onewindow::auth
