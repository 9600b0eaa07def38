#pragma once

#include <array>
#include <memory>
#include <string>

#include <grpcpp/support/server_interceptor.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "absl/base/thread_annotations.h"
#include "absl/container/node_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "libs/log/logger.h"

namespace onewindow::server {

// Records onewindow_grpc_server_handled_total{service,method,code} and
// onewindow_grpc_server_handling_seconds{service,method} for every call, and
// writes one access-log line carrying the call's request id.
class GrpcMetricsInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  GrpcMetricsInterceptorFactory(prometheus::Registry& registry, log::Logger logger);

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  friend class GrpcMetricsInterceptor;
  // One method's series, found once per call by its full name rather than
  // by building label maps for the families twice per call. Counters per
  // code appear on first use, so only codes that happened are exported.
  struct Method {
    std::string service;
    std::string method;
    prometheus::Histogram* latency = nullptr;
    std::array<prometheus::Counter*, 17> handled{};  // By grpc::StatusCode.
  };
  // Never null; valid as long as the factory (entries are never removed).
  Method* Find(absl::string_view full_name);
  prometheus::Counter& Handled(Method& method, int code, const char* code_name);

  prometheus::Family<prometheus::Counter>& handled_;
  prometheus::Family<prometheus::Histogram>& latency_;
  log::Logger logger_;
  absl::Mutex mu_;
  absl::node_hash_map<std::string, Method> methods_ ABSL_GUARDED_BY(mu_);
};

}  // namespace onewindow::server
