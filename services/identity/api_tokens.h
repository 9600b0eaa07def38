#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/auth/token.h"
#include "libs/store/database.h"
#include "onewindow/identity/v1/identity.pb.h"

namespace onewindow::identity {

// API tokens for department systems. The secret is a principal token of the
// usual form (so backends verify it like any other) whose principal carries
// api_token_id; identity keeps the record and the revocation.
class ApiTokens {
 public:
  ApiTokens(store::Database* db, const auth::TokenSigner* signer) : db_(db), signer_(signer) {}

  absl::StatusOr<identity::v1::IssueApiTokenResponse> Issue(
      const identity::v1::IssueApiTokenRequest& request, const std::string& created_by,
      absl::Time now);
  // Every token of a department, newest first.
  absl::StatusOr<std::vector<identity::v1::ApiToken>> List(const std::string& department_id) const;
  absl::StatusOr<identity::v1::ApiToken> Get(const std::string& token_id) const;
  // Idempotent: revoking twice keeps the first revocation time.
  absl::StatusOr<identity::v1::ApiToken> Revoke(const std::string& token_id, absl::Time now);
  // Revoked tokens that have not expired yet (expired ones fail anyway).
  absl::StatusOr<std::vector<std::string>> RevokedIds(absl::Time now) const;

 private:
  store::Database* db_;
  const auth::TokenSigner* signer_;
};

}  // namespace onewindow::identity
