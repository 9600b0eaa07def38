#include "services/catalog/catalog_grpc.h"

#include "absl/time/clock.h"
#include "libs/status/macros.h"
#include "services/catalog/access.h"
#include "services/catalog/validation.h"

namespace onewindow::catalog {

using server::Call;

grpc::Status CatalogGrpc::ImportRegions(grpc::ServerContext* context,
                                        const catalog::v1::ImportRegionsRequest* request,
                                        catalog::v1::ImportRegionsResponse* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(CheckCatalogWrite(call, ""));
    std::vector<catalog::v1::Region> regions(request->regions().begin(), request->regions().end());
    ASSIGN_OR_RETURN(const int imported, domain_.regions->Import(std::move(regions)));
    response->set_imported(imported);
    call.log().Info("regions imported", {{"count", imported}});
    return absl::OkStatus();
  });
}

grpc::Status CatalogGrpc::GetRegion(grpc::ServerContext* context,
                                    const catalog::v1::GetRegionRequest* request,
                                    catalog::v1::Region* response) {
  return runner_->Run(context, request, [&](const Call&) -> absl::Status {
    ASSIGN_OR_RETURN(*response, domain_.regions->Get(request->code()));
    return absl::OkStatus();
  });
}

grpc::Status CatalogGrpc::ListChildRegions(grpc::ServerContext* context,
                                           const catalog::v1::ListChildRegionsRequest* request,
                                           catalog::v1::ListRegionsResponse* response) {
  return runner_->Run(context, request, [&](const Call&) -> absl::Status {
    ASSIGN_OR_RETURN(auto children, domain_.regions->Children(request->code()));
    for (auto& r : children) *response->add_regions() = std::move(r);
    return absl::OkStatus();
  });
}

grpc::Status CatalogGrpc::ListAncestorRegions(
    grpc::ServerContext* context, const catalog::v1::ListAncestorRegionsRequest* request,
    catalog::v1::ListRegionsResponse* response) {
  return runner_->Run(context, request, [&](const Call&) -> absl::Status {
    ASSIGN_OR_RETURN(auto ancestors, domain_.regions->Ancestors(request->code()));
    for (auto& r : ancestors) *response->add_regions() = std::move(r);
    return absl::OkStatus();
  });
}

namespace {

void LogImport(const Call& call, absl::string_view what, const catalog::v1::ImportResponse& r) {
  call.log().Info(what, {{"accepted", r.accepted()}, {"rejected", r.rejected_size()}});
}

}  // namespace

grpc::Status CatalogGrpc::ImportDepartments(grpc::ServerContext* context,
                                            const catalog::v1::ImportDepartmentsRequest* request,
                                            catalog::v1::ImportResponse* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(CheckCatalogWrite(call, ""));
    ASSIGN_OR_RETURN(*response, domain_.departments->Import({request->departments().begin(),
                                                             request->departments().end()}));
    LogImport(call, "departments imported", *response);
    return absl::OkStatus();
  });
}

grpc::Status CatalogGrpc::ImportBasicItems(grpc::ServerContext* context,
                                           const catalog::v1::ImportBasicItemsRequest* request,
                                           catalog::v1::ImportResponse* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(CheckCatalogWrite(call, ""));
    ASSIGN_OR_RETURN(*response, domain_.items->ImportBasicItems(
                                    {request->items().begin(), request->items().end()}));
    LogImport(call, "basic items imported", *response);
    return absl::OkStatus();
  });
}

grpc::Status CatalogGrpc::ImportImplementations(
    grpc::ServerContext* context, const catalog::v1::ImportImplementationsRequest* request,
    catalog::v1::ImportResponse* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    // Anonymous callers fail as a whole; a staff member's entries for other
    // departments are rejected one by one.
    RETURN_IF_ERROR(call.RequirePrincipal().status());
    ASSIGN_OR_RETURN(
        *response, domain_.items->ImportImplementations(
                       request->implementations(), absl::Now(), [&](const std::string& department) {
                         return CheckCatalogWrite(call, department);
                       }));
    LogImport(call, "implementations imported", *response);
    return absl::OkStatus();
  });
}

grpc::Status CatalogGrpc::GetDepartment(grpc::ServerContext* context,
                                        const catalog::v1::GetDepartmentRequest* request,
                                        catalog::v1::Department* response) {
  return runner_->Run(context, request, [&](const Call&) -> absl::Status {
    ASSIGN_OR_RETURN(*response, domain_.departments->Get(request->credit_code()));
    return absl::OkStatus();
  });
}

grpc::Status CatalogGrpc::GetBasicItem(grpc::ServerContext* context,
                                       const catalog::v1::GetBasicItemRequest* request,
                                       catalog::v1::BasicItem* response) {
  return runner_->Run(context, request, [&](const Call&) -> absl::Status {
    ASSIGN_OR_RETURN(*response, domain_.items->GetBasicItem(request->basic_code()));
    return absl::OkStatus();
  });
}

grpc::Status CatalogGrpc::PublishImplementation(
    grpc::ServerContext* context, const catalog::v1::PublishImplementationRequest* request,
    catalog::v1::Implementation* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const std::string owner,
                     ImplementingDepartment("implementation.implementation_code",
                                            request->implementation().implementation_code()));
    RETURN_IF_ERROR(CheckCatalogWrite(call, owner));
    ASSIGN_OR_RETURN(*response, domain_.items->Publish(request->implementation(), absl::Now(),
                                                       request->expected_revision()));
    call.log().Info("implementation published",
                    {{"implementation_code", response->implementation_code()},
                     {"revision", response->revision()}});
    return absl::OkStatus();
  });
}

grpc::Status CatalogGrpc::WithdrawImplementation(
    grpc::ServerContext* context, const catalog::v1::WithdrawImplementationRequest* request,
    catalog::v1::Implementation* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const std::string owner,
                     ImplementingDepartment("implementation_code", request->implementation_code()));
    RETURN_IF_ERROR(CheckCatalogWrite(call, owner));
    ASSIGN_OR_RETURN(*response, domain_.items->Withdraw(request->implementation_code(),
                                                        request->reason(), absl::Now()));
    call.log().Info("implementation withdrawn",
                    {{"implementation_code", response->implementation_code()}});
    return absl::OkStatus();
  });
}

grpc::Status CatalogGrpc::GetImplementation(grpc::ServerContext* context,
                                            const catalog::v1::GetImplementationRequest* request,
                                            catalog::v1::Implementation* response) {
  return runner_->Run(context, request, [&](const Call&) -> absl::Status {
    ASSIGN_OR_RETURN(*response,
                     domain_.items->Get(request->implementation_code(), request->revision()));
    return absl::OkStatus();
  });
}

grpc::Status CatalogGrpc::SearchItems(grpc::ServerContext* context,
                                      const catalog::v1::SearchItemsRequest* request,
                                      catalog::v1::SearchItemsResponse* response) {
  return runner_->Run(context, request, [&](const Call&) -> absl::Status {
    ASSIGN_OR_RETURN(*response, domain_.index->Search(*request));
    return absl::OkStatus();
  });
}

grpc::Status CatalogGrpc::BrowseTopics(grpc::ServerContext* context,
                                       const catalog::v1::BrowseRequest* request,
                                       catalog::v1::BrowseResponse* response) {
  return runner_->Run(context, request, [&](const Call&) -> absl::Status {
    ASSIGN_OR_RETURN(*response, domain_.index->BrowseTopics(request->region_code()));
    return absl::OkStatus();
  });
}

grpc::Status CatalogGrpc::BrowseLifeEvents(grpc::ServerContext* context,
                                           const catalog::v1::BrowseRequest* request,
                                           catalog::v1::BrowseResponse* response) {
  return runner_->Run(context, request, [&](const Call&) -> absl::Status {
    ASSIGN_OR_RETURN(*response, domain_.index->BrowseLifeEvents(request->region_code()));
    return absl::OkStatus();
  });
}

grpc::Status CatalogGrpc::SetRequiredItems(grpc::ServerContext* context,
                                           const catalog::v1::SetRequiredItemsRequest* request,
                                           catalog::v1::SetRequiredItemsResponse* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    RETURN_IF_ERROR(CheckCatalogWrite(call, ""));
    ASSIGN_OR_RETURN(const int required,
                     domain_.coverage->SetRequired(
                         request->department_credit_code(),
                         {request->basic_codes().begin(), request->basic_codes().end()}));
    response->set_required(required);
    return absl::OkStatus();
  });
}

grpc::Status CatalogGrpc::GetCoverage(grpc::ServerContext* context,
                                      const catalog::v1::GetCoverageRequest* request,
                                      catalog::v1::CoverageReport* response) {
  return runner_->Run(context, request, [&](const Call&) -> absl::Status {
    ASSIGN_OR_RETURN(*response, domain_.coverage->Report(request->region_code()));
    return absl::OkStatus();
  });
}

}  // namespace onewindow::catalog
