#pragma once

#include <functional>
#include <memory>

#include <grpcpp/channel.h>

#include "absl/time/time.h"
#include "onewindow/catalog/v1/catalog.grpc.pb.h"
#include "onewindow/intake/v1/intake.grpc.pb.h"
#include "services/complaint/application_directory.h"

namespace onewindow::complaint {

// ApplicationDirectory over gRPC: intake's GetApplication with this
// service's SERVICE token, then catalog's GetImplementation for the item's
// name, department and region. When catalog no longer knows the item, the
// department still comes from the implementation code, which embeds it.
class GrpcApplicationDirectory final : public ApplicationDirectory {
 public:
  GrpcApplicationDirectory(std::shared_ptr<grpc::Channel> intake,
                           std::shared_ptr<grpc::Channel> catalog,
                           std::function<std::string()> token,
                           absl::Duration timeout = absl::Seconds(3));

  absl::StatusOr<ApplicationFacts> Lookup(const std::string& application_id) override;

 private:
  std::unique_ptr<intake::v1::IntakeService::Stub> intake_;
  std::unique_ptr<catalog::v1::CatalogService::Stub> catalog_;
  std::function<std::string()> token_;
  absl::Duration timeout_;
};

}  // namespace onewindow::complaint
