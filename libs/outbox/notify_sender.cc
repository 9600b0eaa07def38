#include "libs/outbox/notify_sender.h"

#include <utility>

#include "absl/strings/string_view.h"
#include "libs/codes/utf8.h"
#include "libs/outbox/grpc_sender.h"

namespace onewindow::outbox {

void FitNotifyParams(notification::v1::Event* event) {
  constexpr absl::string_view kEllipsis = "…";
  for (auto& [key, value] : *event->mutable_params()) {
    if (value.size() <= kMaxNotifyParamBytes) continue;
    value.resize(codes::Utf8Prefix(value, kMaxNotifyParamBytes - kEllipsis.size()).size());
    value.append(kEllipsis.data(), kEllipsis.size());
  }
}

AsyncSender NotifySender(notification::v1::NotificationService::StubInterface* notification,
                         ContextFactory context) {
  return GrpcSender<notification::v1::NotifyRequest, notification::v1::NotifyResponse>(
      "notify", std::move(context),
      [notification](grpc::ClientContext* context, const notification::v1::NotifyRequest* request,
                     notification::v1::NotifyResponse* reply,
                     std::function<void(grpc::Status)> on_done) {
        notification->async()->Notify(context, request, reply, std::move(on_done));
      });
}

BatchSender NotifyBatchSender(notification::v1::NotificationService::StubInterface* notification,
                              ContextFactory context) {
  return GrpcBatchSender<notification::v1::NotifyBatchRequest>(
      context, [](notification::v1::NotifyBatchRequest* r) { return r->add_notifications(); },
      [notification](grpc::ClientContext* context,
                     const notification::v1::NotifyBatchRequest* request,
                     api::v1::HandoffResults* reply, std::function<void(grpc::Status)> on_done) {
        notification->async()->NotifyBatch(context, request, reply, std::move(on_done));
      },
      NotifySender(notification, context));
}

}  // namespace onewindow::outbox
