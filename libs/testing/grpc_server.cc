#include "libs/testing/grpc_server.h"

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace onewindow::testing {

absl::StatusOr<std::unique_ptr<InProcessServer>> InProcessServer::Start(
    const std::vector<grpc::Service*>& services) {
  std::unique_ptr<InProcessServer> server(new InProcessServer());
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &server->port_);
  for (grpc::Service* service : services) builder.RegisterService(service);
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError("cannot start an in-process gRPC server on 127.0.0.1");
  }
  return server;
}

InProcessServer::~InProcessServer() {
  if (server_ != nullptr) server_->Shutdown(absl::ToChronoTime(absl::Now()));
}

std::string InProcessServer::address() const { return absl::StrCat("127.0.0.1:", port_); }

}  // namespace onewindow::testing
