#pragma once

#include <cstddef>

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace onewindow::status {

// Longest message ToGrpcStatus sends. It travels percent-encoded in a
// trailer (three bytes for each byte of Chinese), and a client refuses
// trailers past its metadata limit (8 KiB by default) with
// RESOURCE_EXHAUSTED, hiding the message.
inline constexpr size_t kMaxGrpcMessageBytes = 2000;

// The two status types share their code numbering; only the carrier differs.
// A message longer than kMaxGrpcMessageBytes (a problem per entry of a
// huge request, say) is cut at a character boundary and says so.
grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace onewindow::status
