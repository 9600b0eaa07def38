#pragma once

#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/channel.h>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "libs/log/logger.h"
#include "libs/redis/redis_pool.h"

namespace onewindow::gateway {

// Polls every backend's gRPC health and Redis in the background, so /readyz
// answers from memory and a slow dependency cannot slow the probe.
class Readiness {
 public:
  struct Snapshot {
    bool ready = false;
    // Names of what is down ("catalog", "redis") with a reason each.
    std::map<std::string, std::string> down;
    bool checked = false;
  };

  Readiness(std::map<std::string, std::shared_ptr<grpc::Channel>> backends, redis::RedisPool* redis,
            absl::Duration interval, log::Logger logger);
  ~Readiness();

  void Start();
  void Stop();
  // Runs one round now (tests and start-up).
  void CheckOnce();
  Snapshot Current() const;

 private:
  void Loop();

  const std::map<std::string, std::shared_ptr<grpc::Channel>> backends_;
  redis::RedisPool* redis_;
  const absl::Duration interval_;
  log::Logger logger_;
  absl::Notification stop_;
  std::thread thread_;
  mutable absl::Mutex mu_;
  Snapshot snapshot_ ABSL_GUARDED_BY(mu_);
};

}  // namespace onewindow::gateway
