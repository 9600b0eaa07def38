#include "tools/loadgen/desk.h"

#include <grpcpp/client_context.h>

#include "absl/strings/str_cat.h"
#include "libs/server/call.h"

namespace onewindow::loadgen {
namespace {

namespace v1 = approval::v1;
using Clock = std::chrono::steady_clock;

uint32_t MicrosSince(Clock::time_point start) {
  return static_cast<uint32_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count());
}

}  // namespace

Desk::Desk(std::shared_ptr<grpc::Channel> channel, std::string token,
           std::chrono::milliseconds timeout)
    : stub_(v1::ApprovalService::NewStub(std::move(channel))),
      token_(std::move(token)),
      timeout_(timeout) {}

std::unique_ptr<grpc::ClientContext> Desk::Context() const {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + timeout_);
  context->AddMetadata(server::kPrincipalHeader, token_);
  return context;
}

absl::Status Desk::Probe() {
  v1::ListQueueRequest request;
  request.set_page_size(1);
  v1::ListQueueResponse response;
  auto context = Context();
  const grpc::Status s = stub_->ListQueue(context.get(), request, &response);
  if (s.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
}

void Desk::Refill(std::function<void(Result)> done) {
  struct Call {
    std::unique_ptr<grpc::ClientContext> context;
    v1::ListQueueRequest request;
    v1::ListQueueResponse response;
    Clock::time_point start = Clock::now();
  };
  auto call = std::make_shared<Call>();
  call->context = Context();
  call->request.set_page_size(100);
  stub_->async()->ListQueue(call->context.get(), &call->request, &call->response,
                            [this, call, done = std::move(done)](grpc::Status status) {
                              if (status.ok()) Pool(call->response);
                              done(Result{status, MicrosSince(call->start)});
                            });
}

void Desk::Pool(const approval::v1::ListQueueResponse& response) {
  absl::MutexLock lock(&mu_);
  for (const v1::Task& task : response.tasks()) {
    // Claimed by a person: theirs to decide.
    if (task.state() != v1::TASK_OPEN || !task.claimed_by().empty()) {
      continue;
    }
    if (seen_.insert(task.task_id()).second) {
      pool_.push_back(task.task_id());
    }
  }
}

std::optional<std::string> Desk::Take() {
  absl::MutexLock lock(&mu_);
  if (pool_.empty()) return std::nullopt;
  std::string id = std::move(pool_.front());
  pool_.pop_front();
  return id;
}

void Desk::Approve(const std::string& task_id, const std::string& request_id,
                   std::function<void(Result)> done) {
  struct Call {
    std::unique_ptr<grpc::ClientContext> context;
    v1::ApproveTaskRequest request;
    v1::DecisionResponse response;
    Clock::time_point start = Clock::now();
  };
  auto call = std::make_shared<Call>();
  call->context = Context();
  call->request.set_task_id(task_id);
  call->request.set_comment("loadgen: approved");
  call->request.set_request_id(request_id);
  stub_->async()->ApproveTask(call->context.get(), &call->request, &call->response,
                              [call, done = std::move(done)](grpc::Status status) {
                                done(Result{status, MicrosSince(call->start)});
                              });
}

}  // namespace onewindow::loadgen
