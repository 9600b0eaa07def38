#include "services/notification/notification_grpc.h"

#include "absl/time/clock.h"
#include "libs/auth/access.h"
#include "libs/status/macros.h"

namespace onewindow::notification {

using server::Call;

grpc::Status NotificationGrpc::Notify(grpc::ServerContext* context,
                                      const notification::v1::NotifyRequest* request,
                                      notification::v1::NotifyResponse* response) {
  return runner_->Run(context, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
    RETURN_IF_ERROR(auth::RequireKind(*principal, {auth::v1::SERVICE, auth::v1::PLATFORM_ADMIN}));
    ASSIGN_OR_RETURN(*response, inbox_->Deliver(request->event(), absl::Now()));
    return absl::OkStatus();
  });
}

grpc::Status NotificationGrpc::ListInbox(grpc::ServerContext* context,
                                         const notification::v1::ListInboxRequest* request,
                                         notification::v1::ListInboxResponse* response) {
  return runner_->Run(context, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
    // Only the owner reads an inbox; a recipient_id naming someone else is
    // ignored unless a platform admin asks.
    std::string recipient = principal->subject();
    if (principal->kind() == auth::v1::PLATFORM_ADMIN && !request->recipient_id().empty()) {
      recipient = request->recipient_id();
    }
    ASSIGN_OR_RETURN(*response,
                     inbox_->List(recipient, request->page_size(), request->page_token()));
    return absl::OkStatus();
  });
}

}  // namespace onewindow::notification
