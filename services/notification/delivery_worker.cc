#include "services/notification/delivery_worker.h"

#include <algorithm>
#include <atomic>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/notification/names.h"

namespace onewindow::notification {
namespace {

using notification::v1::Channel;

// A provider short of tokens for longer than this puts the delivery off
// instead of holding a sender thread.
constexpr absl::Duration kMaxProviderWait = absl::Seconds(1);
constexpr int kProviderWaitRounds = 3;
constexpr absl::Duration kQueueDepthInterval = absl::Seconds(2);

}  // namespace

DeliveryWorker::DeliveryWorker(DeliveryStore* store, std::map<Channel, Provider*> providers,
                               WorkerOptions options, const workday::Clock* clock,
                               NotificationMetrics* metrics, log::Logger logger)
    : store_(store),
      providers_(std::move(providers)),
      options_(options),
      clock_(clock),
      metrics_(metrics),
      logger_(std::move(logger)),
      recipient_limit_(options.recipient_per_minute / 60.0, options.recipient_burst),
      provider_limit_(options.provider_per_second, options.provider_burst) {}

DeliveryWorker::~DeliveryWorker() { Stop(); }

absl::Duration DeliveryWorker::Backoff(int attempts) {
  absl::Duration base = options_.initial_backoff;
  for (int i = 1; i < attempts && base < options_.max_backoff; ++i) base *= 2;
  base = std::min(base, options_.max_backoff);
  // Jitter over the upper half: deliveries that failed together (a provider
  // outage) come back spread out, never sooner than half the back-off.
  absl::MutexLock lock(&mu_);
  return base / 2 + base / 2 * absl::Uniform(bitgen_, 0.0, 1.0);
}

absl::StatusOr<int> DeliveryWorker::Recover() {
  absl::StatusOr<int> requeued = store_->RecoverInFlight(clock_->Now());
  if (!requeued.ok()) return requeued.status();
  if (*requeued > 0) {
    logger_.Warn("re-sending deliveries whose outcome a restart lost, same idempotency reference",
                 {{"deliveries", *requeued}});
    if (metrics_ != nullptr) {
      for (int i = 0; i < *requeued; ++i) metrics_->Uncertain();
    }
  }
  return requeued;
}

bool DeliveryWorker::Process(const PendingDelivery& d) {
  const absl::Time now = clock_->Now();
  const std::string channel(ChannelName(d.channel));
  if (d.channel == notification::v1::CHANNEL_SMS && !d.urgent &&
      InQuietHours(now, options_.quiet)) {
    // A retry's back-off can end inside quiet hours too.
    if (absl::Status s = store_->Postpone(d.id, QuietHoursRelease(now, options_.quiet), now);
        !s.ok()) {
      logger_.Warn("cannot postpone a delivery", {{"delivery_id", d.id}, {"error", s.ToString()}});
    }
    return false;
  }
  auto found = providers_.find(d.channel);
  Provider* provider = found == providers_.end() ? nullptr : found->second;
  const int attempt = d.attempts + 1;
  if (provider != nullptr) {
    if (absl::Duration wait = recipient_limit_.TryAcquire(d.recipient_id, now);
        wait > absl::ZeroDuration()) {
      if (metrics_ != nullptr) metrics_->RateLimited("recipient");
      (void)store_->Postpone(d.id, now + wait, now);
      return false;
    }
    for (int round = 0;; ++round) {
      const absl::Duration wait = provider_limit_.TryAcquire(provider->name(), clock_->Now());
      if (wait == absl::ZeroDuration()) break;
      if (metrics_ != nullptr) metrics_->RateLimited("provider");
      if (wait > kMaxProviderWait || round >= kProviderWaitRounds) {
        (void)store_->Postpone(d.id, clock_->Now() + wait, clock_->Now());
        return false;
      }
      absl::SleepFor(wait);
    }
  }

  // The hand-over is on disk before the provider hears of it.
  absl::StatusOr<bool> began = store_->BeginAttempt(
      d.id, attempt, provider == nullptr ? "none" : provider->name(), clock_->Now());
  if (!began.ok()) {
    logger_.Warn("cannot record an attempt; not sending",
                 {{"delivery_id", d.id}, {"error", began.status().ToString()}});
    return false;
  }
  if (!*began) return false;  // Taken or settled meanwhile.
  if (metrics_ != nullptr) metrics_->Message(d.channel, notification::v1::SENDING);

  SendResult result{SendResult::kPermanent,
                    absl::StrCat("no provider is configured for the ", channel, " channel")};
  if (provider != nullptr) {
    try {
      result = provider->Send(d, attempt);
    } catch (const std::exception& e) {
      result = {SendResult::kTemporary, absl::StrCat("provider failed: ", e.what())};
    }
  }

  const absl::Time end = clock_->Now();
  AttemptOutcome outcome;
  outcome.detail = result.detail;
  switch (result.outcome) {
    case SendResult::kDelivered:
      outcome.attempt_status = notification::v1::DELIVERED;
      outcome.delivery_status = notification::v1::DELIVERED;
      break;
    case SendResult::kPermanent:
      outcome.attempt_status = notification::v1::FAILED_PERMANENT;
      outcome.delivery_status = notification::v1::FAILED_PERMANENT;
      break;
    case SendResult::kTemporary:
      outcome.attempt_status = notification::v1::FAILED_TEMPORARY;
      if (attempt >= options_.max_attempts) {
        outcome.delivery_status = notification::v1::FAILED_PERMANENT;
        outcome.detail =
            absl::StrCat("gave up after ", attempt, " attempts; last: ", result.detail);
      } else {
        outcome.delivery_status = notification::v1::FAILED_TEMPORARY;
        outcome.next_attempt_time = end + Backoff(attempt);
      }
      break;
  }
  absl::StatusOr<bool> changed = store_->FinishAttempt(d.id, attempt, outcome, end);
  if (!changed.ok()) {
    // The attempt stays SENDING on disk: written again on the next passes
    // (or, after a crash, re-sent at start with the same reference).
    logger_.Error("cannot record an attempt's outcome; trying again",
                  {{"delivery_id", d.id}, {"error", changed.status().ToString()}});
    absl::MutexLock lock(&mu_);
    unrecorded_.push_back({d.id, d.channel, d.create_time, attempt, outcome, end});
    return true;
  }
  const log::Level level =
      outcome.delivery_status == notification::v1::DELIVERED          ? log::Level::kDebug
      : outcome.delivery_status == notification::v1::FAILED_PERMANENT ? log::Level::kWarn
                                                                      : log::Level::kInfo;
  logger_.Log(level, absl::StrCat("delivery ", StatusName(outcome.delivery_status)),
              {{"delivery_id", d.id},
               {"channel", channel},
               {"to", MaskedAddress(d.channel, d.address)},
               {"attempt", attempt},
               {"provider", provider == nullptr ? "none" : provider->name()},
               {"detail", outcome.detail}});
  if (*changed) CountOutcome(d.channel, d.create_time, outcome, end);
  return true;
}

void DeliveryWorker::CountOutcome(notification::v1::Channel channel, absl::Time create_time,
                                  const AttemptOutcome& outcome, absl::Time end) {
  if (metrics_ == nullptr) return;
  metrics_->Message(channel, outcome.delivery_status);
  if (outcome.delivery_status == notification::v1::DELIVERED) {
    metrics_->Delivered(channel, end - create_time);
  } else if (outcome.delivery_status == notification::v1::FAILED_TEMPORARY) {
    metrics_->Retry(channel);
  }
}

bool DeliveryWorker::RecordUnrecorded() {
  std::vector<Unrecorded> pending;
  {
    absl::MutexLock lock(&mu_);
    pending.swap(unrecorded_);
  }
  std::vector<Unrecorded> still;
  for (Unrecorded& u : pending) {
    absl::StatusOr<bool> changed = store_->FinishAttempt(u.id, u.attempt, u.outcome, u.end);
    if (!changed.ok()) {
      still.push_back(std::move(u));
      continue;
    }
    if (!*changed) continue;  // Settled meanwhile (a provider's callback).
    logger_.Info("recorded an attempt's outcome late",
                 {{"delivery_id", u.id}, {"attempt", u.attempt}});
    CountOutcome(u.channel, u.create_time, u.outcome, u.end);
  }
  absl::MutexLock lock(&mu_);
  for (Unrecorded& u : still) unrecorded_.push_back(std::move(u));
  return unrecorded_.empty();
}

absl::StatusOr<int> DeliveryWorker::RunOnce() {
  RecordUnrecorded();
  absl::StatusOr<std::vector<PendingDelivery>> due = store_->Due(clock_->Now(), 100000);
  if (!due.ok()) return due.status();
  std::atomic<size_t> next{0};
  std::atomic<int> handed{0};
  auto work = [&] {
    for (size_t i = next++; i < due->size(); i = next++) handed += Process((*due)[i]) ? 1 : 0;
  };
  std::vector<std::thread> threads;
  const int workers = std::max(1, std::min<int>(options_.concurrency, due->size()));
  for (int i = 1; i < workers; ++i) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();
  return handed.load();
}

void DeliveryWorker::Start() {
  absl::MutexLock lock(&mu_);
  if (started_) return;
  started_ = true;
  dispatcher_ = std::thread([this] { Dispatch(); });
  for (int i = 0; i < std::max(1, options_.concurrency); ++i) {
    senders_.emplace_back([this] { Send(); });
  }
}

void DeliveryWorker::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (dispatcher_.joinable()) dispatcher_.join();
  for (auto& t : senders_) {
    if (t.joinable()) t.join();
  }
  senders_.clear();
  if (!RecordUnrecorded()) {
    logger_.Warn("attempt outcomes left unrecorded; those deliveries are re-sent at next start");
  }
}

void DeliveryWorker::Wake() {
  absl::MutexLock lock(&mu_);
  wake_ = true;
}

void DeliveryWorker::RefreshQueueDepth() {
  if (metrics_ == nullptr) return;
  absl::StatusOr<std::map<Channel, int64_t>> depth = store_->QueueDepth();
  if (!depth.ok()) return;
  for (Channel c : {notification::v1::CHANNEL_SMS, notification::v1::CHANNEL_EMAIL,
                    notification::v1::CHANNEL_WEBHOOK}) {
    auto it = depth->find(c);
    metrics_->SetQueueDepth(c, it == depth->end() ? 0 : static_cast<double>(it->second));
  }
}

void DeliveryWorker::Dispatch() {
  // Twice the senders: the next deliveries are ready when one finishes.
  const size_t capacity = static_cast<size_t>(2 * std::max(1, options_.concurrency));
  absl::Time depth_refreshed = absl::InfinitePast();
  while (true) {
    size_t room = 0;
    size_t busy = 0;
    {
      absl::MutexLock lock(&mu_);
      if (stop_) break;
      wake_ = false;
      busy = in_flight_.size();
      room = capacity > busy ? capacity - busy : 0;
    }
    RecordUnrecorded();
    bool more = room == 0;
    if (room > 0) {
      // Ask for enough that the ones already in flight do not crowd out
      // the rest.
      const int limit = static_cast<int>(room + busy);
      absl::StatusOr<std::vector<PendingDelivery>> due = store_->Due(clock_->Now(), limit);
      if (!due.ok()) {
        logger_.Warn("cannot read the delivery queue", {{"error", due.status().ToString()}});
      } else {
        more = static_cast<int>(due->size()) == limit;
        absl::MutexLock lock(&mu_);
        size_t added = 0;
        for (PendingDelivery& d : *due) {
          if (added == room) break;
          if (in_flight_.insert(d.id).second) {
            queue_.push_back(std::move(d));
            ++added;
          }
        }
      }
    }
    if (absl::Now() - depth_refreshed > kQueueDepthInterval) {
      RefreshQueueDepth();
      depth_refreshed = absl::Now();
    }
    absl::MutexLock lock(&mu_);
    if (more) {
      // Look again once half the senders are free.
      const size_t half = capacity / 2;
      auto ready = [this, half]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stop_ || in_flight_.size() <= half;
      };
      mu_.AwaitWithTimeout(absl::Condition(&ready), options_.poll_interval);
    } else {
      auto woken = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_ || wake_; };
      mu_.AwaitWithTimeout(absl::Condition(&woken), options_.poll_interval);
    }
  }
}

void DeliveryWorker::Send() {
  while (true) {
    PendingDelivery d;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_ || !queue_.empty(); };
      mu_.Await(absl::Condition(&ready));
      // What is still queued in memory stays queued on disk.
      if (stop_) return;
      d = std::move(queue_.front());
      queue_.pop_front();
    }
    Process(d);
    absl::MutexLock lock(&mu_);
    in_flight_.erase(d.id);
  }
}

}  // namespace onewindow::notification
