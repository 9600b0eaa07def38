#pragma once

#include "libs/server/call.h"
#include "onewindow/notification/v1/notification.grpc.pb.h"
#include "services/notification/inbox.h"

namespace onewindow::notification {

class NotificationGrpc final : public notification::v1::NotificationService::Service {
 public:
  NotificationGrpc(const server::CallRunner* runner, Inbox* inbox)
      : runner_(runner), inbox_(inbox) {}

  grpc::Status Notify(grpc::ServerContext* context, const notification::v1::NotifyRequest* request,
                      notification::v1::NotifyResponse* response) override;
  grpc::Status ListInbox(grpc::ServerContext* context,
                         const notification::v1::ListInboxRequest* request,
                         notification::v1::ListInboxResponse* response) override;

 private:
  const server::CallRunner* runner_;
  Inbox* inbox_;
};

}  // namespace onewindow::notification
