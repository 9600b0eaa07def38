#include "libs/server/service_credentials.h"

#include "absl/time/clock.h"
#include "libs/server/call.h"
#include "libs/server/request_id.h"

namespace onewindow::server {

std::string ServiceCredentials::Token() {
  absl::MutexLock lock(&mu_);
  const absl::Time now = absl::Now();
  if (token_.empty() || now - minted_ > refresh_) {
    token_ = mint_();
    minted_ = now;
  }
  return token_;
}

std::unique_ptr<grpc::ClientContext> ServiceCredentials::Context(absl::Duration timeout,
                                                                 const std::string& request_id) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  const std::string token = Token();
  if (!token.empty()) context->AddMetadata(server::kPrincipalHeader, token);
  if (!request_id.empty()) context->AddMetadata(server::kRequestIdHeader, request_id);
  return context;
}

}  // namespace onewindow::server
