#pragma once

#include <functional>
#include <memory>
#include <string>

#include "onewindow/catalog/v1/catalog.grpc.pb.h"
#include "services/approval/processes.h"

namespace onewindow::approval {

// Reads implementations from the catalog service.
class CatalogSource final : public ImplementationSource {
 public:
  // `token` returns a fresh SERVICE principal token for each call.
  CatalogSource(std::unique_ptr<catalog::v1::CatalogService::StubInterface> stub,
                std::function<std::string()> token)
      : stub_(std::move(stub)), token_(std::move(token)) {}

  absl::StatusOr<catalog::v1::Implementation> Get(const std::string& implementation_code,
                                                  int64_t revision) override;

 private:
  std::unique_ptr<catalog::v1::CatalogService::StubInterface> stub_;
  std::function<std::string()> token_;
};

}  // namespace onewindow::approval
