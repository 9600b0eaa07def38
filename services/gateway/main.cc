// gateway: HTTP/JSON in front of the backends, sessions in Redis.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/time/clock.h"
#include "libs/auth/principal_verifier.h"
#include "libs/client/channels.h"
#include "libs/config/flags.h"
#include "libs/redis/redis_pool.h"
#include "libs/server/metrics_endpoint.h"
#include "libs/server/signals.h"
#include "onewindow/proto_files.h"
#include "services/gateway/gateway.h"
#include "services/gateway/openapi.h"

ABSL_FLAG(std::string, redis_addr, "127.0.0.1:6379", "Redis for sessions and rate limits");
ABSL_FLAG(int, io_threads, 2, "Threads serving HTTP");
ABSL_FLAG(int, upstream_timeout_ms, 5000, "Deadline of each backend call");
ABSL_FLAG(int64_t, max_body_bytes, 1 << 20, "Largest JSON request body accepted");

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
  gateway::Gateway handler(options, &*routes, std::move(stubs), &readiness, &signer, &metrics,
                           gateway::OpenApiDocument(*routes, "OneWindow API", "1.0.0"), logger);

  boost::asio::io_context io;
  gateway::HttpLimits limits;
  limits.body_bytes = static_cast<size_t>(absl::GetFlag(FLAGS_max_body_bytes));
  gateway::HttpServer http(io, &handler, limits, logger);
  std::string listen = absl::GetFlag(FLAGS_listen);
  if (listen.empty()) listen = "127.0.0.1:8080";
  if (absl::Status s = http.Listen(listen); !s.ok()) config::ExitOnConfigError(logger, s);
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
  logger.Info("stopped");
  return 0;
}
