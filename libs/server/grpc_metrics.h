#pragma once

#include <memory>
#include <string>

#include <grpcpp/support/server_interceptor.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

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
  prometheus::Family<prometheus::Counter>& handled_;
  prometheus::Family<prometheus::Histogram>& latency_;
  log::Logger logger_;
};

}  // namespace onewindow::server
