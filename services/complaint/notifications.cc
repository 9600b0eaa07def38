#include "services/complaint/notifications.h"

#include <grpcpp/client_context.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/server/call.h"
#include "libs/status/grpc_status.h"
#include "libs/status/macros.h"
#include "onewindow/notification/v1/notification.grpc.pb.h"

namespace onewindow::complaint {

std::string DepartmentRecipient(const std::string& department_id) {
  return absl::StrCat("dept:", department_id);
}

absl::Status EnqueueNotices(store::Connection& tx, const std::string& ordering_key,
                            const std::string& event_prefix, const std::vector<Notice>& notices,
                            absl::Time now) {
  for (size_t i = 0; i < notices.size(); ++i) {
    const Notice& n = notices[i];
    if (n.recipient.empty() || n.recipient == "dept:") continue;
    notification::v1::NotifyRequest request;
    notification::v1::Event* event = request.mutable_event();
    event->set_event_id(absl::StrCat(event_prefix, ":", i));
    event->set_type(n.type);
    event->set_recipient_id(n.recipient);
    for (const auto& [k, v] : n.params) (*event->mutable_params())[k] = v;
    event->set_urgent(n.urgent);
    RETURN_IF_ERROR(outbox::Enqueue(
        tx, {event->event_id(), kNotifyTopic, ordering_key, request.SerializeAsString()}, now));
  }
  return absl::OkStatus();
}

outbox::Sender MakeNotifySender(std::shared_ptr<grpc::Channel> channel,
                                std::function<std::string()> token) {
  auto stub = std::shared_ptr<notification::v1::NotificationService::Stub>(
      notification::v1::NotificationService::NewStub(channel));
  return [stub, token](const outbox::PendingEvent& pending) -> absl::Status {
    notification::v1::NotifyRequest request;
    if (!request.ParseFromString(pending.event.payload)) {
      return absl::InvalidArgumentError("outbox payload is not a NotifyRequest");
    }
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    context.AddMetadata(server::kPrincipalHeader, token());
    notification::v1::NotifyResponse response;
    return status::FromGrpcStatus(stub->Notify(&context, request, &response));
  };
}

}  // namespace onewindow::complaint
