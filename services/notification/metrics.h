#pragma once

#include <array>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "onewindow/notification/v1/notification.pb.h"

namespace onewindow::notification {

// The service's own metrics (onewindow_notification_*). Every label value
// is created up front so dashboards see zeros rather than missing series.
class NotificationMetrics {
 public:
  explicit NotificationMetrics(prometheus::Registry* registry);

  // Notify calls, by whether the event was new.
  void Event(bool created);
  // A message entered `status` on `channel` (in-app messages enter
  // DELIVERED when stored).
  void Message(notification::v1::Channel channel, notification::v1::DeliveryStatus status);
  // From the event's arrival to the provider's acceptance.
  void Delivered(notification::v1::Channel channel, absl::Duration latency);
  // A failed attempt that will be tried again.
  void Retry(notification::v1::Channel channel);
  // A delivery put off by a rate limit: "recipient" or "provider".
  void RateLimited(absl::string_view limit);
  // An attempt found in SENDING after a restart.
  void Uncertain();
  // A message rendered without a template, or with parameters missing.
  void RenderGap(absl::string_view kind);
  // Deliveries waiting or in flight, per channel.
  void SetQueueDepth(notification::v1::Channel channel, double depth);

 private:
  static constexpr int kChannels = 5;  // Channel enum values 0..4.
  static constexpr int kStatuses = 6;  // DeliveryStatus enum values 0..5.
  static int ChannelIndex(notification::v1::Channel c);

  prometheus::Counter* events_created_;
  prometheus::Counter* events_duplicate_;
  std::array<std::array<prometheus::Counter*, kStatuses>, kChannels> messages_{};
  std::array<prometheus::Histogram*, kChannels> latency_{};
  std::array<prometheus::Counter*, kChannels> retries_{};
  std::array<prometheus::Gauge*, kChannels> queue_depth_{};
  prometheus::Family<prometheus::Counter>* rate_limited_;
  prometheus::Counter* uncertain_;
  prometheus::Family<prometheus::Counter>* render_gaps_;
};

}  // namespace onewindow::notification
