#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/store/database.h"
#include "onewindow/notification/v1/notification.pb.h"

namespace onewindow::notification {

// In-app messages, one per event: the in-app channel is always on.
class Inbox {
 public:
  explicit Inbox(store::Database* db) : db_(db) {}

  // Idempotent on event id.
  absl::StatusOr<notification::v1::NotifyResponse> Deliver(const notification::v1::Event& event,
                                                           absl::Time now);
  // Unread first, newest first within each; page_token is an offset.
  absl::StatusOr<notification::v1::ListInboxResponse> List(const std::string& recipient_id,
                                                           int page_size,
                                                           const std::string& page_token) const;

 private:
  store::Database* db_;
};

}  // namespace onewindow::notification
