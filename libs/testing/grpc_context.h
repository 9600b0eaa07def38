#pragma once

#include <grpcpp/client_context.h>

#include <memory>
#include <string>

#include "absl/time/time.h"

namespace onewindow::testing {

// What a test or tool sends along with one gRPC call.
struct CallOptions {
  // A principal token (Stack::Token, an API token identity issued); none
  // when empty, as an anonymous caller.
  std::string token;
  // Every call states its deadline, as the services' own clients do.
  absl::Duration timeout = absl::Seconds(10);
  // x-request-id, as the gateway would send it; none when empty.
  std::string request_id;
};

std::unique_ptr<grpc::ClientContext> CallContext(const CallOptions& options);

// The common case: `token` (none when empty) and a deadline `timeout` from now.
std::unique_ptr<grpc::ClientContext> TokenContext(const std::string& token,
                                                  absl::Duration timeout = absl::Seconds(10));

}  // namespace onewindow::testing
