#pragma once

// Principals for Stack::Token: who a test's gRPC call claims to be.

#include <string>
#include <vector>

#include "onewindow/auth/v1/principal.pb.h"

namespace onewindow::testing {

// A principal of `kind` with only its subject set: a citizen's account id,
// a service's name, an operator.
auth::v1::Principal MakePrincipal(auth::v1::PrincipalKind kind, const std::string& subject);

// A member of a department's staff holding `roles` there.
auth::v1::Principal StaffPrincipal(const std::string& subject, const std::string& department,
                                   const std::vector<std::string>& roles);

}  // namespace onewindow::testing
