#pragma once

#include <string>

#include <google/protobuf/message.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/gateway/route_table.h"

namespace onewindow::gateway {

// Builds a route's gRPC request from an HTTP request, in this order:
//  1. the JSON body (protobuf's JSON mapping: lowerCamelCase or proto names;
//     unknown fields and wrong types are errors) into the whole request
//     (body "*") or into the route's body field; an empty body is {}; a route
//     without a body rejects a non-empty one;
//  2. query parameters ("a.b=1", "topic=x&topic=y" for repeated fields,
//     proto or lowerCamelCase names, '+' is a space) into fields neither the
//     body nor the path supplies;
//  3. path bindings, which win over the body for the same field.
// Query and path values: enums by name or number, bools as true/false,
// integers range-checked, bytes as base64, Timestamp/Duration in their JSON
// forms, wrapper types as their value.
// `request` must be of the route's input type; it is cleared first. Every
// input problem is INVALID_ARGUMENT naming the parameter or field and the
// problem (never the offending value, which may be personal data); any byte
// sequence is handled.
absl::Status FillRequest(const RouteMatch& match, absl::string_view query_string,
                         absl::string_view body, google::protobuf::Message* request);

// The standard JSON mapping: lowerCamelCase names, enums by name, 64-bit
// integers as strings, fields with default values left out.
absl::StatusOr<std::string> ToJson(const google::protobuf::Message& message);

// Strict UTF-8: no overlong forms, surrogates or code points past U+10FFFF,
// which is what proto3 string fields require.
bool IsValidUtf8(absl::string_view text);

}  // namespace onewindow::gateway
