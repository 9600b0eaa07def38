#include "libs/status/grpc_status.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "libs/codes/utf8.h"

namespace onewindow::status {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const absl::string_view message = status.message();
  if (message.size() <= kMaxGrpcMessageBytes) {
    return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(message));
  }
  const std::string tail = absl::StrCat(" … (cut; ", message.size(), " bytes in all)");
  return grpc::Status(
      static_cast<grpc::StatusCode>(status.code()),
      absl::StrCat(codes::Utf8Prefix(message, kMaxGrpcMessageBytes - tail.size()), tail));
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

}  // namespace onewindow::status
