#include "services/notification/inbox.h"

#include <SQLiteCpp/Statement.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/status/macros.h"
#include "libs/store/times.h"

namespace onewindow::notification {
namespace {

constexpr int kDefaultPageSize = 20;
constexpr int kMaxPageSize = 100;

int CountUnread(store::Connection& db, const std::string& recipient_id) {
  SQLite::Statement unread(db, "SELECT COUNT(*) FROM inbox WHERE recipient_id = ? AND read = 0");
  unread.bind(1, recipient_id);
  unread.executeStep();
  return unread.getColumn(0).getInt();
}

}  // namespace

absl::StatusOr<notification::v1::ListInboxResponse> Inbox::List(
    const std::string& recipient_id, int page_size, const std::string& page_token) const {
  if (page_size < 0 || page_size > kMaxPageSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size: must be between 0 and ", kMaxPageSize));
  }
  if (page_size == 0) page_size = kDefaultPageSize;
  int64_t offset = 0;
  if (!page_token.empty() && (!absl::SimpleAtoi(page_token, &offset) || offset < 0)) {
    return absl::InvalidArgumentError("page_token: not a token this server issued");
  }
  notification::v1::ListInboxResponse response;
  RETURN_IF_ERROR(db_->Read([&](store::Connection& db) {
    SQLite::Statement query(db,
                            "SELECT id, event_type, title, body, read, create_time, language,"
                            " template_version FROM inbox WHERE recipient_id = ?"
                            " ORDER BY read, create_time DESC, id LIMIT ? OFFSET ?");
    query.bind(1, recipient_id);
    query.bind(2, page_size + 1);
    query.bind(3, offset);
    int rows = 0;
    while (query.executeStep()) {
      if (++rows > page_size) {
        response.set_next_page_token(absl::StrCat(offset + page_size));
        break;
      }
      auto* m = response.add_messages();
      m->set_message_id(query.getColumn(0).getString());
      m->set_event_type(query.getColumn(1).getString());
      m->set_title(query.getColumn(2).getString());
      m->set_body(query.getColumn(3).getString());
      m->set_read(query.getColumn(4).getInt() != 0);
      *m->mutable_create_time() =
          store::ToProtoTime(store::FromStoredTime(query.getColumn(5).getInt64()));
      m->set_language(query.getColumn(6).getString());
      m->set_template_version(query.getColumn(7).getInt());
    }
    response.set_unread_count(CountUnread(db, recipient_id));
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<std::string> Inbox::Owner(const std::string& message_id) const {
  if (message_id.empty()) return absl::InvalidArgumentError("message_id: required");
  std::string owner;
  RETURN_IF_ERROR(db_->Read([&](store::Connection& db) {
    SQLite::Statement query(db, "SELECT recipient_id FROM inbox WHERE id = ?");
    query.bind(1, message_id);
    if (query.executeStep()) owner = query.getColumn(0).getString();
    return absl::OkStatus();
  }));
  if (owner.empty()) return absl::NotFoundError(absl::StrCat("message ", message_id, " not found"));
  return owner;
}

absl::StatusOr<notification::v1::MarkReadResponse> Inbox::MarkRead(const std::string& message_id) {
  notification::v1::MarkReadResponse response;
  RETURN_IF_ERROR(db_->Write([&](store::Connection& db) -> absl::Status {
    SQLite::Statement owner(db, "SELECT recipient_id FROM inbox WHERE id = ?");
    owner.bind(1, message_id);
    if (!owner.executeStep()) {
      return absl::NotFoundError(absl::StrCat("message ", message_id, " not found"));
    }
    const std::string recipient = owner.getColumn(0).getString();
    SQLite::Statement mark(db, "UPDATE inbox SET read = 1 WHERE id = ? AND read = 0");
    mark.bind(1, message_id);
    response.set_marked(mark.exec());
    response.set_unread_count(CountUnread(db, recipient));
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<notification::v1::MarkReadResponse> Inbox::MarkAllRead(
    const std::string& recipient_id) {
  notification::v1::MarkReadResponse response;
  RETURN_IF_ERROR(db_->Write([&](store::Connection& db) -> absl::Status {
    SQLite::Statement mark(db, "UPDATE inbox SET read = 1 WHERE recipient_id = ? AND read = 0");
    mark.bind(1, recipient_id);
    response.set_marked(mark.exec());
    response.set_unread_count(0);
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<int> Inbox::UnreadCount(const std::string& recipient_id) const {
  int count = 0;
  RETURN_IF_ERROR(db_->Read([&](store::Connection& db) {
    count = CountUnread(db, recipient_id);
    return absl::OkStatus();
  }));
  return count;
}

}  // namespace onewindow::notification
