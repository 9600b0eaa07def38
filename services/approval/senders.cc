#include "services/approval/senders.h"

#include "libs/outbox/grpc_sender.h"

namespace onewindow::approval {

outbox::AsyncSender IntakeSender(intake::v1::IntakeService::StubInterface* intake,
                                 server::ServiceCredentials* credentials, absl::Duration timeout) {
  return outbox::GrpcSender<intake::v1::RecordTransitionRequest,
                            intake::v1::RecordTransitionResponse>(
      "record_transition", [credentials, timeout] { return credentials->Context(timeout); },
      [intake](grpc::ClientContext* context, const intake::v1::RecordTransitionRequest* request,
               intake::v1::RecordTransitionResponse* reply,
               std::function<void(grpc::Status)> on_done) {
        intake->async()->RecordTransition(context, request, reply, std::move(on_done));
      });
}

outbox::BatchSender IntakeBatchSender(intake::v1::IntakeService::StubInterface* intake,
                                      server::ServiceCredentials* credentials,
                                      absl::Duration timeout) {
  return outbox::GrpcBatchSender<intake::v1::RecordTransitionsRequest>(
      [credentials, timeout] { return credentials->Context(timeout); },
      [](intake::v1::RecordTransitionsRequest* r) { return r->add_transitions(); },
      [intake](grpc::ClientContext* context, const intake::v1::RecordTransitionsRequest* request,
               api::v1::HandoffResults* reply, std::function<void(grpc::Status)> on_done) {
        intake->async()->RecordTransitions(context, request, reply, std::move(on_done));
      },
      IntakeSender(intake, credentials, timeout));
}

}  // namespace onewindow::approval
