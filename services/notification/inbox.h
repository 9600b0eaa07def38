#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/store/database.h"
#include "onewindow/notification/v1/notification.pb.h"

namespace onewindow::notification {

// In-app messages: one per event, always on. Reading is by recipient; the
// gRPC layer decides who may act for which recipient.
class Inbox {
 public:
  explicit Inbox(store::Database* db) : db_(db) {}

  // Unread first, newest first within each. Paging while messages are
  // marked read or arrive lists each message that was there once.
  absl::StatusOr<notification::v1::ListInboxResponse> List(const std::string& recipient_id,
                                                           int page_size,
                                                           const std::string& page_token) const;
  // Whose message it is; NOT_FOUND for an unknown id.
  absl::StatusOr<std::string> Owner(const std::string& message_id) const;
  // Marking a read message again changes nothing (marked = 0).
  absl::StatusOr<notification::v1::MarkReadResponse> MarkRead(const std::string& message_id);
  absl::StatusOr<notification::v1::MarkReadResponse> MarkAllRead(const std::string& recipient_id);
  absl::StatusOr<int> UnreadCount(const std::string& recipient_id) const;

 private:
  store::Database* db_;
};

}  // namespace onewindow::notification
