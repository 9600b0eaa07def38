// notification: templates, inbox and delivery.
#include "libs/server/bootstrap.h"
#include "services/notification/notification_grpc.h"
#include "services/notification/schema.h"

int main(int argc, char** argv) {
  using namespace onewindow;
  server::Process process =
      server::Bootstrap(argc, argv,
                        {"notification", "notification: feedback on every case", 50054, 9104,
                         &notification::NotificationMigrations()});
  notification::Inbox inbox(process.db.get());
  notification::NotificationGrpc service(process.calls.get(), &inbox);
  process.runner->AddService(&service, notification::v1::NotificationService::service_full_name());
  return server::ServeUntilSignal(process);
}
