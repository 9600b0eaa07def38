#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <prometheus/exposer.h>
#include <prometheus/registry.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/log/logger.h"

namespace onewindow::server {

struct ServerOptions {
  // Short name used in logs and the per-process health entry, e.g. "catalog".
  std::string name;
  std::string listen = "127.0.0.1:0";
  std::string metrics_listen = "127.0.0.1:0";
  absl::Duration drain = absl::Seconds(10);
  // Upper bound on the sync server's threads; gRPC grows them without bound
  // otherwise.
  int max_threads = 256;
  // Sync-server polling threads. gRPC's default of at most 2 idle pollers
  // makes a busy server start and end a thread for nearly every call (a
  // fifth of intake's CPU per submission was that churn).
  int min_pollers = 1;
  int max_pollers = 64;
  int completion_queues = 1;
  int max_receive_message_bytes = 8 << 20;
};

// Options from the common flags (--listen, --metrics_listen, --drain_seconds),
// with this service's default ports filling empty flags.
ServerOptions OptionsFromFlags(absl::string_view name, int default_port, int default_metrics_port);

// Runs one gRPC server the way every OneWindow backend does: health
// (overall "" plus one entry per service), reflection, the metrics
// interceptor, a Prometheus exposer on its own port, and graceful shutdown:
// NOT_SERVING first, then in-flight calls drain up to a deadline, then the
// shutdown hooks (closing the store) run.
class ServerRunner {
 public:
  ServerRunner(ServerOptions options, log::Logger logger);
  ~ServerRunner();

  // Registry for the service's own metrics; exported with the gRPC ones.
  prometheus::Registry& metrics() { return *registry_; }
  const log::Logger& logger() const { return logger_; }

  // Registers `service` (not owned) with its health entry `full_name`
  // (the generated Service::service_full_name()).
  void AddService(grpc::Service* service, absl::string_view full_name);
  // Runs after in-flight calls drained, in registration order.
  void OnShutdown(std::function<void()> hook);

  // Binds and starts; after this the ports are known.
  absl::Status Start();
  int port() const { return port_; }
  int metrics_port() const { return metrics_port_; }
  grpc::Server* server() { return server_.get(); }

  // Flips health for one service name ("" is the whole server).
  void SetServing(absl::string_view service, bool serving);

  // Blocks until SIGTERM/SIGINT, then shuts down gracefully.
  void RunUntilSignal();
  // The shutdown sequence; safe to call once from any thread.
  void Shutdown();

 private:
  ServerOptions options_;
  log::Logger logger_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::vector<grpc::Service*> services_;
  std::vector<std::string> service_names_;
  std::vector<std::function<void()>> shutdown_hooks_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  int metrics_port_ = 0;
  bool shut_down_ = false;
};

}  // namespace onewindow::server
