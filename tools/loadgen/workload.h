#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "absl/time/time.h"
#include "tools/loadgen/desk.h"
#include "tools/loadgen/mix.h"
#include "tools/loadgen/plan.h"
#include "tools/loadgen/stats.h"

namespace onewindow::loadgen {

struct WorkloadOptions {
  boost::asio::ip::tcp::endpoint gateway;
  int connections = 32;
  int threads = 1;  // io_context threads driving the connections
  absl::Duration duration = absl::Seconds(10);
  std::chrono::milliseconds timeout{10000};
  uint64_t seed = 1;
  int upload_bytes = 16 * 1024;
  // Makes idempotency keys unique across runs against the same stack.
  std::string run_id;
  // Operations the plan cannot serve are already taken out.
  Mix mix;
};

// Live totals for the progress line, updated as answers arrive.
struct Progress {
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> errors{0};
  std::atomic<uint64_t> throttled{0};
};

struct RunResult {
  RunStats stats;
  double seconds = 0;
  // False when requests were still in flight after the grace period; the
  // caller must then not tear the run down (gRPC callbacks may still come).
  bool drained = true;
};

// A closed-loop workload: each of --connections virtual users keeps one
// keep-alive connection to the gateway and runs one operation of the mix
// after another (no think time), on a few io_context threads. Decisions go
// to approval over gRPC through `desk` (may be null when decide is not in
// the mix).
class Workload {
 public:
  Workload(const Plan& plan, WorkloadOptions options, Desk* desk);
  ~Workload();
  Workload(const Workload&) = delete;
  Workload& operator=(const Workload&) = delete;

  // Runs for the duration; `tick` is called about once a second with the
  // elapsed time, from the calling thread.
  RunResult Run(const std::function<void(double elapsed, const Progress&)>& tick);

  class User;

 private:
  friend class User;
  bool stopping() const { return stopping_.load(std::memory_order_relaxed); }
  bool recording() const { return recording_.load(std::memory_order_relaxed); }

  const Plan& plan_;
  const WorkloadOptions options_;
  Desk* const desk_;
  const std::string pdf_;
  Progress progress_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> recording_{false};
  std::atomic<int> live_{0};
  std::vector<std::unique_ptr<boost::asio::io_context>> ios_;
  // One per io thread: the users of a thread record without locks.
  std::vector<std::unique_ptr<RunStats>> stats_;
  std::vector<std::unique_ptr<User>> users_;
};

}  // namespace onewindow::loadgen
