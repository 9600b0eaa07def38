#pragma once

#include <google/protobuf/message.h>

#include "absl/status/status.h"
#include "libs/log/logger.h"
#include "onewindow/auth/v1/principal.pb.h"

namespace onewindow::server {

// Whether a call by `principal` is one body reaching data the platform holds
// for citizens and enterprises: staff (in person or through a department's
// API token), operators and platform admins. Such calls are logged as
// access (DOMAIN.md: sharing between bodies "with access logged"); the
// applicants' own calls and the platform's processes calling each other
// are not.
bool IsBodyAccess(const auth::v1::Principal& principal);

// Writes one "access" line: who (kind, account, department, API token id),
// which call (named by its request type) with which record ids, and how it
// ended. Only fields that name records (ending in _id, or number and
// implementation_code) are taken from `request`, which may be null, and
// never a resident id.
void LogAccess(const log::Logger& logger, const auth::v1::Principal& principal,
               const google::protobuf::Message* request, absl::StatusCode code);

}  // namespace onewindow::server
