#pragma once

#include "libs/server/call.h"
#include "onewindow/catalog/v1/catalog.grpc.pb.h"
#include "services/catalog/coverage.h"
#include "services/catalog/departments.h"
#include "services/catalog/items.h"
#include "services/catalog/regions.h"
#include "services/catalog/search_index.h"

namespace onewindow::catalog {

// The domain classes the handlers adapt; not owned.
struct CatalogDomain {
  Regions* regions;
  Departments* departments;
  Items* items;
  SearchIndex* index;
  Coverage* coverage;
};

// Adapts the catalog's domain classes to gRPC; no logic lives here.
class CatalogGrpc final : public catalog::v1::CatalogService::Service {
 public:
  CatalogGrpc(const server::CallRunner* runner, CatalogDomain domain)
      : runner_(runner), domain_(domain) {}

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

  grpc::Status ImportDepartments(grpc::ServerContext* context,
                                 const catalog::v1::ImportDepartmentsRequest* request,
                                 catalog::v1::ImportResponse* response) override;
  grpc::Status ImportBasicItems(grpc::ServerContext* context,
                                const catalog::v1::ImportBasicItemsRequest* request,
                                catalog::v1::ImportResponse* response) override;
  grpc::Status ImportImplementations(grpc::ServerContext* context,
                                     const catalog::v1::ImportImplementationsRequest* request,
                                     catalog::v1::ImportResponse* response) override;
  grpc::Status GetDepartment(grpc::ServerContext* context,
                             const catalog::v1::GetDepartmentRequest* request,
                             catalog::v1::Department* response) override;
  grpc::Status GetBasicItem(grpc::ServerContext* context,
                            const catalog::v1::GetBasicItemRequest* request,
                            catalog::v1::BasicItem* response) override;
  grpc::Status PublishImplementation(grpc::ServerContext* context,
                                     const catalog::v1::PublishImplementationRequest* request,
                                     catalog::v1::Implementation* response) override;
  grpc::Status WithdrawImplementation(grpc::ServerContext* context,
                                      const catalog::v1::WithdrawImplementationRequest* request,
                                      catalog::v1::Implementation* response) override;
  grpc::Status GetImplementation(grpc::ServerContext* context,
                                 const catalog::v1::GetImplementationRequest* request,
                                 catalog::v1::Implementation* response) override;
  grpc::Status SearchItems(grpc::ServerContext* context,
                           const catalog::v1::SearchItemsRequest* request,
                           catalog::v1::SearchItemsResponse* response) override;
  grpc::Status BrowseTopics(grpc::ServerContext* context, const catalog::v1::BrowseRequest* request,
                            catalog::v1::BrowseResponse* response) override;
  grpc::Status BrowseLifeEvents(grpc::ServerContext* context,
                                const catalog::v1::BrowseRequest* request,
                                catalog::v1::BrowseResponse* response) override;
  grpc::Status SetRequiredItems(grpc::ServerContext* context,
                                const catalog::v1::SetRequiredItemsRequest* request,
                                catalog::v1::SetRequiredItemsResponse* response) override;
  grpc::Status GetCoverage(grpc::ServerContext* context,
                           const catalog::v1::GetCoverageRequest* request,
                           catalog::v1::CoverageReport* response) override;

 private:
  const server::CallRunner* runner_;
  CatalogDomain domain_;
};

}  // namespace onewindow::catalog
