#include "services/notification/inbox.h"

#include <SQLiteCpp/Statement.h>

#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/status/macros.h"
#include "libs/store/times.h"

namespace onewindow::notification {
namespace {

constexpr int kDefaultPageSize = 20;
constexpr int kMaxPageSize = 100;

// Where a page ended, in the list's order (unread first, newest first,
// then by id): the next page starts after it. A position rather than an
// offset, so messages marked read or arriving while a client pages shift
// nothing. Messages listed as unread and marked read since would come
// round again in the read part: the token keeps the count of read marks
// when the listing began and the last unread message it listed, and the
// read part leaves out those marked since and listed already.
struct Cursor {
  int64_t marks = 0;
  int read = -1;  // -1: before the first message.
  int64_t create_time = 0;
  std::string id;
  // The last unread message listed; empty id: none yet.
  int64_t unread_time = 0;
  std::string unread_id;
};

// Message ids are "msg_" and hex, so '.' separates fields unambiguously.
std::string TokenFor(const Cursor& c) {
  return absl::StrCat("p1.", c.marks, ".", c.read, ".", c.create_time, ".", c.id, ".",
                      c.unread_time, ".", c.unread_id);
}

bool ParseToken(absl::string_view token, Cursor* c) {
  const std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 7 || parts[0] != "p1" || parts[4].empty()) return false;
  if (!absl::SimpleAtoi(parts[1], &c->marks) || !absl::SimpleAtoi(parts[2], &c->read) ||
      (c->read != 0 && c->read != 1) || !absl::SimpleAtoi(parts[3], &c->create_time) ||
      !absl::SimpleAtoi(parts[5], &c->unread_time)) {
    return false;
  }
  c->id = std::string(parts[4]);
  c->unread_id = std::string(parts[6]);
  return true;
}

int64_t ReadMarks(store::Connection& db) {
  SQLite::Statement q(db, "SELECT last FROM inbox_read_marks WHERE id = 1");
  return q.executeStep() ? q.getColumn(0).getInt64() : 0;
}

// Inside the caller's write: marks the unread messages whose `column` is
// `value` read, under the next read mark, which is counted only when a
// message was marked. Returns how many.
int MarkUnread(store::Connection& db, const char* column, const std::string& value) {
  SQLite::Statement mark(db, absl::StrCat("UPDATE inbox SET read = 1, read_mark ="
                                          " (SELECT last + 1 FROM inbox_read_marks WHERE id = 1)"
                                          " WHERE ",
                                          column, " = ? AND read = 0"));
  mark.bind(1, value);
  const int marked = mark.exec();
  if (marked > 0) db.exec("UPDATE inbox_read_marks SET last = last + 1 WHERE id = 1");
  return marked;
}

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
  Cursor cursor;
  if (!page_token.empty() && !ParseToken(page_token, &cursor)) {
    return absl::InvalidArgumentError("page_token: not a token this server issued");
  }
  notification::v1::ListInboxResponse response;
  RETURN_IF_ERROR(db_->Read([&](store::Connection& db) {
    if (page_token.empty()) cursor.marks = ReadMarks(db);
    SQLite::Statement query(
        db,
        "SELECT id, event_type, title, body, read, create_time, language,"
        " template_version FROM inbox WHERE recipient_id = :recipient"
        " AND (read > :read OR (read = :read AND (create_time < :time"
        " OR (create_time = :time AND id > :id))))"
        " AND NOT (read = 1 AND read_mark > :marks AND :unread_id != ''"
        " AND (create_time > :unread_time OR (create_time = :unread_time AND id <= :unread_id)))"
        " ORDER BY read, create_time DESC, id LIMIT :limit");
    query.bind(":recipient", recipient_id);
    query.bind(":read", cursor.read);
    query.bind(":time", cursor.create_time);
    query.bind(":id", cursor.id);
    query.bind(":marks", cursor.marks);
    query.bind(":unread_time", cursor.unread_time);
    query.bind(":unread_id", cursor.unread_id);
    query.bind(":limit", page_size + 1);
    int rows = 0;
    while (query.executeStep()) {
      if (++rows > page_size) {
        response.set_next_page_token(TokenFor(cursor));
        break;
      }
      cursor.read = query.getColumn(4).getInt();
      cursor.create_time = query.getColumn(5).getInt64();
      cursor.id = query.getColumn(0).getString();
      if (cursor.read == 0) {
        cursor.unread_time = cursor.create_time;
        cursor.unread_id = cursor.id;
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
    response.set_marked(MarkUnread(db, "id", message_id));
    response.set_unread_count(CountUnread(db, recipient));
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<notification::v1::MarkReadResponse> Inbox::MarkAllRead(
    const std::string& recipient_id) {
  notification::v1::MarkReadResponse response;
  RETURN_IF_ERROR(db_->Write([&](store::Connection& db) -> absl::Status {
    response.set_marked(MarkUnread(db, "recipient_id", recipient_id));
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
