#include "services/catalog/catalog_grpc.h"

#include "libs/status/macros.h"
#include "services/catalog/access.h"

namespace onewindow::catalog {

using server::Call;

grpc::Status CatalogGrpc::ImportRegions(grpc::ServerContext* context,
                                        const catalog::v1::ImportRegionsRequest* request,
                                        catalog::v1::ImportRegionsResponse* response) {
  return runner_->Run(context, [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(CheckCatalogWrite(call, ""));
    std::vector<catalog::v1::Region> regions(request->regions().begin(), request->regions().end());
    ASSIGN_OR_RETURN(const int imported, regions_->Import(std::move(regions)));
    response->set_imported(imported);
    call.log().Info("regions imported", {{"count", imported}});
    return absl::OkStatus();
  });
}

grpc::Status CatalogGrpc::GetRegion(grpc::ServerContext* context,
                                    const catalog::v1::GetRegionRequest* request,
                                    catalog::v1::Region* response) {
  return runner_->Run(context, [&](const Call&) -> absl::Status {
    ASSIGN_OR_RETURN(*response, regions_->Get(request->code()));
    return absl::OkStatus();
  });
}

grpc::Status CatalogGrpc::ListChildRegions(grpc::ServerContext* context,
                                           const catalog::v1::ListChildRegionsRequest* request,
                                           catalog::v1::ListRegionsResponse* response) {
  return runner_->Run(context, [&](const Call&) -> absl::Status {
    ASSIGN_OR_RETURN(auto children, regions_->Children(request->code()));
    for (auto& r : children) *response->add_regions() = std::move(r);
    return absl::OkStatus();
  });
}

grpc::Status CatalogGrpc::ListAncestorRegions(
    grpc::ServerContext* context, const catalog::v1::ListAncestorRegionsRequest* request,
    catalog::v1::ListRegionsResponse* response) {
  return runner_->Run(context, [&](const Call&) -> absl::Status {
    ASSIGN_OR_RETURN(auto ancestors, regions_->Ancestors(request->code()));
    for (auto& r : ancestors) *response->add_regions() = std::move(r);
    return absl::OkStatus();
  });
}

}  // namespace onewindow::catalog
