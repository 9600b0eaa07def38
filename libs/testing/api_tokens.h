#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/testing/stack.h"
#include "onewindow/identity/v1/identity.pb.h"

namespace onewindow::testing {

// What a department's system is issued to log in with.
struct ApiTokenSpec {
  std::string department;  // credit code
  std::string name;        // e.g. "market regulation desk"
  std::vector<std::string> roles;
  int valid_days = 30;
};

// Asks `stack`'s identity, as the platform admin, for an API token; the
// response holds the secret and the token's id (to revoke it).
absl::StatusOr<identity::v1::IssueApiTokenResponse> IssueApiToken(const Stack& stack,
                                                                  const ApiTokenSpec& spec);

}  // namespace onewindow::testing
