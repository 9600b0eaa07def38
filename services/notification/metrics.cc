#include "services/notification/metrics.h"

#include <string>

#include "services/notification/names.h"

namespace onewindow::notification {

using notification::v1::Channel;
using notification::v1::DeliveryStatus;

NotificationMetrics::NotificationMetrics(prometheus::Registry* registry) {
  auto& events = prometheus::BuildCounter()
                     .Name("onewindow_notification_events_total")
                     .Help("Notify calls, by result (created, duplicate).")
                     .Register(*registry);
  events_created_ = &events.Add({{"result", "created"}});
  events_duplicate_ = &events.Add({{"result", "duplicate"}});
  auto& messages = prometheus::BuildCounter()
                       .Name("onewindow_notification_messages_total")
                       .Help("Messages entering a status, by channel and status.")
                       .Register(*registry);
  auto& latency = prometheus::BuildHistogram()
                      .Name("onewindow_notification_delivery_latency_seconds")
                      .Help("From the event's arrival to the provider's acceptance, by channel.")
                      .Register(*registry);
  auto& retries = prometheus::BuildCounter()
                      .Name("onewindow_notification_retries_total")
                      .Help("Failed delivery attempts that will be retried, by channel.")
                      .Register(*registry);
  auto& depth = prometheus::BuildGauge()
                    .Name("onewindow_notification_queue_depth_messages")
                    .Help("Deliveries queued, waiting to retry or in flight, by channel.")
                    .Register(*registry);
  const prometheus::Histogram::BucketBoundaries buckets = {
      0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600, 43200};
  for (Channel c : {notification::v1::CHANNEL_IN_APP, notification::v1::CHANNEL_SMS,
                    notification::v1::CHANNEL_EMAIL, notification::v1::CHANNEL_WEBHOOK}) {
    const std::string name(ChannelName(c));
    const int i = ChannelIndex(c);
    for (DeliveryStatus s :
         {notification::v1::QUEUED, notification::v1::SENDING, notification::v1::DELIVERED,
          notification::v1::FAILED_TEMPORARY, notification::v1::FAILED_PERMANENT}) {
      messages_[i][s] = &messages.Add({{"channel", name}, {"status", std::string(StatusName(s))}});
    }
    latency_[i] = &latency.Add({{"channel", name}}, buckets);
    retries_[i] = &retries.Add({{"channel", name}});
    if (c != notification::v1::CHANNEL_IN_APP) queue_depth_[i] = &depth.Add({{"channel", name}});
  }
  rate_limited_ = &prometheus::BuildCounter()
                       .Name("onewindow_notification_rate_limited_total")
                       .Help("Deliveries put off by a rate limit, by limit (recipient, provider).")
                       .Register(*registry);
  rate_limited_->Add({{"limit", "recipient"}});
  rate_limited_->Add({{"limit", "provider"}});
  uncertain_ = &prometheus::BuildCounter()
                    .Name("onewindow_notification_uncertain_attempts_total")
                    .Help(
                        "Attempts found in flight after a restart, re-sent with the same "
                        "idempotency reference.")
                    .Register(*registry)
                    .Add({});
  render_gaps_ = &prometheus::BuildCounter()
                      .Name("onewindow_notification_render_gaps_total")
                      .Help(
                          "Messages rendered without a template (no_template) or with "
                          "parameters missing (missing_params).")
                      .Register(*registry);
  render_gaps_->Add({{"kind", "no_template"}});
  render_gaps_->Add({{"kind", "missing_params"}});
}

int NotificationMetrics::ChannelIndex(Channel c) {
  return c >= 0 && c < kChannels ? static_cast<int>(c) : 0;
}

void NotificationMetrics::Event(bool created) {
  (created ? events_created_ : events_duplicate_)->Increment();
}

void NotificationMetrics::Message(Channel channel, DeliveryStatus status) {
  if (status <= 0 || status >= kStatuses) return;
  if (auto* c = messages_[ChannelIndex(channel)][status]; c != nullptr) c->Increment();
}

void NotificationMetrics::Delivered(Channel channel, absl::Duration latency) {
  if (auto* h = latency_[ChannelIndex(channel)]; h != nullptr) {
    h->Observe(absl::ToDoubleSeconds(latency));
  }
}

void NotificationMetrics::Retry(Channel channel) {
  if (auto* c = retries_[ChannelIndex(channel)]; c != nullptr) c->Increment();
}

void NotificationMetrics::RateLimited(absl::string_view limit) {
  rate_limited_->Add({{"limit", std::string(limit)}}).Increment();
}

void NotificationMetrics::Uncertain() { uncertain_->Increment(); }

void NotificationMetrics::RenderGap(absl::string_view kind) {
  render_gaps_->Add({{"kind", std::string(kind)}}).Increment();
}

void NotificationMetrics::SetQueueDepth(Channel channel, double depth) {
  if (auto* g = queue_depth_[ChannelIndex(channel)]; g != nullptr) g->Set(depth);
}

}  // namespace onewindow::notification
