#pragma once

#include <vector>

#include "onewindow/notification/v1/notification.pb.h"

namespace onewindow::notification {

// The templates a fresh installation starts with: every event type the
// other services send, in-app and SMS, zh-CN and en. E-mail and webhook use
// the in-app text. They become version 1 of each template that has no
// version yet; after that only PutTemplate changes them, so an operator's
// wording is never overwritten by an upgrade.
const std::vector<notification::v1::Template>& ShippedTemplates();

}  // namespace onewindow::notification
