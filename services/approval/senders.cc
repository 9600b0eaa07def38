#include "services/approval/senders.h"

#include <chrono>

#include <grpcpp/client_context.h>

#include "libs/server/call.h"
#include "libs/status/grpc_status.h"

namespace onewindow::approval {
namespace {

std::unique_ptr<grpc::ClientContext> Context(const std::function<std::string()>& token,
                                             absl::Duration timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(timeout));
  context->AddMetadata(server::kPrincipalHeader, token());
  return context;
}

absl::Status Outcome(const grpc::Status& status) {
  if (status.error_code() == grpc::ALREADY_EXISTS) return absl::OkStatus();
  return status::FromGrpcStatus(status);
}

}  // namespace

outbox::Sender IntakeSender(intake::v1::IntakeService::StubInterface* intake,
                            std::function<std::string()> token, absl::Duration timeout) {
  return [intake, token, timeout](const outbox::PendingEvent& e) -> absl::Status {
    intake::v1::RecordTransitionRequest request;
    if (!request.ParseFromString(e.event.payload)) {
      return absl::InvalidArgumentError("unparsable record_transition payload");
    }
    intake::v1::RecordTransitionResponse reply;
    return Outcome(intake->RecordTransition(Context(token, timeout).get(), request, &reply));
  };
}

outbox::Sender NotifySender(notification::v1::NotificationService::StubInterface* notification,
                            std::function<std::string()> token, absl::Duration timeout) {
  return [notification, token, timeout](const outbox::PendingEvent& e) -> absl::Status {
    notification::v1::NotifyRequest request;
    if (!request.ParseFromString(e.event.payload)) {
      return absl::InvalidArgumentError("unparsable notify payload");
    }
    notification::v1::NotifyResponse reply;
    return Outcome(notification->Notify(Context(token, timeout).get(), request, &reply));
  };
}

}  // namespace onewindow::approval
