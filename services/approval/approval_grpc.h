#pragma once

#include "libs/server/call.h"
#include "onewindow/approval/v1/approval.grpc.pb.h"
#include "services/approval/cases.h"

namespace onewindow::approval {

class ApprovalGrpc final : public approval::v1::ApprovalService::Service {
 public:
  ApprovalGrpc(const server::CallRunner* runner, Cases* cases) : runner_(runner), cases_(cases) {}

  grpc::Status OpenCase(grpc::ServerContext* context, const approval::v1::OpenCaseRequest* request,
                        approval::v1::Case* response) override;
  grpc::Status GetCase(grpc::ServerContext* context, const approval::v1::GetCaseRequest* request,
                       approval::v1::Case* response) override;

 private:
  const server::CallRunner* runner_;
  Cases* cases_;
};

}  // namespace onewindow::approval
