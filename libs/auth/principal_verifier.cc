#include "libs/auth/principal_verifier.h"

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/status/macros.h"

ABSL_FLAG(std::string, principal_keys, "",
          "Principal token keys as kid:base64key,... (first signs); secret");

namespace onewindow::auth {

std::shared_ptr<const v1::PrincipalClaims> HmacPrincipalVerifier::Remembered(
    absl::string_view token) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = verified_.find(token);
  if (it == verified_.end()) return nullptr;
  return it->second;
}

absl::StatusOr<v1::Principal> HmacPrincipalVerifier::Verify(absl::string_view token) const {
  const absl::Time now = now_();
  std::shared_ptr<const v1::PrincipalClaims> claims = Remembered(token);
  if (claims != nullptr) {
    if (now >= absl::FromUnixSeconds(claims->expires_at())) {
      absl::MutexLock lock(&mu_);
      verified_.erase(token);
      return absl::UnauthenticatedError("token expired");
    }
  } else {
    absl::StatusOr<v1::PrincipalClaims> verified = verifier_.Verify(token, now);
    if (!verified.ok()) return verified.status();
    claims = std::make_shared<const v1::PrincipalClaims>(*std::move(verified));
    absl::MutexLock lock(&mu_);
    if (verified_.size() >= kMaxRemembered) verified_.clear();
    verified_.emplace(std::string(token), claims);
  }
  const std::string& api_token_id = claims->principal().api_token_id();
  if (!api_token_id.empty() && revocations_ != nullptr) {
    RETURN_IF_ERROR(revocations_->Check(api_token_id));
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
