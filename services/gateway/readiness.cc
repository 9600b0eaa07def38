#include "services/gateway/readiness.h"

#include "libs/client/health.h"

namespace onewindow::gateway {

Readiness::Readiness(std::map<std::string, std::shared_ptr<grpc::Channel>> backends,
                     redis::RedisPool* redis, absl::Duration interval, log::Logger logger)
    : backends_(std::move(backends)),
      redis_(redis),
      interval_(interval),
      logger_(std::move(logger)) {}

Readiness::~Readiness() { Stop(); }

void Readiness::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void Readiness::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

void Readiness::Loop() {
  do {
    CheckOnce();
  } while (!stop_.WaitForNotificationWithTimeout(interval_));
}

void Readiness::CheckOnce() {
  Snapshot next;
  next.checked = true;
  const absl::Duration timeout = std::min(interval_, absl::Milliseconds(800));
  for (const auto& [name, channel] : backends_) {
    absl::Status s = client::CheckHealth(channel.get(), "", timeout);
    // The code only: gRPC's messages carry internal addresses.
    if (!s.ok()) next.down[name] = absl::StatusCodeToString(s.code());
  }
  if (redis_ != nullptr) {
    absl::Status s = redis_->Ping();
    if (!s.ok()) next.down["redis"] = absl::StatusCodeToString(s.code());
  }
  next.ready = next.down.empty();
  absl::MutexLock lock(&mu_);
  if (snapshot_.checked && snapshot_.ready != next.ready) {
    if (next.ready) {
      logger_.Info("ready");
    } else {
      std::string names;
      for (const auto& [name, why] : next.down) names += (names.empty() ? "" : ",") + name;
      logger_.Warn("not ready", {{"down", names}});
    }
  }
  snapshot_ = std::move(next);
}

Readiness::Snapshot Readiness::Current() const {
  absl::MutexLock lock(&mu_);
  return snapshot_;
}

}  // namespace onewindow::gateway
