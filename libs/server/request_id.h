#pragma once

#include <string>

#include <grpcpp/server_context.h>

#include "absl/strings/string_view.h"

namespace onewindow::server {

// The metadata key carrying the id that ties one request's log lines
// together across services.
inline constexpr char kRequestIdHeader[] = "x-request-id";

// A fresh 128-bit random id in hex.
std::string NewRequestId();

// True for ids we accept from callers: 1–128 characters of [A-Za-z0-9._-].
// Anything else is replaced, so a client cannot inject text into our logs.
bool IsAcceptableRequestId(absl::string_view id);

// The caller's x-request-id if acceptable, else empty.
std::string IncomingRequestId(const grpc::ServerContextBase& context);

}  // namespace onewindow::server
