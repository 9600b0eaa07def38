// Statuses crossing to gRPC: codes kept, messages bounded.
#include <string>

#include <catch2/catch.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/status/grpc_status.h"

namespace onewindow::status {
namespace {

TEST_CASE("a status crosses to gRPC with its code and message") {
  const grpc::Status s = ToGrpcStatus(absl::NotFoundError("application app_1 not found"));
  CHECK(s.error_code() == grpc::NOT_FOUND);
  CHECK(s.error_message() == "application app_1 not found");
  CHECK(ToGrpcStatus(absl::OkStatus()).ok());
  CHECK(FromGrpcStatus(s) == absl::NotFoundError("application app_1 not found"));
}

TEST_CASE("a message too long for a trailer is cut at a character and says how long it was") {
  std::string message = "materials: ";
  while (message.size() < 10000) message += "营业执照缺失；";
  const grpc::Status s = ToGrpcStatus(absl::InvalidArgumentError(message));
  CHECK(s.error_code() == grpc::INVALID_ARGUMENT);
  const std::string& sent = s.error_message();
  CHECK(sent.size() <= kMaxGrpcMessageBytes);
  CHECK(sent.size() > kMaxGrpcMessageBytes - 40);
  CHECK(absl::StartsWith(sent, "materials: 营业执照缺失；"));
  CHECK(absl::EndsWith(sent, absl::StrCat(" … (cut; ", message.size(), " bytes in all)")));
  // Whole characters only: what comes before the note is a prefix of the
  // message ending on a character boundary.
  const std::string kept = sent.substr(0, sent.find(" … (cut;"));
  CHECK(absl::StartsWith(message, kept));
  CHECK((static_cast<unsigned char>(message[kept.size()]) & 0xC0) != 0x80);

  const std::string exactly(kMaxGrpcMessageBytes, 'x');
  CHECK(ToGrpcStatus(absl::InternalError(exactly)).error_message() == exactly);
}

}  // namespace
}  // namespace onewindow::status
