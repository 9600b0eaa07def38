#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/store/database.h"
#include "onewindow/notification/v1/notification.pb.h"

namespace onewindow::notification {

inline constexpr size_t kMaxReportedDetailBytes = 1000;

// A delivery the worker may attempt now.
struct PendingDelivery {
  std::string id;  // Also the provider idempotency reference.
  std::string message_id;
  notification::v1::Channel channel = notification::v1::CHANNEL_UNSPECIFIED;
  std::string recipient_id;
  std::string address;  // Unmasked: the provider needs it. Never log it.
  std::string language;
  int template_version = 0;
  std::string title;
  std::string body;
  bool urgent = false;
  int attempts = 0;  // Made so far.
  absl::Time create_time;
  notification::v1::Event event;
};

// How an attempt ended and what the delivery does next.
struct AttemptOutcome {
  notification::v1::DeliveryStatus attempt_status;
  notification::v1::DeliveryStatus delivery_status;
  std::string detail;
  // For FAILED_TEMPORARY: when to try again.
  absl::Time next_attempt_time = absl::InfinitePast();
};

// The delivery queue and its attempt log. Statuses move
//   QUEUED -> SENDING -> DELIVERED | FAILED_TEMPORARY (-> SENDING ...) | FAILED_PERMANENT
// and every hand-over to a provider is written (BeginAttempt) before the
// provider is called, so a crash leaves evidence instead of a guess.
class DeliveryStore {
 public:
  explicit DeliveryStore(store::Database* db) : db_(db) {}

  // QUEUED or FAILED_TEMPORARY deliveries whose time has come, soonest
  // first.
  absl::StatusOr<std::vector<PendingDelivery>> Due(absl::Time now, int limit) const;
  // The earliest time a waiting delivery becomes due; InfiniteFuture if none.
  absl::StatusOr<absl::Time> NextDue() const;
  // Puts a waiting delivery off (quiet hours, a rate limit) without an attempt.
  absl::Status Postpone(const std::string& id, absl::Time until, absl::Time now);

  // Durably marks attempt number `attempt` (attempts so far + 1) SENDING.
  // False when the delivery was no longer waiting with attempt - 1 attempts:
  // it was taken or settled meanwhile, and must not be sent.
  absl::StatusOr<bool> BeginAttempt(const std::string& id, int attempt, const std::string& provider,
                                    absl::Time now);
  // Records the outcome. The attempt is always closed; the delivery changes
  // only if it is still SENDING that attempt (a provider callback may have
  // settled it first). Returns whether the delivery changed.
  absl::StatusOr<bool> FinishAttempt(const std::string& id, int attempt,
                                     const AttemptOutcome& outcome, absl::Time now);

  // At start, before the worker runs: attempts still SENDING were cut off
  // by a crash after the hand-over was recorded and before its outcome was.
  // Whether the provider got them is unknown, so they are closed as
  // uncertain and their deliveries made due now; the re-send carries the
  // same idempotency reference, so a receiver that got the first one drops
  // the second. Returns the deliveries re-queued.
  absl::StatusOr<int> RecoverInFlight(absl::Time now);

  // A provider's later report: DELIVERED or FAILED_PERMANENT. Reporting the
  // current status again changes nothing. A failure's detail is kept to
  // its first kMaxReportedDetailBytes.
  absl::StatusOr<notification::v1::Delivery> ApplyCallback(
      const std::string& id, notification::v1::DeliveryStatus status, const std::string& detail,
      absl::Time now, notification::v1::DeliveryStatus* previous);

  absl::StatusOr<notification::v1::Delivery> Get(const std::string& id) const;
  // The in-app message with all its deliveries; NOT_FOUND for an unknown id.
  absl::StatusOr<notification::v1::MessageStatus> MessageStatus(
      const std::string& message_id) const;
  // Waiting or in-flight deliveries per channel.
  absl::StatusOr<std::map<notification::v1::Channel, int64_t>> QueueDepth() const;

 private:
  store::Database* const db_;
};

// Phone and e-mail masked, a webhook's host only: what status answers show.
std::string MaskedAddress(notification::v1::Channel channel, const std::string& address);

}  // namespace onewindow::notification
