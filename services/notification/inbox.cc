#include "services/notification/inbox.h"

#include <SQLiteCpp/Statement.h>

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/auth/random.h"
#include "libs/status/macros.h"
#include "libs/store/times.h"

namespace onewindow::notification {

absl::StatusOr<notification::v1::NotifyResponse> Inbox::Deliver(
    const notification::v1::Event& event, absl::Time now) {
  std::vector<std::string> problems;
  if (event.event_id().empty()) problems.push_back("event.event_id: required");
  if (event.type().empty()) problems.push_back("event.type: required");
  if (event.recipient_id().empty()) problems.push_back("event.recipient_id: required");
  if (!problems.empty()) return absl::InvalidArgumentError(absl::StrJoin(problems, "; "));

  notification::v1::NotifyResponse response;
  RETURN_IF_ERROR(db_->Write([&](SQLite::Database& db) -> absl::Status {
    SQLite::Statement existing(db, "SELECT id FROM inbox WHERE event_id = ?");
    existing.bind(1, event.event_id());
    if (existing.executeStep()) {
      response.set_created(false);
      response.set_message_id(existing.getColumn(0).getString());
      return absl::OkStatus();
    }
    response.set_created(true);
    response.set_message_id(absl::StrCat("msg_", auth::RandomHex(12)));
    // Templates come with the notification issue; until then the event
    // type and its parameters are the message.
    std::vector<std::string> params;
    for (const auto& [k, v] : event.params()) params.push_back(absl::StrCat(k, "=", v));
    std::sort(params.begin(), params.end());
    SQLite::Statement insert(db,
                             "INSERT INTO inbox(id, event_id, event_type, recipient_id, title,"
                             " body, create_time) VALUES(?,?,?,?,?,?,?)");
    insert.bind(1, response.message_id());
    insert.bind(2, event.event_id());
    insert.bind(3, event.type());
    insert.bind(4, event.recipient_id());
    insert.bind(5, event.type());
    insert.bind(6, absl::StrJoin(params, "\n"));
    insert.bind(7, static_cast<int64_t>(store::ToStoredTime(now)));
    insert.exec();
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<notification::v1::ListInboxResponse> Inbox::List(
    const std::string& recipient_id, int page_size, const std::string& page_token) const {
  if (page_size < 0 || page_size > 100) {
    return absl::InvalidArgumentError("page_size: must be between 0 and 100");
  }
  if (page_size == 0) page_size = 20;
  int64_t offset = 0;
  if (!page_token.empty() && (!absl::SimpleAtoi(page_token, &offset) || offset < 0)) {
    return absl::InvalidArgumentError("page_token: not a token this server issued");
  }
  notification::v1::ListInboxResponse response;
  RETURN_IF_ERROR(db_->Read([&](SQLite::Database& db) {
    SQLite::Statement query(db,
                            "SELECT id, event_type, title, body, read, create_time FROM inbox"
                            " WHERE recipient_id = ? ORDER BY read, create_time DESC, id"
                            " LIMIT ? OFFSET ?");
    query.bind(1, recipient_id);
    query.bind(2, page_size + 1);
    query.bind(3, static_cast<int64_t>(offset));
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
    }
    SQLite::Statement unread(db, "SELECT COUNT(*) FROM inbox WHERE recipient_id = ? AND read = 0");
    unread.bind(1, recipient_id);
    unread.executeStep();
    response.set_unread_count(unread.getColumn(0).getInt());
    return absl::OkStatus();
  }));
  return response;
}

}  // namespace onewindow::notification
