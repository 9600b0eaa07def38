#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "libs/outbox/notify_sender.h"
#include "libs/store/database.h"
#include "libs/workday/clock.h"
#include "onewindow/notification/v1/notification.pb.h"
#include "services/notification/metrics.h"
#include "services/notification/quiet_hours.h"
#include "services/notification/templates.h"

namespace onewindow::notification {

inline constexpr int kMaxParams = 32;
inline constexpr size_t kMaxParamBytes = outbox::kMaxNotifyParamBytes;
inline constexpr size_t kMaxParamKeyBytes = 64;
inline constexpr size_t kMaxIdBytes = 200;

// What one Notify stored, for the caller's log line.
struct NotifyResult {
  notification::v1::NotifyResponse response;
  struct Queued {
    std::string delivery_id;
    notification::v1::Channel channel;
    // Masked: these go to logs.
    std::string masked_address;
    absl::Time not_before;
  };
  std::vector<Queued> deliveries;
  std::set<std::string> missing_params;
  bool templated = true;
};

// Turns an event into the recipient's in-app message and one queued
// delivery per channel they opted in to, in one durable write. Idempotent
// on the event id: a repeated event returns the first message.
class Notifier {
 public:
  Notifier(store::Database* db, const Templates* templates, const workday::Clock* clock,
           NotificationMetrics* metrics, QuietHours quiet = {})
      : db_(db), templates_(templates), clock_(clock), metrics_(metrics), quiet_(quiet) {}

  // Called after deliveries were queued (the delivery worker wakes).
  void OnQueued(std::function<void()> fn) { on_queued_ = std::move(fn); }

  // INVALID_ARGUMENT naming every missing or oversized field at once.
  absl::StatusOr<NotifyResult> Notify(const notification::v1::Event& event);

  // Notify without holding a thread while the write commits: `done` gets
  // what Notify would return, from the store's completing thread once the write is
  // durable (at once for an invalid event). `event` must live until then.
  // Writes started together usually share one commit.
  using NotifyDone = absl::AnyInvocable<void(absl::StatusOr<NotifyResult>)>;
  void NotifyAsync(const notification::v1::Event& event, NotifyDone done);

 private:
  store::Database* const db_;
  const Templates* const templates_;
  const workday::Clock* const clock_;
  NotificationMetrics* const metrics_;  // May be null.
  const QuietHours quiet_;
  std::function<void()> on_queued_;
};

absl::Status ValidateEvent(const notification::v1::Event& event);

}  // namespace onewindow::notification
