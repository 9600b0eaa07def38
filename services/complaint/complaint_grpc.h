#pragma once

#include "libs/server/call.h"
#include "onewindow/complaint/v1/complaint.grpc.pb.h"
#include "services/complaint/work_orders.h"

namespace onewindow::complaint {

class ComplaintGrpc final : public complaint::v1::ComplaintService::Service {
 public:
  ComplaintGrpc(const server::CallRunner* runner, WorkOrders* orders)
      : runner_(runner), orders_(orders) {}

  grpc::Status IngestHotlineTicket(grpc::ServerContext* context,
                                   const complaint::v1::IngestHotlineTicketRequest* request,
                                   complaint::v1::WorkOrder* response) override;
  grpc::Status GetWorkOrder(grpc::ServerContext* context,
                            const complaint::v1::GetWorkOrderRequest* request,
                            complaint::v1::WorkOrder* response) override;

 private:
  const server::CallRunner* runner_;
  WorkOrders* orders_;
};

}  // namespace onewindow::complaint
