#pragma once

#include <functional>
#include <memory>
#include <string>

#include <grpcpp/client_context.h>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace onewindow::server {

// This process's SERVICE principal token for calls to other backends,
// minted again well before it expires rather than once per call: a
// receiver remembers tokens that verified, so one token per minute costs it
// one HMAC check, where a token per call would cost one every call.
class ServiceCredentials {
 public:
  explicit ServiceCredentials(std::function<std::string()> mint,
                              absl::Duration refresh = absl::Minutes(1))
      : mint_(std::move(mint)), refresh_(refresh) {}

  std::string Token();

  // A client context carrying the token and a deadline `timeout` away
  // (plus `request_id`, when there is one, so logs join up).
  std::unique_ptr<grpc::ClientContext> Context(absl::Duration timeout,
                                               const std::string& request_id = "");

 private:
  const std::function<std::string()> mint_;
  const absl::Duration refresh_;
  absl::Mutex mu_;
  std::string token_ ABSL_GUARDED_BY(mu_);
  absl::Time minted_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace onewindow::server
