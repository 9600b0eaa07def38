#pragma once

#include "libs/server/call.h"
#include "libs/workday/clock.h"
#include "onewindow/notification/v1/notification.grpc.pb.h"
#include "services/notification/deliveries.h"
#include "services/notification/inbox.h"
#include "services/notification/metrics.h"
#include "services/notification/notifier.h"
#include "services/notification/preferences.h"
#include "services/notification/templates.h"

namespace onewindow::notification {

// The domain classes the handler adapts; not owned.
struct NotificationParts {
  Notifier* notifier;
  Inbox* inbox;
  Templates* templates;
  PreferencesStore* preferences;
  DeliveryStore* deliveries;
  NotificationMetrics* metrics;  // May be null.
  const workday::Clock* clock;
};

// gRPC edge: who may do what, then the domain call. Inboxes and
// preferences belong to their recipient (an account id, or "dept:<id>" for
// a department's staff); another citizen's message looks exactly like a
// missing one.
class NotificationGrpc final : public notification::v1::NotificationService::Service {
 public:
  NotificationGrpc(const server::CallRunner* runner, NotificationParts parts)
      : runner_(runner), parts_(parts) {}

  grpc::Status Notify(grpc::ServerContext* context, const notification::v1::NotifyRequest* request,
                      notification::v1::NotifyResponse* response) override;
  grpc::Status NotifyBatch(grpc::ServerContext* context,
                           const notification::v1::NotifyBatchRequest* request,
                           api::v1::HandoffResults* response) override;
  grpc::Status ListInbox(grpc::ServerContext* context,
                         const notification::v1::ListInboxRequest* request,
                         notification::v1::ListInboxResponse* response) override;
  grpc::Status MarkRead(grpc::ServerContext* context,
                        const notification::v1::MarkReadRequest* request,
                        notification::v1::MarkReadResponse* response) override;
  grpc::Status MarkAllRead(grpc::ServerContext* context,
                           const notification::v1::MarkAllReadRequest* request,
                           notification::v1::MarkReadResponse* response) override;
  grpc::Status GetUnreadCount(grpc::ServerContext* context,
                              const notification::v1::GetUnreadCountRequest* request,
                              notification::v1::GetUnreadCountResponse* response) override;
  grpc::Status GetMessageStatus(grpc::ServerContext* context,
                                const notification::v1::GetMessageStatusRequest* request,
                                notification::v1::MessageStatus* response) override;
  grpc::Status GetPreferences(grpc::ServerContext* context,
                              const notification::v1::GetPreferencesRequest* request,
                              notification::v1::Preferences* response) override;
  grpc::Status UpdatePreferences(grpc::ServerContext* context,
                                 const notification::v1::UpdatePreferencesRequest* request,
                                 notification::v1::Preferences* response) override;
  grpc::Status PutTemplate(grpc::ServerContext* context,
                           const notification::v1::PutTemplateRequest* request,
                           notification::v1::Template* response) override;
  grpc::Status GetTemplate(grpc::ServerContext* context,
                           const notification::v1::GetTemplateRequest* request,
                           notification::v1::Template* response) override;
  grpc::Status ListTemplates(grpc::ServerContext* context,
                             const notification::v1::ListTemplatesRequest* request,
                             notification::v1::ListTemplatesResponse* response) override;
  grpc::Status DeleteTemplate(grpc::ServerContext* context,
                              const notification::v1::DeleteTemplateRequest* request,
                              notification::v1::Template* response) override;
  grpc::Status ListEventTypes(grpc::ServerContext* context,
                              const notification::v1::ListEventTypesRequest* request,
                              notification::v1::ListEventTypesResponse* response) override;
  grpc::Status ReportDeliveryStatus(grpc::ServerContext* context,
                                    const notification::v1::ReportDeliveryStatusRequest* request,
                                    notification::v1::Delivery* response) override;

 private:
  // One line per new message; addresses are masked.
  static void LogNotified(const server::Call& call, const notification::v1::Event& event,
                          const NotifyResult& result, const auth::v1::Principal& principal);

  const server::CallRunner* runner_;
  NotificationParts parts_;
};

// What a principal may do with a recipient's inbox or preferences.
enum class RecipientUse {
  // Reading an inbox or a message's status: the owner, a department's staff
  // for "dept:<id>", operators and platform admins (support).
  kRead,
  // Marking read: the owner or the department's staff only.
  kWrite,
  // Preferences: the owner, the department's staff, services and platform
  // admins (systems that register contacts for recipients).
  kPreferences,
};

// The recipient `principal` acts for: `requested`, or the principal's own
// subject when `requested` is empty. NOT_FOUND when it may not.
absl::StatusOr<std::string> ResolveRecipient(const auth::v1::Principal& principal,
                                             const std::string& requested, RecipientUse use);

}  // namespace onewindow::notification
