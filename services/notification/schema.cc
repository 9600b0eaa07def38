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
      {2, "templates, preferences, deliveries",
       R"sql(
-- The event as received (serialized notification.v1.Event) and how its
-- in-app text was rendered.
ALTER TABLE inbox ADD COLUMN event BLOB NOT NULL DEFAULT x'';
ALTER TABLE inbox ADD COLUMN language TEXT NOT NULL DEFAULT 'zh-CN';
ALTER TABLE inbox ADD COLUMN template_version INTEGER NOT NULL DEFAULT 0;

-- Every version of every template; the highest version of a key is current.
CREATE TABLE templates (
  event_type TEXT NOT NULL,
  channel INTEGER NOT NULL,          -- notification.v1.Channel
  language TEXT NOT NULL,
  version INTEGER NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  author TEXT NOT NULL,
  create_time INTEGER NOT NULL,
  PRIMARY KEY (event_type, channel, language, version)
) WITHOUT ROWID;

CREATE TABLE preferences (
  recipient_id TEXT PRIMARY KEY,
  sms INTEGER NOT NULL,
  email INTEGER NOT NULL,
  webhook INTEGER NOT NULL,
  phone TEXT NOT NULL,
  email_address TEXT NOT NULL,
  webhook_url TEXT NOT NULL,
  language TEXT NOT NULL,
  update_time INTEGER NOT NULL
) WITHOUT ROWID;

-- One message to one external channel: the delivery queue. Its id is the
-- idempotency reference every provider receives.
CREATE TABLE deliveries (
  id TEXT PRIMARY KEY,
  message_id TEXT NOT NULL REFERENCES inbox(id),
  channel INTEGER NOT NULL,          -- notification.v1.Channel
  recipient_id TEXT NOT NULL,
  address TEXT NOT NULL,             -- phone, e-mail address or URL: needed to send
  language TEXT NOT NULL,
  template_version INTEGER NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  urgent INTEGER NOT NULL,
  status INTEGER NOT NULL,           -- notification.v1.DeliveryStatus
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_time INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  create_time INTEGER NOT NULL,
  update_time INTEGER NOT NULL,
  deliver_time INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX deliveries_by_message ON deliveries(message_id);
-- QUEUED (1) and FAILED_TEMPORARY (4) wait for their time.
CREATE INDEX deliveries_due ON deliveries(next_attempt_time) WHERE status IN (1, 4);
-- Also SENDING (2): the queue depth.
CREATE INDEX deliveries_open ON deliveries(channel) WHERE status IN (1, 2, 4);

-- Each hand-over to a provider, written before the provider is called.
CREATE TABLE delivery_attempts (
  delivery_id TEXT NOT NULL REFERENCES deliveries(id),
  attempt INTEGER NOT NULL,
  status INTEGER NOT NULL,           -- SENDING until the outcome is recorded
  uncertain INTEGER NOT NULL DEFAULT 0,
  provider TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '',
  start_time INTEGER NOT NULL,
  end_time INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (delivery_id, attempt)
) WITHOUT ROWID;
CREATE INDEX delivery_attempts_sending ON delivery_attempts(status) WHERE status = 2;
)sql"},
      {3, "inbox read marks",
       R"sql(
-- When each message was marked read, as a count of marks: a listing paged
-- while messages are read leaves out, in its read part, those it already
-- listed as unread (inbox.cc).
ALTER TABLE inbox ADD COLUMN read_mark INTEGER NOT NULL DEFAULT 0;
CREATE TABLE inbox_read_marks (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  last INTEGER NOT NULL
);
INSERT INTO inbox_read_marks VALUES (1, 0);
)sql"},
  };
  return *kMigrations;
}

}  // namespace onewindow::notification
