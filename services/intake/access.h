#pragma once

#include "absl/status/status.h"
#include "onewindow/auth/v1/principal.pb.h"
#include "onewindow/intake/v1/intake.pb.h"

namespace onewindow::intake {

// Who sees what in intake. Whoever may not see something gets NOT_FOUND,
// exactly as for something missing, so ids cannot be probed (BOLA).

// Operators and platform admins: they supervise, so they read.
bool IsSupervisor(const auth::v1::Principal& principal);

// Staff acting for `department_id`.
bool ActsForDepartment(const auth::v1::Principal& principal, const std::string& department_id);

// The applicant, whoever submitted it (the window clerk), staff of the
// handling department, supervisors and other OneWindow services (the
// complaint service checks an application before accepting a rating).
absl::Status CheckMayRead(const auth::v1::Principal& principal,
                          const intake::v1::Application& application);

// The query code is a key to the case, not part of it: the applicant, the
// submitter and the handling department (which prints the receipt again)
// see it; supervisors and services, who read everything else, do not.
bool MaySeeQueryCode(const auth::v1::Principal& principal,
                     const intake::v1::Application& application);

}  // namespace onewindow::intake
