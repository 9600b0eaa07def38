#pragma once

#include "libs/server/call.h"
#include "onewindow/catalog/v1/catalog.grpc.pb.h"
#include "services/catalog/regions.h"

namespace onewindow::catalog {

// Adapts the catalog's domain classes to gRPC; no logic lives here.
class CatalogGrpc final : public catalog::v1::CatalogService::Service {
 public:
  CatalogGrpc(const server::CallRunner* runner, Regions* regions)
      : runner_(runner), regions_(regions) {}

  grpc::Status ImportRegions(grpc::ServerContext* context,
                             const catalog::v1::ImportRegionsRequest* request,
                             catalog::v1::ImportRegionsResponse* response) override;
  grpc::Status GetRegion(grpc::ServerContext* context, const catalog::v1::GetRegionRequest* request,
                         catalog::v1::Region* response) override;
  grpc::Status ListChildRegions(grpc::ServerContext* context,
                                const catalog::v1::ListChildRegionsRequest* request,
                                catalog::v1::ListRegionsResponse* response) override;
  grpc::Status ListAncestorRegions(grpc::ServerContext* context,
                                   const catalog::v1::ListAncestorRegionsRequest* request,
                                   catalog::v1::ListRegionsResponse* response) override;

 private:
  const server::CallRunner* runner_;
  Regions* regions_;
};

}  // namespace onewindow::catalog
