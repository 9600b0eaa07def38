#include "services/approval/senders.h"

#include <chrono>

#include <grpcpp/client_context.h>

#include "libs/outbox/grpc_sender.h"
#include "libs/server/call.h"

namespace onewindow::approval {
namespace {

std::unique_ptr<grpc::ClientContext> Context(const std::function<std::string()>& token,
                                             absl::Duration timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(timeout));
  context->AddMetadata(server::kPrincipalHeader, token());
  return context;
}

}  // namespace

outbox::AsyncSender IntakeSender(intake::v1::IntakeService::StubInterface* intake,
                                 std::function<std::string()> token, absl::Duration timeout) {
  return outbox::GrpcSender<intake::v1::RecordTransitionRequest,
                            intake::v1::RecordTransitionResponse>(
      "record_transition", [token, timeout] { return Context(token, timeout); },
      [intake](grpc::ClientContext* context, const intake::v1::RecordTransitionRequest* request,
               intake::v1::RecordTransitionResponse* reply,
               std::function<void(grpc::Status)> on_done) {
        intake->async()->RecordTransition(context, request, reply, std::move(on_done));
      });
}

outbox::AsyncSender NotifySender(notification::v1::NotificationService::StubInterface* notification,
                                 std::function<std::string()> token, absl::Duration timeout) {
  return outbox::GrpcSender<notification::v1::NotifyRequest, notification::v1::NotifyResponse>(
      "notify", [token, timeout] { return Context(token, timeout); },
      [notification](grpc::ClientContext* context, const notification::v1::NotifyRequest* request,
                     notification::v1::NotifyResponse* reply,
                     std::function<void(grpc::Status)> on_done) {
        notification->async()->Notify(context, request, reply, std::move(on_done));
      });
}

outbox::BatchSender IntakeBatchSender(intake::v1::IntakeService::StubInterface* intake,
                                      std::function<std::string()> token, absl::Duration timeout) {
  return outbox::GrpcBatchSender<intake::v1::RecordTransitionsRequest>(
      [token, timeout] { return Context(token, timeout); },
      [](intake::v1::RecordTransitionsRequest* r) { return r->add_transitions(); },
      [intake](grpc::ClientContext* context, const intake::v1::RecordTransitionsRequest* request,
               api::v1::HandoffResults* reply, std::function<void(grpc::Status)> on_done) {
        intake->async()->RecordTransitions(context, request, reply, std::move(on_done));
      },
      IntakeSender(intake, token, timeout));
}

outbox::BatchSender NotifyBatchSender(
    notification::v1::NotificationService::StubInterface* notification,
    std::function<std::string()> token, absl::Duration timeout) {
  return outbox::GrpcBatchSender<notification::v1::NotifyBatchRequest>(
      [token, timeout] { return Context(token, timeout); },
      [](notification::v1::NotifyBatchRequest* r) { return r->add_notifications(); },
      [notification](grpc::ClientContext* context,
                     const notification::v1::NotifyBatchRequest* request,
                     api::v1::HandoffResults* reply, std::function<void(grpc::Status)> on_done) {
        notification->async()->NotifyBatch(context, request, reply, std::move(on_done));
      },
      NotifySender(notification, token, timeout));
}

}  // namespace onewindow::approval
