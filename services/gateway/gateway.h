#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <grpcpp/generic/generic_stub.h>
#include <boost/asio/thread_pool.hpp>

#include "absl/time/time.h"
#include "libs/auth/token.h"
#include "libs/log/logger.h"
#include "onewindow/identity/v1/identity.grpc.pb.h"
#include "services/gateway/client_address.h"
#include "services/gateway/gateway_metrics.h"
#include "services/gateway/http_server.h"
#include "services/gateway/open311.h"
#include "services/gateway/ops_page.h"
#include "services/gateway/rate_limiter.h"
#include "services/gateway/readiness.h"
#include "services/gateway/response_cache.h"
#include "services/gateway/route_table.h"
#include "services/gateway/sessions.h"
#include "services/gateway/uploads.h"

namespace onewindow::gateway {

struct GatewayOptions {
  absl::Duration upstream_timeout = absl::Seconds(5);
  // How long a principal token minted for one backend call lives.
  absl::Duration principal_ttl = absl::Seconds(60);
  // Served behind TLS: the cookie gets Secure and the __Host- prefix.
  bool secure_cookies = false;
  // Threads that do the blocking Redis work (sessions, rate limits), so the
  // HTTP threads never wait on Redis.
  int redis_threads = 4;
};

// Everything the gateway needs besides its options.
struct GatewayDeps {
  const RouteTable* routes;
  std::map<std::string, std::unique_ptr<grpc::GenericStub>> backends;
  std::unique_ptr<identity::v1::IdentityService::Stub> identity;
  const Readiness* readiness;
  const auth::TokenSigner* signer;
  SessionStore* sessions;
  RateLimiter* limiter;
  GatewayMetrics* metrics;
  std::string openapi_json;
  // Answers to anonymous GETs of public, non-personal routes; may be null.
  ResponseCache* public_cache = nullptr;
  // Material upload and download (files, not JSON); nullptr: not served.
  MaterialTransfer* materials = nullptr;
  // The operators' page at /ops and its traffic endpoint; nullptr: not served.
  const OpsPage* ops = nullptr;
  // Who a request comes from behind trusted proxies; nullptr: the TCP peer.
  const ClientAddresses* clients = nullptr;
};

// Answers HTTP: built-in endpoints (/healthz, /readyz, /api/openapi.json),
// sign-in and sign-out, and every route the protos declare, transcoded to a
// gRPC call on the callback API so no thread waits on a backend.
class Gateway : public HttpHandler {
 public:
  Gateway(GatewayOptions options, GatewayDeps deps, log::Logger logger);
  ~Gateway() override;

  void Handle(HttpRequest request, const std::string& client_ip,
              std::shared_ptr<Responder> responder) override;
  // Material uploads stream their bodies.
  bool StreamsBody(const HttpRequest& header) const override;
  void HandleStream(HttpRequest request, const std::string& client_ip,
                    std::shared_ptr<BodyReader> body,
                    std::shared_ptr<Responder> responder) override;

  // Set on SIGTERM: /readyz answers 503 so balancers drain us first.
  void SetDraining() { draining_.store(true); }

  struct Exchange;

 private:
  void Admit(HttpRequest request, const std::string& client_ip,
             std::shared_ptr<Responder> responder, std::shared_ptr<BodyReader> body);
  void Process(std::shared_ptr<Exchange> exchange);
  // Serves the material routes (uploads.h); false for any other request.
  bool ServeMaterials(const std::shared_ptr<Exchange>& exchange,
                      const std::optional<Session>& session);
  void Login(std::shared_ptr<Exchange> exchange);
  void Logout(std::shared_ptr<Exchange> exchange, const std::string& session_id);
  void CallBackend(std::shared_ptr<Exchange> exchange, const RouteMatch& match,
                   const std::optional<auth::v1::Principal>& principal);
  HttpResponse Readyz(unsigned version) const;
  // Answers from the public cache when it can; true if it did.
  bool ServeFromCache(const std::shared_ptr<Exchange>& exchange);
  std::string CookieName() const;
  std::string SessionCookie(const std::string& id, absl::Duration max_age) const;

  const GatewayOptions options_;
  GatewayDeps deps_;
  log::Logger logger_;
  boost::asio::thread_pool pool_;
  std::atomic<bool> draining_{false};
  // Open311 GeoReport v2 under /open311/ (open311.h); null without complaint.
  std::unique_ptr<Open311> open311_;
};

}  // namespace onewindow::gateway
