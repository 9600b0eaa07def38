#pragma once

#include <string>

#include <google/protobuf/message.h>

#include "absl/status/statusor.h"

namespace onewindow::intake {

// SHA-256 (hex) of what a request asks for, its request_id field left out,
// to tell a retry from a different request reusing the idempotency key.
// Deterministic serialisation keeps map order fixed. INTERNAL only if
// OpenSSL fails (it allocates a digest context, so out of memory).
absl::StatusOr<std::string> RequestHash(const google::protobuf::Message& request);

}  // namespace onewindow::intake
