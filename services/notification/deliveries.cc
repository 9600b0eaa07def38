#include "services/notification/deliveries.h"

#include <SQLiteCpp/Statement.h>

#include <optional>

#include "absl/strings/str_cat.h"
#include "libs/codes/mask.h"
#include "libs/codes/utf8.h"
#include "libs/status/macros.h"
#include "libs/store/times.h"
#include "services/notification/contacts.h"

namespace onewindow::notification {
namespace {

using notification::v1::Channel;
using notification::v1::DeliveryStatus;
using store::FromStoredTime;
using store::ToProtoTime;
using store::ToStoredTime;

constexpr char kUncertain[] =
    "the process stopped after handing this attempt to the provider and before recording its "
    "answer; re-sent with the same idempotency reference";

constexpr char kSettledMeanwhile[] =
    "the process stopped before recording this attempt's answer; a provider report settled the "
    "delivery";

void SetTime(int64_t stored, google::protobuf::Timestamp* out) {
  if (stored != 0) *out = ToProtoTime(FromStoredTime(stored));
}

// Fills a Delivery from a row of kDeliveryColumns, then its attempt log.
constexpr char kDeliveryColumns[] =
    "id, message_id, channel, status, address, attempts, last_error, language, template_version,"
    " create_time, next_attempt_time, deliver_time";

notification::v1::Delivery DeliveryFromRow(store::Connection& db, SQLite::Statement& row) {
  notification::v1::Delivery d;
  d.set_delivery_id(row.getColumn(0).getString());
  d.set_message_id(row.getColumn(1).getString());
  d.set_channel(static_cast<Channel>(row.getColumn(2).getInt()));
  d.set_status(static_cast<DeliveryStatus>(row.getColumn(3).getInt()));
  d.set_address(MaskedAddress(d.channel(), row.getColumn(4).getString()));
  d.set_attempts(row.getColumn(5).getInt());
  d.set_last_error(row.getColumn(6).getString());
  d.set_language(row.getColumn(7).getString());
  d.set_template_version(row.getColumn(8).getInt());
  SetTime(row.getColumn(9).getInt64(), d.mutable_create_time());
  if (d.status() == notification::v1::QUEUED || d.status() == notification::v1::FAILED_TEMPORARY) {
    SetTime(row.getColumn(10).getInt64(), d.mutable_next_attempt_time());
  }
  SetTime(row.getColumn(11).getInt64(), d.mutable_deliver_time());
  SQLite::Statement attempts(db,
                             "SELECT attempt, status, uncertain, detail, start_time, end_time"
                             " FROM delivery_attempts WHERE delivery_id = ? ORDER BY attempt");
  attempts.bind(1, d.delivery_id());
  while (attempts.executeStep()) {
    auto* a = d.add_attempt_log();
    a->set_attempt(attempts.getColumn(0).getInt());
    a->set_status(static_cast<DeliveryStatus>(attempts.getColumn(1).getInt()));
    a->set_uncertain(attempts.getColumn(2).getInt() != 0);
    a->set_detail(attempts.getColumn(3).getString());
    SetTime(attempts.getColumn(4).getInt64(), a->mutable_start_time());
    SetTime(attempts.getColumn(5).getInt64(), a->mutable_end_time());
  }
  return d;
}

}  // namespace

std::string MaskedAddress(Channel channel, const std::string& address) {
  switch (channel) {
    case notification::v1::CHANNEL_SMS:
      return codes::MaskPhone(address);
    case notification::v1::CHANNEL_EMAIL:
      return MaskEmail(address);
    case notification::v1::CHANNEL_WEBHOOK: {
      auto url = ParseHttpUrl(address);
      return url.ok() ? url->host : std::string(address.size(), '*');
    }
    default:
      return std::string(address.size(), '*');
  }
}

absl::StatusOr<std::vector<PendingDelivery>> DeliveryStore::Due(absl::Time now, int limit) const {
  std::vector<PendingDelivery> due;
  RETURN_IF_ERROR(db_->Read([&](store::Connection& db) {
    SQLite::Statement query(
        db,
        "SELECT d.id, d.message_id, d.channel, d.recipient_id, d.address, d.language,"
        " d.template_version, d.title, d.body, d.urgent, d.attempts, d.create_time, i.event"
        " FROM deliveries d JOIN inbox i ON i.id = d.message_id"
        " WHERE d.status IN (1, 4) AND d.next_attempt_time <= ?"
        " ORDER BY d.next_attempt_time LIMIT ?");
    query.bind(1, ToStoredTime(now));
    query.bind(2, limit);
    while (query.executeStep()) {
      PendingDelivery d;
      d.id = query.getColumn(0).getString();
      d.message_id = query.getColumn(1).getString();
      d.channel = static_cast<Channel>(query.getColumn(2).getInt());
      d.recipient_id = query.getColumn(3).getString();
      d.address = query.getColumn(4).getString();
      d.language = query.getColumn(5).getString();
      d.template_version = query.getColumn(6).getInt();
      d.title = query.getColumn(7).getString();
      d.body = query.getColumn(8).getString();
      d.urgent = query.getColumn(9).getInt() != 0;
      d.attempts = query.getColumn(10).getInt();
      d.create_time = FromStoredTime(query.getColumn(11).getInt64());
      const SQLite::Column event = query.getColumn(12);
      d.event.ParseFromArray(event.getBlob(), event.getBytes());
      due.push_back(std::move(d));
    }
    return absl::OkStatus();
  }));
  return due;
}

absl::StatusOr<absl::Time> DeliveryStore::NextDue() const {
  absl::Time next = absl::InfiniteFuture();
  RETURN_IF_ERROR(db_->Read([&](store::Connection& db) {
    SQLite::Statement query(db,
                            "SELECT MIN(next_attempt_time) FROM deliveries WHERE status IN (1, 4)");
    if (query.executeStep() && !query.getColumn(0).isNull()) {
      next = FromStoredTime(query.getColumn(0).getInt64());
    }
    return absl::OkStatus();
  }));
  return next;
}

absl::Status DeliveryStore::Postpone(const std::string& id, absl::Time until, absl::Time now) {
  return db_->WriteGrouped([&](store::Connection& db) -> absl::Status {
    SQLite::Statement update(db,
                             "UPDATE deliveries SET next_attempt_time = ?, update_time = ?"
                             " WHERE id = ? AND status IN (1, 4)");
    update.bind(1, ToStoredTime(until));
    update.bind(2, ToStoredTime(now));
    update.bind(3, id);
    update.exec();
    return absl::OkStatus();
  });
}

absl::StatusOr<bool> DeliveryStore::BeginAttempt(const std::string& id, int attempt,
                                                 const std::string& provider, absl::Time now) {
  bool began = false;
  RETURN_IF_ERROR(db_->WriteGrouped([&](store::Connection& db) -> absl::Status {
    SQLite::Statement claim(db,
                            "UPDATE deliveries SET status = 2, attempts = ?, update_time = ?"
                            " WHERE id = ? AND status IN (1, 4) AND attempts = ?");
    claim.bind(1, attempt);
    claim.bind(2, ToStoredTime(now));
    claim.bind(3, id);
    claim.bind(4, attempt - 1);
    began = claim.exec() == 1;
    if (!began) return absl::OkStatus();
    SQLite::Statement log(db,
                          "INSERT INTO delivery_attempts(delivery_id, attempt, status, provider,"
                          " start_time) VALUES(?, ?, 2, ?, ?)");
    log.bind(1, id);
    log.bind(2, attempt);
    log.bind(3, provider);
    log.bind(4, ToStoredTime(now));
    log.exec();
    return absl::OkStatus();
  }));
  return began;
}

absl::StatusOr<bool> DeliveryStore::FinishAttempt(const std::string& id, int attempt,
                                                  const AttemptOutcome& outcome, absl::Time now) {
  bool changed = false;
  RETURN_IF_ERROR(db_->WriteGrouped([&](store::Connection& db) -> absl::Status {
    SQLite::Statement close(db,
                            "UPDATE delivery_attempts SET status = ?, detail = ?, end_time = ?"
                            " WHERE delivery_id = ? AND attempt = ? AND status = 2");
    close.bind(1, static_cast<int>(outcome.attempt_status));
    close.bind(2, outcome.detail);
    close.bind(3, ToStoredTime(now));
    close.bind(4, id);
    close.bind(5, attempt);
    close.exec();
    const bool delivered = outcome.delivery_status == notification::v1::DELIVERED;
    SQLite::Statement settle(
        db,
        "UPDATE deliveries SET status = ?, last_error = ?, next_attempt_time = ?,"
        " update_time = ?, deliver_time = ? WHERE id = ? AND status = 2 AND attempts = ?");
    settle.bind(1, static_cast<int>(outcome.delivery_status));
    settle.bind(2, delivered ? std::string() : outcome.detail);
    settle.bind(3, ToStoredTime(outcome.next_attempt_time == absl::InfinitePast()
                                    ? now
                                    : outcome.next_attempt_time));
    settle.bind(4, ToStoredTime(now));
    settle.bind(5, delivered ? ToStoredTime(now) : int64_t{0});
    settle.bind(6, id);
    settle.bind(7, attempt);
    changed = settle.exec() == 1;
    return absl::OkStatus();
  }));
  return changed;
}

absl::StatusOr<int> DeliveryStore::RecoverInFlight(absl::Time now) {
  int requeued = 0;
  RETURN_IF_ERROR(db_->Write([&](store::Connection& db) -> absl::Status {
    std::vector<std::pair<std::string, int>> in_flight;
    SQLite::Statement sending(
        db, "SELECT delivery_id, attempt FROM delivery_attempts WHERE status = 2");
    while (sending.executeStep()) {
      in_flight.emplace_back(sending.getColumn(0).getString(), sending.getColumn(1).getInt());
    }
    SQLite::Statement close(db,
                            "UPDATE delivery_attempts SET status = 4, uncertain = 1, detail = ?,"
                            " end_time = ? WHERE delivery_id = ? AND attempt = ?");
    // The re-send is due now whatever the back-off: the first may have been
    // lost, and the receiver drops it if not.
    SQLite::Statement requeue(db,
                              "UPDATE deliveries SET status = 4, last_error = ?,"
                              " next_attempt_time = ?, update_time = ?"
                              " WHERE id = ? AND status = 2 AND attempts = ?");
    for (const auto& [id, attempt] : in_flight) {
      requeue.reset();
      requeue.bind(1, kUncertain);
      requeue.bind(2, ToStoredTime(now));
      requeue.bind(3, ToStoredTime(now));
      requeue.bind(4, id);
      requeue.bind(5, attempt);
      const bool again = requeue.exec() == 1;
      requeued += again ? 1 : 0;
      close.reset();
      // Not re-sent when a provider callback settled the delivery meanwhile.
      close.bind(1, again ? kUncertain : kSettledMeanwhile);
      close.bind(2, ToStoredTime(now));
      close.bind(3, id);
      close.bind(4, attempt);
      close.exec();
    }
    return absl::OkStatus();
  }));
  return requeued;
}

absl::StatusOr<notification::v1::Delivery> DeliveryStore::ApplyCallback(const std::string& id,
                                                                        DeliveryStatus status,
                                                                        const std::string& detail,
                                                                        absl::Time now,
                                                                        DeliveryStatus* previous) {
  if (id.empty()) return absl::InvalidArgumentError("delivery_id: required");
  if (status != notification::v1::DELIVERED && status != notification::v1::FAILED_PERMANENT) {
    return absl::InvalidArgumentError("status: must be DELIVERED or FAILED_PERMANENT");
  }
  notification::v1::Delivery delivery;
  RETURN_IF_ERROR(db_->Write([&](store::Connection& db) -> absl::Status {
    SQLite::Statement current(db, "SELECT status FROM deliveries WHERE id = ?");
    current.bind(1, id);
    if (!current.executeStep()) {
      return absl::NotFoundError(absl::StrCat("delivery ", id, " not found"));
    }
    *previous = static_cast<DeliveryStatus>(current.getColumn(0).getInt());
    if (*previous != status) {
      const bool delivered = status == notification::v1::DELIVERED;
      SQLite::Statement update(
          db,
          "UPDATE deliveries SET status = ?, last_error = ?, update_time = ?,"
          " deliver_time = CASE WHEN ? THEN ? ELSE deliver_time END WHERE id = ?");
      update.bind(1, static_cast<int>(status));
      // Kept short: the recipient reads it in GetMessageStatus, and a
      // provider's report is not refused for its length.
      update.bind(2, delivered ? std::string()
                               : absl::StrCat("provider reported: ",
                                              codes::Utf8Prefix(detail, kMaxReportedDetailBytes)));
      update.bind(3, ToStoredTime(now));
      update.bind(4, delivered ? 1 : 0);
      update.bind(5, ToStoredTime(now));
      update.bind(6, id);
      update.exec();
    }
    SQLite::Statement row(
        db, absl::StrCat("SELECT ", kDeliveryColumns, " FROM deliveries WHERE id = ?"));
    row.bind(1, id);
    row.executeStep();
    delivery = DeliveryFromRow(db, row);
    return absl::OkStatus();
  }));
  return delivery;
}

absl::StatusOr<notification::v1::Delivery> DeliveryStore::Get(const std::string& id) const {
  std::optional<notification::v1::Delivery> found;
  RETURN_IF_ERROR(db_->Read([&](store::Connection& db) {
    SQLite::Statement row(
        db, absl::StrCat("SELECT ", kDeliveryColumns, " FROM deliveries WHERE id = ?"));
    row.bind(1, id);
    if (row.executeStep()) found = DeliveryFromRow(db, row);
    return absl::OkStatus();
  }));
  if (!found.has_value()) return absl::NotFoundError(absl::StrCat("delivery ", id, " not found"));
  return *found;
}

absl::StatusOr<notification::v1::MessageStatus> DeliveryStore::MessageStatus(
    const std::string& message_id) const {
  if (message_id.empty()) return absl::InvalidArgumentError("message_id: required");
  notification::v1::MessageStatus status;
  bool found = false;
  RETURN_IF_ERROR(db_->Read([&](store::Connection& db) {
    SQLite::Statement message(db, "SELECT event_id, event_type, read FROM inbox WHERE id = ?");
    message.bind(1, message_id);
    if (!message.executeStep()) return absl::OkStatus();
    found = true;
    status.set_message_id(message_id);
    status.set_event_id(message.getColumn(0).getString());
    status.set_event_type(message.getColumn(1).getString());
    status.set_read(message.getColumn(2).getInt() != 0);
    SQLite::Statement rows(db, absl::StrCat("SELECT ", kDeliveryColumns,
                                            " FROM deliveries WHERE message_id = ?"
                                            " ORDER BY channel"));
    rows.bind(1, message_id);
    while (rows.executeStep()) *status.add_deliveries() = DeliveryFromRow(db, rows);
    return absl::OkStatus();
  }));
  if (!found) return absl::NotFoundError(absl::StrCat("message ", message_id, " not found"));
  return status;
}

absl::StatusOr<std::map<Channel, int64_t>> DeliveryStore::QueueDepth() const {
  std::map<Channel, int64_t> depth;
  RETURN_IF_ERROR(db_->Read([&](store::Connection& db) {
    SQLite::Statement query(db,
                            "SELECT channel, COUNT(*) FROM deliveries WHERE status IN (1, 2, 4)"
                            " GROUP BY channel");
    while (query.executeStep()) {
      depth[static_cast<Channel>(query.getColumn(0).getInt())] = query.getColumn(1).getInt64();
    }
    return absl::OkStatus();
  }));
  return depth;
}

}  // namespace onewindow::notification
