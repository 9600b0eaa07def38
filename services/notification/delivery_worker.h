#pragma once

#include <deque>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/random/random.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/log/logger.h"
#include "libs/workday/clock.h"
#include "services/notification/deliveries.h"
#include "services/notification/metrics.h"
#include "services/notification/provider.h"
#include "services/notification/quiet_hours.h"
#include "services/notification/rate_limiter.h"

namespace onewindow::notification {

struct WorkerOptions {
  // Deliveries handed to providers at once.
  int concurrency = 8;
  // Attempts before a temporary failure becomes permanent: with the
  // back-off below, 30 span about three hours, so a provider's outage of an
  // hour or two (a deploy, a gateway fault) loses nothing.
  int max_attempts = 30;
  // Back-off before attempt n+1: initial * 2^(n-1), at most max, with jitter
  // over its upper half.
  absl::Duration initial_backoff = absl::Seconds(2);
  absl::Duration max_backoff = absl::Minutes(10);
  // How often the queue is looked at when nobody wakes the worker.
  absl::Duration poll_interval = absl::Seconds(1);
  QuietHours quiet;
  // Per recipient, across external channels: a flood of events must not
  // become a flood of texts. <= 0 disables.
  double recipient_per_minute = 30;
  double recipient_burst = 10;
  // Per provider: what the SMS gateway, relay or receiver agreed to take.
  double provider_per_second = 200;
  double provider_burst = 200;
};

// Sends queued deliveries through their channel's provider: quiet hours,
// rate limits, the attempt recorded before the hand-over, the outcome after,
// retries with exponential back-off and jitter up to a limit.
class DeliveryWorker {
 public:
  DeliveryWorker(DeliveryStore* store, std::map<notification::v1::Channel, Provider*> providers,
                 WorkerOptions options, const workday::Clock* clock, NotificationMetrics* metrics,
                 log::Logger logger);
  ~DeliveryWorker();

  DeliveryWorker(const DeliveryWorker&) = delete;
  DeliveryWorker& operator=(const DeliveryWorker&) = delete;

  // Before Start: settles attempts a crash left SENDING (see
  // DeliveryStore::RecoverInFlight). Returns how many were re-queued.
  absl::StatusOr<int> Recover();

  void Start();
  // Lets the hand-overs in flight finish (each bounded by its provider's
  // timeout) and stops; what is queued stays queued.
  void Stop();
  // Something was queued: look now rather than at the next poll.
  void Wake();

  // One synchronous pass (tests): every delivery due now is processed once,
  // `concurrency` at a time. Returns how many were handed to a provider.
  absl::StatusOr<int> RunOnce();

  // Back-off before attempt `attempts` + 1 (exposed for tests).
  absl::Duration Backoff(int attempts);

 private:
  // Returns true when the delivery was handed to a provider.
  bool Process(const PendingDelivery& d);
  // Writes the outcomes the store refused before (see Process); true when
  // none is left.
  bool RecordUnrecorded();
  // The metrics of an outcome the store took.
  void CountOutcome(notification::v1::Channel channel, absl::Time create_time,
                    const AttemptOutcome& outcome, absl::Time end);
  void Dispatch();
  void Send();
  void RefreshQueueDepth();

  DeliveryStore* const store_;
  const std::map<notification::v1::Channel, Provider*> providers_;
  const WorkerOptions options_;
  const workday::Clock* const clock_;
  NotificationMetrics* const metrics_;  // May be null.
  const log::Logger logger_;
  RateLimiter recipient_limit_;
  RateLimiter provider_limit_;

  absl::Mutex mu_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool wake_ ABSL_GUARDED_BY(mu_) = false;
  std::deque<PendingDelivery> queue_ ABSL_GUARDED_BY(mu_);
  // Queued or being processed, so a pass does not pick them again.
  std::set<std::string> in_flight_ ABSL_GUARDED_BY(mu_);
  absl::BitGen bitgen_ ABSL_GUARDED_BY(mu_);
  // Attempts whose outcome the provider gave but the store did not take
  // (a failed write): their deliveries stay SENDING, which no pass picks,
  // so the outcome is written again on each pass until it is.
  struct Unrecorded {
    std::string id;
    notification::v1::Channel channel;
    absl::Time create_time;
    int attempt;
    AttemptOutcome outcome;
    absl::Time end;
  };
  std::vector<Unrecorded> unrecorded_ ABSL_GUARDED_BY(mu_);
  std::thread dispatcher_;
  std::vector<std::thread> senders_;
};

}  // namespace onewindow::notification
