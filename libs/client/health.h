#pragma once

#include <memory>
#include <string>

#include <grpcpp/channel.h>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace onewindow::client {

// Asks `channel`'s grpc.health.v1.Health/Check about `service` ("" for the
// whole server). OK only for SERVING; UNAVAILABLE names the state otherwise.
// Blocking; for pollers and tools, not request paths.
absl::Status CheckHealth(grpc::Channel* channel, const std::string& service,
                         absl::Duration timeout);

}  // namespace onewindow::client
