#pragma once

#include "absl/strings/string_view.h"
#include "onewindow/notification/v1/notification.pb.h"

namespace onewindow::notification {

// Short lower-case names for logs, metric labels and provider payloads:
// "in_app", "sms", "email", "webhook".
absl::string_view ChannelName(notification::v1::Channel channel);
// "queued", "sending", "delivered", "failed_temporary", "failed_permanent".
absl::string_view StatusName(notification::v1::DeliveryStatus status);

}  // namespace onewindow::notification
