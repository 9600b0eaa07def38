#pragma once

#include <string>

#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "services/gateway/http_server.h"

namespace onewindow::gateway {

// HTTP status for a gRPC/absl code (DESIGN.md's table).
int HttpStatusFor(absl::StatusCode code);
// "NOT_FOUND", "INVALID_ARGUMENT", … as used in error bodies.
const char* CodeName(absl::StatusCode code);

// What a client may see of a backend's failure. Transport failures name
// internal addresses, so they become "<backend> unavailable" / "did not
// answer in time"; a backend whose server thread pool is exhausted is
// overloaded, not limiting the client, so it is UNAVAILABLE (503, retry)
// rather than RESOURCE_EXHAUSTED (429). Everything else passes as is.
absl::Status PublicUpstreamError(absl::string_view backend, const absl::Status& error);

// {"error":{"code","message","details"}} with the right HTTP status.
HttpResponse ErrorResponse(const absl::Status& status, unsigned http_version);
// A JSON body with security headers; `personal` adds Cache-Control: no-store.
HttpResponse JsonResponse(int http_status, std::string body, unsigned http_version, bool personal);

}  // namespace onewindow::gateway
