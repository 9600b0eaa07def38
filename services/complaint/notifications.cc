#include "services/complaint/notifications.h"

#include "absl/strings/str_cat.h"
#include "libs/outbox/notify_sender.h"
#include "libs/status/macros.h"
#include "onewindow/notification/v1/notification.pb.h"

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
    outbox::FitNotifyParams(event);
    event->set_urgent(n.urgent);
    RETURN_IF_ERROR(outbox::Enqueue(
        tx, {event->event_id(), kNotifyTopic, ordering_key, request.SerializeAsString()}, now));
  }
  return absl::OkStatus();
}

}  // namespace onewindow::complaint
