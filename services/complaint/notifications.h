#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "libs/store/connection.h"

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "libs/outbox/outbox.h"

namespace onewindow::complaint {

// Notifications leave through the transactional outbox, written in the same
// transaction as the change they announce, and reach notification.v1
// NotificationService/Notify through the relay.
inline constexpr char kNotifyTopic[] = "notification.notify";

// Event types the notification service renders.
inline constexpr char kReceived[] = "work_order.received";
inline constexpr char kDispatched[] = "work_order.dispatched";
inline constexpr char kReplied[] = "work_order.replied";
inline constexpr char kCallbackRequested[] = "work_order.callback_requested";
inline constexpr char kEscalated[] = "work_order.escalated";
// Told apart by type, so each notice can say which and a refusal why.
inline constexpr char kExtensionApproved[] = "work_order.extension_approved";
inline constexpr char kExtensionRefused[] = "work_order.extension_refused";
// To the rater: thanks, their rating is in.
inline constexpr char kRatingReceived[] = "rating.received";
// To the rated department; urgent when the rating is bad.
inline constexpr char kRatingSubmitted[] = "rating.submitted";
inline constexpr char kRatingFollowUp[] = "rating.follow_up";
inline constexpr char kRectificationOpened[] = "rectification.opened";

struct Notice {
  std::string type;
  // An account id, or DepartmentRecipient(...).
  std::string recipient;
  std::map<std::string, std::string> params;
  bool urgent = false;
};

// "dept:<department_id>": the department's shared inbox.
std::string DepartmentRecipient(const std::string& department_id);

// Enqueues `notices` inside the caller's transaction, with event ids
// "<event_prefix>:<index>" (the prefix must be unique per change, e.g. the
// order id and its timeline length) and `ordering_key` so one order's
// notices arrive in order. Notices without a recipient are skipped.
absl::Status EnqueueNotices(store::Connection& tx, const std::string& ordering_key,
                            const std::string& event_prefix, const std::vector<Notice>& notices,
                            absl::Time now);

}  // namespace onewindow::complaint
