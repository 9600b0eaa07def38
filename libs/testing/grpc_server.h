#pragma once

#include <grpcpp/server.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace onewindow::testing {

// gRPC services served from the test's (or benchmark's) own process on a
// free loopback port: stand-ins for the backends a process under test calls,
// which can count what they are sent and fail on purpose.
class InProcessServer {
 public:
  // Serves `services`, which must outlive the server.
  static absl::StatusOr<std::unique_ptr<InProcessServer>> Start(
      const std::vector<grpc::Service*>& services);
  // Stops at once, cancelling calls still running: a test that ends early
  // must not wait on a caller.
  ~InProcessServer();

  std::string address() const;  // "127.0.0.1:<port>"

 private:
  InProcessServer() = default;

  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

}  // namespace onewindow::testing
