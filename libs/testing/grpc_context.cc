#include "libs/testing/grpc_context.h"

#include "libs/server/call.h"
#include "libs/server/request_id.h"

namespace onewindow::testing {

std::unique_ptr<grpc::ClientContext> CallContext(const CallOptions& options) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + options.timeout));
  if (!options.token.empty()) context->AddMetadata(server::kPrincipalHeader, options.token);
  if (!options.request_id.empty()) {
    context->AddMetadata(server::kRequestIdHeader, options.request_id);
  }
  return context;
}

std::unique_ptr<grpc::ClientContext> TokenContext(const std::string& token,
                                                  absl::Duration timeout) {
  CallOptions options;
  options.token = token;
  options.timeout = timeout;
  return CallContext(options);
}

}  // namespace onewindow::testing
