#pragma once

#include "libs/server/call.h"
#include "onewindow/intake/v1/intake.grpc.pb.h"
#include "services/intake/applications.h"

namespace onewindow::intake {

class IntakeGrpc final : public intake::v1::IntakeService::Service {
 public:
  IntakeGrpc(const server::CallRunner* runner, Applications* applications)
      : runner_(runner), applications_(applications) {}

  grpc::Status SubmitApplication(grpc::ServerContext* context,
                                 const intake::v1::SubmitApplicationRequest* request,
                                 intake::v1::Application* response) override;
  grpc::Status GetApplication(grpc::ServerContext* context,
                              const intake::v1::GetApplicationRequest* request,
                              intake::v1::Application* response) override;

 private:
  const server::CallRunner* runner_;
  Applications* applications_;
};

}  // namespace onewindow::intake
