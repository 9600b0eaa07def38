#pragma once

#include <string>

#include <google/protobuf/message.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace onewindow::status {

// Protobuf 3.21's JSON utilities return protobuf's own util::Status; these
// wrap them once so callers only see absl::Status.

struct JsonParseOptions {
  bool ignore_unknown_fields = false;
};

absl::Status JsonToMessage(absl::string_view json, google::protobuf::Message* message,
                           const JsonParseOptions& options = {});

struct JsonPrintOptions {
  bool always_print_primitive_fields = false;
  bool preserve_proto_field_names = false;
  bool pretty = false;
};

absl::StatusOr<std::string> MessageToJson(const google::protobuf::Message& message,
                                          const JsonPrintOptions& options = {});

}  // namespace onewindow::status
