#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include <grpcpp/channel.h>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "onewindow/approval/v1/approval.grpc.pb.h"

namespace onewindow::loadgen {

// A department deciding its cases over approval's gRPC API with an API
// token, as a city system would: it lists its queue and approves tasks.
// Tasks listed go into one pool shared by every virtual user, and each is
// handed out once, so the generator does not race itself for a task (a race
// with someone else is still possible and is counted as a conflict).
class Desk {
 public:
  Desk(std::shared_ptr<grpc::Channel> channel, std::string token,
       std::chrono::milliseconds timeout);

  // One blocking ListQueue: OK when the department may list its queue.
  absl::Status Probe();

  struct Result {
    grpc::Status status;
    uint32_t micros = 0;
  };
  // ListQueue, adding the tasks it lists to the pool. `done` runs on a gRPC
  // thread.
  void Refill(std::function<void(Result)> done);
  // A task nobody took yet, if the pool has one.
  std::optional<std::string> Take();
  // ApproveTask; `done` runs on a gRPC thread.
  void Approve(const std::string& task_id, const std::string& request_id,
               std::function<void(Result)> done);

 private:
  std::unique_ptr<grpc::ClientContext> Context() const;
  void Pool(const approval::v1::ListQueueResponse& response);

  std::unique_ptr<approval::v1::ApprovalService::Stub> stub_;
  const std::string token_;
  const std::chrono::milliseconds timeout_;
  absl::Mutex mu_;
  std::deque<std::string> pool_ ABSL_GUARDED_BY(mu_);
  // Every task id ever pooled: a task listed again while its decision is
  // on the way is not handed out twice.
  std::set<std::string> seen_ ABSL_GUARDED_BY(mu_);
};

}  // namespace onewindow::loadgen
