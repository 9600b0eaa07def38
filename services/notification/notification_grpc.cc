#include "services/notification/notification_grpc.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/auth/access.h"
#include "libs/outbox/batch_receiver.h"
#include "libs/status/macros.h"
#include "services/notification/event_types.h"
#include "services/notification/names.h"

namespace onewindow::notification {
namespace {

using auth::v1::Principal;
using server::Call;

constexpr absl::string_view kDepartmentPrefix = "dept:";

absl::Status RequireTemplateReader(const Principal& p) {
  return auth::RequireKind(p, {auth::v1::PLATFORM_ADMIN, auth::v1::OPERATOR, auth::v1::SERVICE});
}

}  // namespace

absl::StatusOr<std::string> ResolveRecipient(const Principal& principal,
                                             const std::string& requested, RecipientUse use) {
  if (requested.empty() || requested == principal.subject()) {
    if (principal.subject().empty()) return absl::PermissionDeniedError("no recipient to act for");
    return principal.subject();
  }
  if (absl::StartsWith(requested, kDepartmentPrefix) &&
      auth::RequireDepartment(principal, requested.substr(kDepartmentPrefix.size())).ok()) {
    return requested;
  }
  if (use == RecipientUse::kPreferences &&
      (principal.kind() == auth::v1::SERVICE || principal.kind() == auth::v1::PLATFORM_ADMIN)) {
    return requested;
  }
  RETURN_IF_ERROR(auth::RequireOwner(principal, requested,
                                     use == RecipientUse::kRead
                                         ? auth::OwnerCheck::kOwnerOrSupervisor
                                         : auth::OwnerCheck::kOwnerOnly));
  return requested;
}

grpc::Status NotificationGrpc::Notify(grpc::ServerContext* context,
                                      const notification::v1::NotifyRequest* request,
                                      notification::v1::NotifyResponse* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const Principal* principal, call.RequirePrincipal());
    RETURN_IF_ERROR(auth::RequireKind(*principal, {auth::v1::SERVICE, auth::v1::PLATFORM_ADMIN}));
    ASSIGN_OR_RETURN(NotifyResult result, parts_.notifier->Notify(request->event()));
    *response = result.response;
    LogNotified(call, request->event(), result, *principal);
    return absl::OkStatus();
  });
}

grpc::Status NotificationGrpc::NotifyBatch(grpc::ServerContext* context,
                                           const notification::v1::NotifyBatchRequest* request,
                                           api::v1::HandoffResults* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const Principal* principal, call.RequirePrincipal());
    RETURN_IF_ERROR(auth::RequireKind(*principal, {auth::v1::SERVICE, auth::v1::PLATFORM_ADMIN}));
    RETURN_IF_ERROR(outbox::CheckBatchSize("notifications", request->notifications_size()));
    std::vector<NotifyResult> results(request->notifications_size());
    outbox::ApplyEach(
        results.size(),
        [&](size_t i, outbox::Done done) {
          parts_.notifier->NotifyAsync(
              request->notifications(i).event(),
              [&results, i, done = std::move(done)](absl::StatusOr<NotifyResult> r) {
                if (r.ok()) results[i] = *std::move(r);
                done(r.status());
              });
        },
        call.log(), response, call.deadline());
    for (size_t i = 0; i < results.size(); ++i) {
      LogNotified(call, request->notifications(i).event(), results[i], *principal);
    }
    return absl::OkStatus();
  });
}

void NotificationGrpc::LogNotified(const Call& call, const notification::v1::Event& event,
                                   const NotifyResult& result, const Principal& principal) {
  if (!result.response.created()) return;
  std::vector<std::string> channels;
  for (const auto& d : result.deliveries) {
    channels.push_back(absl::StrCat(ChannelName(d.channel), ":", d.masked_address));
  }
  call.log().Info("notified", {{"event_id", event.event_id()},
                               {"type", event.type()},
                               {"message_id", result.response.message_id()},
                               {"deliveries", absl::StrJoin(channels, ",")},
                               {"by", principal.subject()}});
  if (!result.templated) {
    call.log().Warn("no template for this event type; sent as generic text",
                    {{"type", event.type()}});
  } else if (!result.missing_params.empty()) {
    call.log().Warn(
        "event lacks parameters its templates use",
        {{"type", event.type()}, {"missing", absl::StrJoin(result.missing_params, ",")}});
  }
}

grpc::Status NotificationGrpc::ListInbox(grpc::ServerContext* context,
                                         const notification::v1::ListInboxRequest* request,
                                         notification::v1::ListInboxResponse* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const Principal* principal, call.RequirePrincipal());
    ASSIGN_OR_RETURN(std::string recipient,
                     ResolveRecipient(*principal, request->recipient_id(), RecipientUse::kRead));
    ASSIGN_OR_RETURN(*response,
                     parts_.inbox->List(recipient, request->page_size(), request->page_token()));
    return absl::OkStatus();
  });
}

grpc::Status NotificationGrpc::MarkRead(grpc::ServerContext* context,
                                        const notification::v1::MarkReadRequest* request,
                                        notification::v1::MarkReadResponse* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const Principal* principal, call.RequirePrincipal());
    ASSIGN_OR_RETURN(std::string owner, parts_.inbox->Owner(request->message_id()));
    if (!ResolveRecipient(*principal, owner, RecipientUse::kWrite).ok()) {
      return absl::NotFoundError(absl::StrCat("message ", request->message_id(), " not found"));
    }
    ASSIGN_OR_RETURN(*response, parts_.inbox->MarkRead(request->message_id()));
    return absl::OkStatus();
  });
}

grpc::Status NotificationGrpc::MarkAllRead(grpc::ServerContext* context,
                                           const notification::v1::MarkAllReadRequest* request,
                                           notification::v1::MarkReadResponse* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const Principal* principal, call.RequirePrincipal());
    ASSIGN_OR_RETURN(std::string recipient,
                     ResolveRecipient(*principal, request->recipient_id(), RecipientUse::kWrite));
    ASSIGN_OR_RETURN(*response, parts_.inbox->MarkAllRead(recipient));
    return absl::OkStatus();
  });
}

grpc::Status NotificationGrpc::GetUnreadCount(
    grpc::ServerContext* context, const notification::v1::GetUnreadCountRequest* request,
    notification::v1::GetUnreadCountResponse* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const Principal* principal, call.RequirePrincipal());
    ASSIGN_OR_RETURN(std::string recipient,
                     ResolveRecipient(*principal, request->recipient_id(), RecipientUse::kRead));
    ASSIGN_OR_RETURN(int unread, parts_.inbox->UnreadCount(recipient));
    response->set_unread_count(unread);
    return absl::OkStatus();
  });
}

grpc::Status NotificationGrpc::GetMessageStatus(
    grpc::ServerContext* context, const notification::v1::GetMessageStatusRequest* request,
    notification::v1::MessageStatus* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const Principal* principal, call.RequirePrincipal());
    ASSIGN_OR_RETURN(std::string owner, parts_.inbox->Owner(request->message_id()));
    // Services that sent the event may follow it up too.
    if (principal->kind() != auth::v1::SERVICE &&
        !ResolveRecipient(*principal, owner, RecipientUse::kRead).ok()) {
      return absl::NotFoundError(absl::StrCat("message ", request->message_id(), " not found"));
    }
    ASSIGN_OR_RETURN(*response, parts_.deliveries->MessageStatus(request->message_id()));
    return absl::OkStatus();
  });
}

grpc::Status NotificationGrpc::GetPreferences(
    grpc::ServerContext* context, const notification::v1::GetPreferencesRequest* request,
    notification::v1::Preferences* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const Principal* principal, call.RequirePrincipal());
    ASSIGN_OR_RETURN(std::string recipient, ResolveRecipient(*principal, request->recipient_id(),
                                                             RecipientUse::kPreferences));
    ASSIGN_OR_RETURN(*response, parts_.preferences->Get(recipient));
    return absl::OkStatus();
  });
}

grpc::Status NotificationGrpc::UpdatePreferences(
    grpc::ServerContext* context, const notification::v1::UpdatePreferencesRequest* request,
    notification::v1::Preferences* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const Principal* principal, call.RequirePrincipal());
    ASSIGN_OR_RETURN(std::string recipient, ResolveRecipient(*principal, request->recipient_id(),
                                                             RecipientUse::kPreferences));
    const bool system =
        principal->kind() == auth::v1::SERVICE || principal->kind() == auth::v1::PLATFORM_ADMIN;
    const std::vector<std::string> fields(request->fields().begin(), request->fields().end());
    ASSIGN_OR_RETURN(*response, parts_.preferences->Update(recipient, request->preferences(),
                                                           fields, system, parts_.clock->Now()));
    call.log().Info("preferences updated", {{"recipient_id", recipient},
                                            {"sms", response->sms()},
                                            {"email", response->email()},
                                            {"webhook", response->webhook()},
                                            {"by", principal->subject()}});
    return absl::OkStatus();
  });
}

grpc::Status NotificationGrpc::PutTemplate(grpc::ServerContext* context,
                                           const notification::v1::PutTemplateRequest* request,
                                           notification::v1::Template* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const Principal* principal, call.RequirePrincipal());
    RETURN_IF_ERROR(auth::RequireKind(*principal, {auth::v1::PLATFORM_ADMIN}));
    ASSIGN_OR_RETURN(*response, parts_.templates->Put(request->template_(), principal->subject(),
                                                      parts_.clock->Now()));
    call.log().Info("template saved", {{"event_type", response->event_type()},
                                       {"channel", ChannelName(response->channel())},
                                       {"language", response->language()},
                                       {"version", response->version()},
                                       {"by", principal->subject()}});
    return absl::OkStatus();
  });
}

grpc::Status NotificationGrpc::GetTemplate(grpc::ServerContext* context,
                                           const notification::v1::GetTemplateRequest* request,
                                           notification::v1::Template* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const Principal* principal, call.RequirePrincipal());
    RETURN_IF_ERROR(RequireTemplateReader(*principal));
    ASSIGN_OR_RETURN(*response, parts_.templates->Get(request->event_type(), request->channel(),
                                                      request->language(), request->version()));
    return absl::OkStatus();
  });
}

grpc::Status NotificationGrpc::ListTemplates(grpc::ServerContext* context,
                                             const notification::v1::ListTemplatesRequest* request,
                                             notification::v1::ListTemplatesResponse* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const Principal* principal, call.RequirePrincipal());
    RETURN_IF_ERROR(RequireTemplateReader(*principal));
    for (auto& t : parts_.templates->List(request->event_type())) {
      *response->add_templates() = std::move(t);
    }
    return absl::OkStatus();
  });
}

grpc::Status NotificationGrpc::DeleteTemplate(
    grpc::ServerContext* context, const notification::v1::DeleteTemplateRequest* request,
    notification::v1::Template* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const Principal* principal, call.RequirePrincipal());
    RETURN_IF_ERROR(auth::RequireKind(*principal, {auth::v1::PLATFORM_ADMIN}));
    ASSIGN_OR_RETURN(*response, parts_.templates->Delete(request->event_type(), request->channel(),
                                                         request->language(), principal->subject(),
                                                         parts_.clock->Now()));
    call.log().Info("template deleted", {{"event_type", response->event_type()},
                                         {"channel", ChannelName(response->channel())},
                                         {"language", response->language()},
                                         {"version", response->version()},
                                         {"by", principal->subject()}});
    return absl::OkStatus();
  });
}

grpc::Status NotificationGrpc::ListEventTypes(
    grpc::ServerContext* context, const notification::v1::ListEventTypesRequest* request,
    notification::v1::ListEventTypesResponse* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const Principal* principal, call.RequirePrincipal());
    RETURN_IF_ERROR(RequireTemplateReader(*principal));
    for (const EventTypeSpec& spec : EventTypes()) {
      auto* t = response->add_event_types();
      t->set_type(spec.type);
      for (const auto& p : spec.placeholders) t->add_placeholders(p);
      for (const auto& r : spec.required) t->add_required(r);
    }
    return absl::OkStatus();
  });
}

grpc::Status NotificationGrpc::ReportDeliveryStatus(
    grpc::ServerContext* context, const notification::v1::ReportDeliveryStatusRequest* request,
    notification::v1::Delivery* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const Principal* principal, call.RequirePrincipal());
    RETURN_IF_ERROR(auth::RequireKind(*principal, {auth::v1::SERVICE, auth::v1::PLATFORM_ADMIN}));
    notification::v1::DeliveryStatus previous = notification::v1::DELIVERY_STATUS_UNSPECIFIED;
    ASSIGN_OR_RETURN(*response, parts_.deliveries->ApplyCallback(
                                    request->delivery_id(), request->status(), request->detail(),
                                    parts_.clock->Now(), &previous));
    if (previous != request->status()) {
      if (parts_.metrics != nullptr)
        parts_.metrics->Message(response->channel(), request->status());
      call.log().Info("provider reported a delivery status",
                      {{"delivery_id", request->delivery_id()},
                       {"from", StatusName(previous)},
                       {"to", StatusName(request->status())},
                       {"by", principal->subject()}});
    }
    return absl::OkStatus();
  });
}

}  // namespace onewindow::notification
