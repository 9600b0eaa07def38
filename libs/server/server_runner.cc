#include "libs/server/server_runner.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/resource_quota.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/support/server_interceptor.h>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/config/flags.h"
#include "libs/server/grpc_metrics.h"
#include "libs/server/metrics_endpoint.h"
#include "libs/server/signals.h"

// Every in-flight call of the sync server holds a thread; beyond this many
// gRPC answers RESOURCE_EXHAUSTED, which the gateway turns into a 503.
ABSL_FLAG(int, max_server_threads, 256, "Upper bound on gRPC server threads (calls in flight)");
ABSL_FLAG(int, grpc_min_pollers, 1, "Idle threads gRPC keeps polling for calls, per queue");
ABSL_FLAG(int, grpc_max_pollers, 64,
          "Idle polling threads gRPC keeps before ending some (its default of 2 makes busy "
          "servers start and end a thread per call)");
ABSL_FLAG(int, grpc_completion_queues, 1, "Completion queues of the gRPC server");

namespace onewindow::server {

ServerOptions OptionsFromFlags(absl::string_view name, int default_port, int default_metrics_port) {
  ServerOptions options;
  options.name = std::string(name);
  options.listen = absl::GetFlag(FLAGS_listen);
  if (options.listen.empty()) options.listen = absl::StrCat("127.0.0.1:", default_port);
  options.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  if (options.metrics_listen.empty()) {
    options.metrics_listen = absl::StrCat("127.0.0.1:", default_metrics_port);
  }
  options.drain = absl::Seconds(absl::GetFlag(FLAGS_drain_seconds));
  options.max_threads = absl::GetFlag(FLAGS_max_server_threads);
  options.min_pollers = absl::GetFlag(FLAGS_grpc_min_pollers);
  options.max_pollers = absl::GetFlag(FLAGS_grpc_max_pollers);
  options.completion_queues = absl::GetFlag(FLAGS_grpc_completion_queues);
  return options;
}

ServerRunner::ServerRunner(ServerOptions options, log::Logger logger)
    : options_(std::move(options)),
      logger_(std::move(logger)),
      registry_(std::make_shared<prometheus::Registry>()) {
  BlockShutdownSignals();
}

ServerRunner::~ServerRunner() { Shutdown(); }

void ServerRunner::AddService(grpc::Service* service, absl::string_view full_name) {
  services_.push_back(service);
  service_names_.emplace_back(full_name);
}

void ServerRunner::OnShutdown(std::function<void()> hook) {
  shutdown_hooks_.push_back(std::move(hook));
}

absl::Status ServerRunner::Start() {
  absl::StatusOr<std::unique_ptr<prometheus::Exposer>> exposer =
      StartMetricsEndpoint(options_.metrics_listen, registry_);
  if (!exposer.ok()) return exposer.status();
  exposer_ = *std::move(exposer);
  const std::vector<int> metric_ports = exposer_->GetListeningPorts();
  metrics_port_ = metric_ports.empty() ? 0 : metric_ports.front();

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options_.listen, grpc::InsecureServerCredentials(), &port_);
  grpc::ResourceQuota quota(absl::StrCat("onewindow-", options_.name));
  quota.SetMaxThreads(options_.max_threads);
  builder.SetResourceQuota(quota);
  builder.SetMaxReceiveMessageSize(options_.max_receive_message_bytes);
  if (options_.completion_queues > 0) {
    builder.SetSyncServerOption(grpc::ServerBuilder::NUM_CQS, options_.completion_queues);
  }
  if (options_.min_pollers > 0) {
    builder.SetSyncServerOption(grpc::ServerBuilder::MIN_POLLERS, options_.min_pollers);
  }
  if (options_.max_pollers > 0) {
    builder.SetSyncServerOption(grpc::ServerBuilder::MAX_POLLERS, options_.max_pollers);
  }
  for (grpc::Service* service : services_) builder.RegisterService(service);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<GrpcMetricsInterceptorFactory>(*registry_, logger_));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options_.listen));
  }
  SetServing("", true);
  for (const auto& name : service_names_) SetServing(name, true);
  logger_.Info("serving", {{"grpc_port", port_}, {"metrics_port", metrics_port_}});
  return absl::OkStatus();
}

void ServerRunner::SetServing(absl::string_view service, bool serving) {
  if (server_ == nullptr || server_->GetHealthCheckService() == nullptr) return;
  if (service.empty()) {
    server_->GetHealthCheckService()->SetServingStatus(serving);
  } else {
    server_->GetHealthCheckService()->SetServingStatus(std::string(service), serving);
  }
}

void ServerRunner::RunUntilSignal() {
  const int signal_number = WaitForShutdownSignal();
  logger_.Info("shutdown signal", {{"signal", signal_number}});
  Shutdown();
}

void ServerRunner::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  if (server_ != nullptr) {
    // Health first, so balancers stop sending before we stop accepting.
    SetServing("", false);
    for (const auto& name : service_names_) SetServing(name, false);
    server_->Shutdown(absl::ToChronoTime(absl::Now() + options_.drain));
    server_->Wait();
  }
  for (auto& hook : shutdown_hooks_) hook();
  exposer_.reset();
  logger_.Info("stopped");
}

}  // namespace onewindow::server
