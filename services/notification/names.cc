#include "services/notification/names.h"

namespace onewindow::notification {

absl::string_view ChannelName(notification::v1::Channel channel) {
  switch (channel) {
    case notification::v1::CHANNEL_IN_APP:
      return "in_app";
    case notification::v1::CHANNEL_SMS:
      return "sms";
    case notification::v1::CHANNEL_EMAIL:
      return "email";
    case notification::v1::CHANNEL_WEBHOOK:
      return "webhook";
    default:
      return "unspecified";
  }
}

absl::string_view StatusName(notification::v1::DeliveryStatus status) {
  switch (status) {
    case notification::v1::QUEUED:
      return "queued";
    case notification::v1::SENDING:
      return "sending";
    case notification::v1::DELIVERED:
      return "delivered";
    case notification::v1::FAILED_TEMPORARY:
      return "failed_temporary";
    case notification::v1::FAILED_PERMANENT:
      return "failed_permanent";
    default:
      return "unspecified";
  }
}

}  // namespace onewindow::notification
