#pragma once

#include <map>
#include <memory>
#include <string>

#include <grpcpp/generic/generic_stub.h>

#include "absl/time/time.h"
#include "libs/auth/token.h"
#include "libs/log/logger.h"
#include "services/gateway/gateway_metrics.h"
#include "services/gateway/http_server.h"
#include "services/gateway/readiness.h"
#include "services/gateway/route_table.h"

namespace onewindow::gateway {

struct GatewayOptions {
  absl::Duration upstream_timeout = absl::Seconds(5);
  // How long a principal token minted for one backend call lives.
  absl::Duration principal_ttl = absl::Seconds(60);
};

// Answers HTTP: built-in endpoints (/healthz, /readyz, /api/openapi.json)
// and every route the protos declare, transcoded to a gRPC call on the
// callback API so no thread waits on a backend.
class Gateway : public HttpHandler {
 public:
  Gateway(GatewayOptions options, const RouteTable* routes,
          std::map<std::string, std::unique_ptr<grpc::GenericStub>> backends,
          const Readiness* readiness, const auth::TokenSigner* signer, GatewayMetrics* metrics,
          std::string openapi_json, log::Logger logger);

  void Handle(HttpRequest request, const std::string& client_ip,
              std::function<void(HttpResponse)> respond) override;

  // Set on SIGTERM: /readyz answers 503 so balancers drain us first.
  void SetDraining() { draining_.store(true); }

 private:
  struct Pending;
  void CallBackend(std::unique_ptr<Pending> pending);
  HttpResponse Readyz(unsigned version) const;

  const GatewayOptions options_;
  const RouteTable* routes_;
  std::map<std::string, std::unique_ptr<grpc::GenericStub>> backends_;
  const Readiness* readiness_;
  const auth::TokenSigner* signer_;
  GatewayMetrics* metrics_;
  const std::string openapi_json_;
  log::Logger logger_;
  std::atomic<bool> draining_{false};
};

}  // namespace onewindow::gateway
