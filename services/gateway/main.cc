// gateway: HTTP/JSON in front of the backends, sessions in Redis.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/time/clock.h"
#include "libs/auth/principal_verifier.h"
#include "libs/client/channels.h"
#include "libs/config/flags.h"
#include "libs/redis/redis_pool.h"
#include "libs/server/metrics_endpoint.h"
#include "libs/server/periodic.h"
#include "libs/server/signals.h"
#include "onewindow/proto_files.h"
#include "services/gateway/descriptor_limit.h"
#include "services/gateway/gateway.h"
#include "services/gateway/openapi.h"
#include "services/gateway/session_gauge.h"

ABSL_FLAG(std::string, redis_addr, "127.0.0.1:6379", "Redis for sessions and rate limits");
ABSL_FLAG(int, io_threads, 2, "Threads serving HTTP");
ABSL_FLAG(int, upstream_timeout_ms, 5000, "Deadline of each backend call");
ABSL_FLAG(int, max_connections, 10000,
          "HTTP connections served at once (lowered to fit the open-file limit); each one past"
          " it is answered 503 and closed");
ABSL_FLAG(int64_t, max_body_bytes, 1 << 20, "Largest JSON request body accepted");
ABSL_FLAG(int64_t, max_upload_bytes, 32 << 20,
          "Largest material upload streamed to intake (intake's own limit may be lower)");
ABSL_FLAG(int, citizen_idle_seconds, 15 * 60,
          "Citizen and enterprise sessions end after this idle time");
ABSL_FLAG(int, staff_idle_seconds, 5 * 60,
          "Staff, operator and admin sessions end after this idle time");
ABSL_FLAG(int, session_absolute_seconds, 8 * 3600, "Any session ends this long after sign-in");
ABSL_FLAG(bool, secure_cookies, false, "Served over TLS: Secure, __Host- prefixed cookies");
ABSL_FLAG(double, rate_per_client, 50, "Requests per second per client address (bucket refill)");
ABSL_FLAG(double, burst_per_client, 100, "Burst per client address");
ABSL_FLAG(double, rate_per_session, 20, "Requests per second per session");
ABSL_FLAG(double, burst_per_session, 60, "Burst per session");
ABSL_FLAG(std::vector<std::string>, trusted_proxies, {},
          "Proxies (CIDR ranges or addresses, comma-separated) whose X-Forwarded-For names the"
          " client; set it to the ingress's addresses, or every client shares one rate limit");
ABSL_FLAG(double, login_rate_per_client, 0.2, "Login attempts per second per client address");
ABSL_FLAG(double, login_burst_per_client, 5, "Login burst per client address");
ABSL_FLAG(int, public_cache_ms, 1000,
          "How long answers to anonymous GETs of public, non-personal routes are reused; 0 = off");
ABSL_FLAG(int64_t, public_cache_bytes, 64 << 20, "Memory bound of that cache");

int main(int argc, char** argv) {
  using namespace onewindow;
  server::BlockShutdownSignals();
  config::ParseFlags(argc, argv, "gateway: the HTTP/JSON front door");
  const log::Logger logger("gateway", config::LogLevelFlag(), std::make_shared<log::FdSink>());
  config::LogEffectiveConfig(logger);

  auto keys = auth::KeyRingFromFlags();
  if (!keys.ok()) config::ExitOnConfigError(logger, keys.status());
  const auth::TokenSigner signer(*keys);
  auto redis_options = redis::ParseRedisAddress(absl::GetFlag(FLAGS_redis_addr));
  if (!redis_options.ok()) config::ExitOnConfigError(logger, redis_options.status());
  redis::RedisPool redis(*redis_options);

  std::vector<const google::protobuf::FileDescriptor*> files;
  for (const char* name : kProtoFiles) {
    const auto* file = google::protobuf::DescriptorPool::generated_pool()->FindFileByName(name);
    if (file == nullptr) {
      config::ExitOnConfigError(logger, absl::InternalError(absl::StrCat(name, " not linked")));
    }
    files.push_back(file);
  }
  auto routes =
      gateway::RouteTable::FromPool(google::protobuf::DescriptorPool::generated_pool(), files);
  if (!routes.ok()) config::ExitOnConfigError(logger, routes.status());

  gateway::SessionPolicy session_policy;
  session_policy.citizen_idle = absl::Seconds(absl::GetFlag(FLAGS_citizen_idle_seconds));
  session_policy.staff_idle = absl::Seconds(absl::GetFlag(FLAGS_staff_idle_seconds));
  session_policy.absolute = absl::Seconds(absl::GetFlag(FLAGS_session_absolute_seconds));
  gateway::SessionStore sessions(&redis, session_policy);
  gateway::RateLimitPolicy rate_policy;
  rate_policy.per_client = {absl::GetFlag(FLAGS_rate_per_client),
                            absl::GetFlag(FLAGS_burst_per_client)};
  rate_policy.per_session = {absl::GetFlag(FLAGS_rate_per_session),
                             absl::GetFlag(FLAGS_burst_per_session)};
  rate_policy.login_per_client = {absl::GetFlag(FLAGS_login_rate_per_client),
                                  absl::GetFlag(FLAGS_login_burst_per_client)};
  gateway::RateLimiter limiter(&redis, rate_policy);

  std::map<std::string, std::shared_ptr<grpc::Channel>> channels;
  std::map<std::string, std::unique_ptr<grpc::GenericStub>> stubs;
  for (const char* name :
       {"identity", "catalog", "intake", "approval", "notification", "complaint"}) {
    channels[name] = client::MakeChannel(client::AddressOf(name));
    stubs[name] = std::make_unique<grpc::GenericStub>(channels[name]);
  }
  gateway::Readiness readiness(channels, &redis, absl::Milliseconds(500), logger);
  readiness.Start();

  auto registry = std::make_shared<prometheus::Registry>();
  std::string metrics_address = absl::GetFlag(FLAGS_metrics_listen);
  if (metrics_address.empty()) metrics_address = "127.0.0.1:9100";
  auto exposer = server::StartMetricsEndpoint(metrics_address, registry);
  if (!exposer.ok()) config::ExitOnConfigError(logger, exposer.status());
  gateway::GatewayMetrics metrics(*registry);

  gateway::GatewayOptions options;
  options.upstream_timeout = absl::Milliseconds(absl::GetFlag(FLAGS_upstream_timeout_ms));
  options.secure_cookies = absl::GetFlag(FLAGS_secure_cookies);
  gateway::ResponseCache public_cache(absl::Milliseconds(absl::GetFlag(FLAGS_public_cache_ms)),
                                      static_cast<size_t>(absl::GetFlag(FLAGS_public_cache_bytes)));
  // The material routes, the ops page and Open311 (the complaint backend is
  // among the stubs above) are always served: deps below.
  gateway::OpenApiOptions openapi;
  openapi.material_transfer = true;
  openapi.max_upload_bytes = static_cast<size_t>(absl::GetFlag(FLAGS_max_upload_bytes));
  openapi.secure_cookies = options.secure_cookies;
  openapi.ops_traffic = true;
  auto open311 = gateway::Open311OptionsFromFlags();
  if (!open311.ok()) config::ExitOnConfigError(logger, open311.status());
  openapi.open311 = true;
  openapi.open311_jurisdiction_id = open311->jurisdiction_id;
  std::string openapi_json = gateway::OpenApiDocument(*routes, "OneWindow API", "1.0.0", openapi);
  gateway::GatewayDeps deps{
      &*routes,     std::move(stubs), identity::v1::IdentityService::NewStub(channels["identity"]),
      &readiness,   &signer,          &sessions,
      &limiter,     &metrics,         std::move(openapi_json),
      &public_cache};
  gateway::MaterialTransfer materials(intake::v1::IntakeService::NewStub(channels["intake"]),
                                      &signer);
  deps.materials = &materials;
  const gateway::OpsPage ops_page(&metrics, &*routes, absl::Now());
  deps.ops = &ops_page;
  auto clients = gateway::ClientAddresses::Parse(absl::GetFlag(FLAGS_trusted_proxies));
  if (!clients.ok()) config::ExitOnConfigError(logger, clients.status());
  deps.clients = &*clients;
  gateway::Gateway handler(options, std::move(deps), logger);
  gateway::SessionGaugeSampler sampler(&sessions, &metrics.active_sessions(), absl::Seconds(15));
  sampler.Start();

  boost::asio::io_context io;
  gateway::HttpLimits limits;
  limits.body_bytes = static_cast<size_t>(absl::GetFlag(FLAGS_max_body_bytes));
  limits.stream_body_bytes = static_cast<size_t>(absl::GetFlag(FLAGS_max_upload_bytes));
  if (absl::GetFlag(FLAGS_max_connections) < 1) {
    config::ExitOnConfigError(logger, absl::InvalidArgumentError("--max_connections: 1 or more"));
  }
  limits.max_connections =
      gateway::ConnectionsWithinDescriptorLimit(absl::GetFlag(FLAGS_max_connections), 256);
  if (limits.max_connections < absl::GetFlag(FLAGS_max_connections)) {
    logger.Warn("--max_connections lowered to fit the open-file limit",
                {{"max_connections", limits.max_connections}});
  }
  gateway::HttpServer http(io, &handler, limits, logger);
  std::string listen = absl::GetFlag(FLAGS_listen);
  if (listen.empty()) listen = "127.0.0.1:8080";
  if (absl::Status s = http.Listen(listen); !s.ok()) config::ExitOnConfigError(logger, s);
  server::PeriodicTask connection_sampler(absl::Seconds(5), [&] {
    metrics.SampleConnections(http.open_connections(), http.refused_connections());
  });
  connection_sampler.Start();
  auto work = boost::asio::make_work_guard(io);
  std::vector<std::thread> threads;
  for (int i = 0; i < std::max(1, absl::GetFlag(FLAGS_io_threads)); ++i) {
    threads.emplace_back([&io] { io.run(); });
  }
  logger.Info("serving",
              {{"http_port", http.port()}, {"routes", static_cast<int>(routes->routes().size())}});

  const int signal_number = server::WaitForShutdownSignal();
  logger.Info("shutdown signal", {{"signal", signal_number}});
  // Readiness fails first, then no new connections, then in-flight requests
  // finish (bounded), then everything stops.
  handler.SetDraining();
  http.StartDrain();
  const absl::Time deadline = absl::Now() + absl::Seconds(absl::GetFlag(FLAGS_drain_seconds));
  while (http.in_flight() > 0 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(20));
  work.reset();
  io.stop();
  for (auto& t : threads) t.join();
  readiness.Stop();
  sampler.Stop();
  connection_sampler.Stop();
  logger.Info("stopped");
  return 0;
}
