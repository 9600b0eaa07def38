#pragma once

#include <string>

#include "absl/strings/string_view.h"
#include "services/gateway/route_table.h"

namespace onewindow::gateway {

// An OpenAPI 3.0.3 document (compact JSON) for every route in `routes`:
// one operation per route (operationId "Service_Method", tagged with its
// backend), path parameters, query parameters for the request fields that
// neither the path nor the body fills, the JSON body and reply as schema
// references, the shared Error schema for failures, and the session cookie
// as the security scheme of every non-PUBLIC route (with X-CSRF-Token for
// its writes). Schemas come from the message descriptors and follow
// protobuf's JSON mapping (lowerCamelCase, 64-bit integers as strings, enums
// as names, Timestamp as date-time). Object keys come out sorted, so the
// same routes give the same bytes.
//
// The gateway's own endpoints (gateway.cc: /healthz, /readyz, this document
// at /api/openapi.json, sign-in and sign-out under /api/v1/sessions) are
// always described; the other routes served by hand outside the table are
// described when `options` says they are served.
struct OpenApiOptions {
  // MaterialTransfer's file routes (uploads.h): the raw-body upload and the
  // download. The transcoded GetMaterial route comes from the table.
  bool material_transfer = false;
  // The gateway's cap on an upload (HttpLimits::stream_body_bytes).
  size_t max_upload_bytes = 0;
  // GatewayOptions::secure_cookies: the cookie is then __Host-ow_session.
  bool secure_cookies = false;
  // GET /api/v1/ops/traffic (ops_page.h), served with the operators' page.
  bool ops_traffic = false;
  // Open311 GeoReport v2 under /open311/v2/ (open311.h), served when the
  // complaint backend is configured, for this jurisdiction_id.
  bool open311 = false;
  std::string open311_jurisdiction_id;
};
std::string OpenApiDocument(const RouteTable& routes, absl::string_view title,
                            absl::string_view version, const OpenApiOptions& options = {});

}  // namespace onewindow::gateway
