#include "libs/client/channels.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

ABSL_FLAG(std::string, identity_addr, "127.0.0.1:50050", "identity gRPC address");
ABSL_FLAG(std::string, catalog_addr, "127.0.0.1:50051", "catalog gRPC address");
ABSL_FLAG(std::string, intake_addr, "127.0.0.1:50052", "intake gRPC address");
ABSL_FLAG(std::string, approval_addr, "127.0.0.1:50053", "approval gRPC address");
ABSL_FLAG(std::string, notification_addr, "127.0.0.1:50054", "notification gRPC address");
ABSL_FLAG(std::string, complaint_addr, "127.0.0.1:50055", "complaint gRPC address");

namespace onewindow::client {

std::string ServiceConfigJson(const ChannelOptions& options) {
  return absl::StrFormat(
      R"({"loadBalancingConfig":[{"round_robin":{}}],)"
      R"("methodConfig":[{"name":[{}],"timeout":"%.3fs",)"
      R"("retryPolicy":{"maxAttempts":%d,"initialBackoff":"0.05s","maxBackoff":"1s",)"
      R"("backoffMultiplier":2,"retryableStatusCodes":["UNAVAILABLE"]}}]})",
      absl::ToDoubleSeconds(options.default_timeout), options.max_attempts);
}

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& target,
                                           const ChannelOptions& options) {
  grpc::ChannelArguments args;
  args.SetServiceConfigJSON(ServiceConfigJson(options));
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 1);
  // Reconnect quickly after a backend restarts instead of waiting out the
  // default back-off of up to two minutes.
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
}

std::string AddressOf(absl::string_view service) {
  if (service == "identity") return absl::GetFlag(FLAGS_identity_addr);
  if (service == "catalog") return absl::GetFlag(FLAGS_catalog_addr);
  if (service == "intake") return absl::GetFlag(FLAGS_intake_addr);
  if (service == "approval") return absl::GetFlag(FLAGS_approval_addr);
  if (service == "notification") return absl::GetFlag(FLAGS_notification_addr);
  if (service == "complaint") return absl::GetFlag(FLAGS_complaint_addr);
  return "";
}

}  // namespace onewindow::client
