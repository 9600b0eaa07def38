#include "libs/status/proto_json.h"

#include <google/protobuf/util/json_util.h>

namespace onewindow::status {
namespace {

absl::Status FromProtobufStatus(const google::protobuf::util::Status& s) {
  if (s.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(s.code()), std::string(s.message()));
}

}  // namespace

absl::Status JsonToMessage(absl::string_view json, google::protobuf::Message* message,
                           const JsonParseOptions& options) {
  google::protobuf::util::JsonParseOptions parse;
  parse.ignore_unknown_fields = options.ignore_unknown_fields;
  absl::Status s = FromProtobufStatus(google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), message, parse));
  if (!s.ok()) {
    return absl::InvalidArgumentError(std::string(s.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> MessageToJson(const google::protobuf::Message& message,
                                          const JsonPrintOptions& options) {
  google::protobuf::util::JsonPrintOptions print;
  print.always_print_primitive_fields = options.always_print_primitive_fields;
  print.preserve_proto_field_names = options.preserve_proto_field_names;
  print.add_whitespace = options.pretty;
  std::string out;
  absl::Status s =
      FromProtobufStatus(google::protobuf::util::MessageToJsonString(message, &out, print));
  if (!s.ok()) return s;
  return out;
}

}  // namespace onewindow::status
