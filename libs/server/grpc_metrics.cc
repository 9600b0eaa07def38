#include "libs/server/grpc_metrics.h"

#include <grpcpp/support/status_code_enum.h>

#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "libs/server/request_id.h"

namespace onewindow::server {
namespace {

const char* CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::OK:
      return "OK";
    case grpc::CANCELLED:
      return "CANCELLED";
    case grpc::UNKNOWN:
      return "UNKNOWN";
    case grpc::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::ABORTED:
      return "ABORTED";
    case grpc::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::INTERNAL:
      return "INTERNAL";
    case grpc::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return "UNKNOWN";
  }
}

const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const auto* const kBuckets = new prometheus::Histogram::BucketBoundaries{
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return *kBuckets;
}

}  // namespace

class GrpcMetricsInterceptor : public grpc::experimental::Interceptor {
 public:
  GrpcMetricsInterceptor(GrpcMetricsInterceptorFactory* factory,
                         GrpcMetricsInterceptorFactory::Method* method)
      : factory_(factory), method_(method) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      start_ = absl::Now();
      auto* metadata = methods->GetRecvInitialMetadata();
      auto it = metadata->find(kRequestIdHeader);
      if (it != metadata->end()) {
        absl::string_view id(it->second.data(), it->second.size());
        if (IsAcceptableRequestId(id)) request_id_ = std::string(id);
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA) &&
        request_id_.empty()) {
      // The handler edge (CallRunner) made one up and sends it back.
      auto* metadata = methods->GetSendInitialMetadata();
      auto it = metadata->find(kRequestIdHeader);
      if (it != metadata->end()) request_id_ = it->second;
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      const double seconds = absl::ToDoubleSeconds(absl::Now() - start_);
      const char* code = CodeName(status.error_code());
      factory_->Handled(*method_, status.error_code(), code).Increment();
      method_->latency->Observe(seconds);
      const log::Level level = status.ok() ? log::Level::kDebug : log::Level::kInfo;
      if (factory_->logger_.Enabled(level)) {
        factory_->logger_.WithRequestId(request_id_)
            .Log(level, "rpc", {{"method", method_->method}, {"code", code}, {"seconds", seconds}});
      }
    }
    methods->Proceed();
  }

 private:
  GrpcMetricsInterceptorFactory* const factory_;
  GrpcMetricsInterceptorFactory::Method* const method_;
  std::string request_id_;
  absl::Time start_ = absl::Now();
};

GrpcMetricsInterceptorFactory::GrpcMetricsInterceptorFactory(prometheus::Registry& registry,
                                                             log::Logger logger)
    : handled_(prometheus::BuildCounter()
                   .Name("onewindow_grpc_server_handled_total")
                   .Help("gRPC calls completed on the server, by service, method and code")
                   .Register(registry)),
      latency_(prometheus::BuildHistogram()
                   .Name("onewindow_grpc_server_handling_seconds")
                   .Help("Time from receiving a call's metadata to sending its status")
                   .Register(registry)),
      logger_(std::move(logger)) {}

GrpcMetricsInterceptorFactory::Method* GrpcMetricsInterceptorFactory::Find(
    absl::string_view full_name) {
  {
    absl::ReaderMutexLock lock(&mu_);
    auto it = methods_.find(full_name);
    if (it != methods_.end()) return &it->second;
  }
  absl::MutexLock lock(&mu_);
  auto [it, inserted] = methods_.try_emplace(full_name);
  Method& m = it->second;
  if (inserted) {
    // "/onewindow.catalog.v1.CatalogService/GetRegion" → service, method.
    absl::string_view full = full_name;
    if (!full.empty() && full[0] == '/') full.remove_prefix(1);
    const size_t slash = full.find('/');
    m.service = std::string(full.substr(0, slash));
    m.method = slash == absl::string_view::npos ? "" : std::string(full.substr(slash + 1));
    m.latency = &latency_.Add({{"service", m.service}, {"method", m.method}}, LatencyBuckets());
  }
  return &m;
}

prometheus::Counter& GrpcMetricsInterceptorFactory::Handled(Method& method, int code,
                                                            const char* code_name) {
  // Codes beyond the known ones share the UNKNOWN slot, as their name does.
  const size_t slot = code >= 0 && code < static_cast<int>(method.handled.size())
                          ? static_cast<size_t>(code)
                          : static_cast<size_t>(grpc::UNKNOWN);
  {
    absl::ReaderMutexLock lock(&mu_);
    if (method.handled[slot] != nullptr) return *method.handled[slot];
  }
  absl::MutexLock lock(&mu_);
  if (method.handled[slot] == nullptr) {
    method.handled[slot] = &handled_.Add(
        {{"service", method.service}, {"method", method.method}, {"code", code_name}});
  }
  return *method.handled[slot];
}

grpc::experimental::Interceptor* GrpcMetricsInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new GrpcMetricsInterceptor(this, Find(info->method()));
}

}  // namespace onewindow::server
