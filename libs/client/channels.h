#pragma once

#include <memory>
#include <string>

#include <grpcpp/channel.h>

#include "absl/flags/declare.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

// Addresses of the backends, OW_<SERVICE>_ADDR in the environment.
ABSL_DECLARE_FLAG(std::string, identity_addr);
ABSL_DECLARE_FLAG(std::string, catalog_addr);
ABSL_DECLARE_FLAG(std::string, intake_addr);
ABSL_DECLARE_FLAG(std::string, approval_addr);
ABSL_DECLARE_FLAG(std::string, notification_addr);
ABSL_DECLARE_FLAG(std::string, complaint_addr);

namespace onewindow::client {

struct ChannelOptions {
  // Applied by the service config to every call that sets no deadline.
  absl::Duration default_timeout = absl::Seconds(5);
  // Attempts for UNAVAILABLE, including the first.
  int max_attempts = 4;
};

// The service config every OneWindow client uses: round_robin across the
// addresses a name resolves to (headless Services on Kubernetes), a default
// timeout, and retries with back-off for UNAVAILABLE only — the one code that
// says the call never ran.
std::string ServiceConfigJson(const ChannelOptions& options);

// A channel to `target` ("host:port" or "dns:///name:port") with that config.
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& target,
                                           const ChannelOptions& options = {});

// Address flag value for a backend by short name ("catalog"), or empty.
std::string AddressOf(absl::string_view service);

}  // namespace onewindow::client
