#include "services/notification/schema.h"

namespace onewindow::notification {

const std::vector<store::Migration>& NotificationMigrations() {
  static const auto* const kMigrations = new std::vector<store::Migration>{
      {1, "inbox",
       R"sql(
CREATE TABLE inbox (
  id TEXT PRIMARY KEY,
  event_id TEXT NOT NULL UNIQUE,
  event_type TEXT NOT NULL,
  recipient_id TEXT NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  read INTEGER NOT NULL DEFAULT 0,
  create_time INTEGER NOT NULL
);
CREATE INDEX inbox_by_recipient ON inbox(recipient_id, read, create_time DESC);
)sql"},
  };
  return *kMigrations;
}

}  // namespace onewindow::notification
