#include "services/complaint/complaint_grpc.h"

#include "absl/time/clock.h"
#include "libs/auth/access.h"
#include "libs/status/macros.h"

namespace onewindow::complaint {

using server::Call;

grpc::Status ComplaintGrpc::IngestHotlineTicket(
    grpc::ServerContext* context, const complaint::v1::IngestHotlineTicketRequest* request,
    complaint::v1::WorkOrder* response) {
  return runner_->Run(context, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
    RETURN_IF_ERROR(auth::RequireKind(
        *principal, {auth::v1::SERVICE, auth::v1::STAFF, auth::v1::PLATFORM_ADMIN}));
    ASSIGN_OR_RETURN(*response, orders_->IngestHotline(*request, absl::Now()));
    return absl::OkStatus();
  });
}

grpc::Status ComplaintGrpc::GetWorkOrder(grpc::ServerContext* context,
                                         const complaint::v1::GetWorkOrderRequest* request,
                                         complaint::v1::WorkOrder* response) {
  return runner_->Run(context, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
    RETURN_IF_ERROR(auth::RequireKind(
        *principal, {auth::v1::SERVICE, auth::v1::STAFF, auth::v1::PLATFORM_ADMIN}));
    ASSIGN_OR_RETURN(*response, orders_->Get(request->work_order_id()));
    return absl::OkStatus();
  });
}

}  // namespace onewindow::complaint
