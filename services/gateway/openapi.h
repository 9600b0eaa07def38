#pragma once

#include <string>

#include "absl/strings/string_view.h"
#include "services/gateway/route_table.h"

namespace onewindow::gateway {

// An OpenAPI 3.0.3 document (compact JSON) for every route in `routes`:
// one operation per route (operationId "Service_Method", tagged with its
// backend), path parameters, query parameters for the request fields that
// neither the path nor the body fills, the JSON body and reply as schema
// references, the shared Error schema for failures, and the ow_session cookie
// as the security scheme of every non-PUBLIC route. Schemas come from the
// message descriptors and follow protobuf's JSON mapping (lowerCamelCase,
// 64-bit integers as strings, enums as names, Timestamp as date-time).
// Object keys come out sorted, so the same routes give the same bytes.
//
// The material file routes, served by hand outside the table, are described
// when `options` says they are served.
struct OpenApiOptions {
  // MaterialTransfer's file routes (uploads.h): the raw-body upload and the
  // download. The transcoded GetMaterial route comes from the table.
  bool material_transfer = false;
  // The gateway's cap on an upload (HttpLimits::stream_body_bytes).
  size_t max_upload_bytes = 0;
};
std::string OpenApiDocument(const RouteTable& routes, absl::string_view title,
                            absl::string_view version, const OpenApiOptions& options = {});

}  // namespace onewindow::gateway
