#include "services/approval/catalog_source.h"

#include <chrono>

#include <grpcpp/client_context.h>

#include "absl/strings/str_cat.h"
#include "libs/server/call.h"
#include "libs/status/grpc_status.h"

namespace onewindow::approval {

absl::StatusOr<catalog::v1::Implementation> CatalogSource::Get(
    const std::string& implementation_code, int64_t revision) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  context.AddMetadata(server::kPrincipalHeader, token_());
  catalog::v1::GetImplementationRequest request;
  request.set_implementation_code(implementation_code);
  request.set_revision(revision);
  catalog::v1::Implementation reply;
  const grpc::Status status = stub_->GetImplementation(&context, request, &reply);
  if (!status.ok()) {
    const absl::Status s = status::FromGrpcStatus(status);
    return absl::Status(s.code(), absl::StrCat("catalog GetImplementation ", implementation_code,
                                               " revision ", revision, ": ", s.message()));
  }
  return reply;
}

}  // namespace onewindow::approval
