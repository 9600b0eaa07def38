#pragma once

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace onewindow::status {

// The two status types share their code numbering; only the carrier differs.
grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace onewindow::status
