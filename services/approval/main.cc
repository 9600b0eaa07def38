// approval: cases, stages, department queues and deadlines.
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/client/channels.h"
#include "libs/config/flags.h"
#include "libs/outbox/notify_sender.h"
#include "libs/outbox/outbox.h"
#include "libs/server/bootstrap.h"
#include "libs/server/periodic.h"
#include "libs/workday/calendar.h"
#include "libs/workday/calendar_metrics.h"
#include "libs/workday/clock.h"
#include "libs/workday/deadline.h"
#include "services/approval/approval_grpc.h"
#include "services/approval/catalog_source.h"
#include "services/approval/schema.h"
#include "services/approval/senders.h"
#include "services/approval/sweep.h"

ABSL_FLAG(std::string, calendar_dir, OW_DEFAULT_CALENDAR_DIR,
          "Holiday calendars (*.txt, one per year) the working-day clocks count on");
ABSL_FLAG(int, writer_cache_mib, 128, "SQLite page cache of the writing connection, MiB");
ABSL_FLAG(int, sweep_interval_seconds, 60,
          "How often due and overdue marks are set and escalations sent");

int main(int argc, char** argv) {
  using namespace onewindow;
  server::Process process =
      server::Bootstrap(argc, argv,
                        {"approval", "approval: the back office's cases and queues", 50053, 9103,
                         &approval::ApprovalMigrations()});

  // Deadlines here are enforced (marks, escalations, supervision), so
  // running without the holidays would be wrong, not approximate.
  const std::string calendar_dir = absl::GetFlag(FLAGS_calendar_dir);
  absl::StatusOr<workday::Calendar> calendar = workday::Calendar::LoadDirectory(calendar_dir);
  if (!calendar.ok()) config::ExitOnConfigError(process.logger, calendar.status());
  const int this_year = static_cast<int>(workday::ChinaDay(absl::Now()).year());
  if (!calendar->Covers(this_year) || !calendar->Covers(this_year + 1)) {
    process.logger.Warn(
        "holiday calendar does not cover this and next year; uncovered days count "
        "Monday-Friday",
        {{"calendar_dir", calendar_dir}, {"year", this_year}});
  }
  workday::ExportCalendarReach(*calendar, absl::Now(), process.runner->metrics());
  // The writer connection does all of approval's writing: give it a page
  // cache that holds the hot indexes (SQLite's default is 2 MiB).
  if (absl::Status s = process.db->Write([](store::Connection& db) {
        db.exec(
            absl::StrCat("PRAGMA cache_size = -", absl::GetFlag(FLAGS_writer_cache_mib) * 1024));
        return absl::OkStatus();
      });
      !s.ok()) {
    config::ExitOnConfigError(process.logger, s);
  }
  workday::SystemClock clock;
  auto token = [&process] { return server::ServiceToken(process); };

  // Other backends. A missing address leaves its feature unavailable (cases
  // cannot open without the catalog; events wait in the outbox) rather than
  // stopping the process, so partial stacks still start.
  std::unique_ptr<approval::CatalogSource> catalog;
  if (const std::string address = client::AddressOf("catalog"); !address.empty()) {
    catalog = std::make_unique<approval::CatalogSource>(
        catalog::v1::CatalogService::NewStub(client::MakeChannel(address)), token);
  } else {
    process.logger.Warn("no --catalog_addr: cases cannot be opened");
  }
  outbox::Relay relay(process.db.get(), {}, process.logger, &process.runner->metrics());
  std::unique_ptr<intake::v1::IntakeService::Stub> intake;
  if (const std::string address = client::AddressOf("intake"); !address.empty()) {
    intake = intake::v1::IntakeService::NewStub(client::MakeChannel(address));
    relay.RouteBatches(approval::kTopicIntake,
                       approval::IntakeBatchSender(intake.get(), process.credentials.get()));
  } else {
    process.logger.Warn("no --intake_addr: transitions wait in the outbox");
  }
  std::unique_ptr<notification::v1::NotificationService::Stub> notification;
  if (const std::string address = client::AddressOf("notification"); !address.empty()) {
    notification = notification::v1::NotificationService::NewStub(client::MakeChannel(address));
    relay.RouteBatches(approval::kTopicNotify,
                       outbox::NotifyBatchSender(notification.get(), [&process] {
                         return process.credentials->Context(absl::Seconds(5));
                       }));
  } else {
    process.logger.Warn("no --notification_addr: escalations wait in the outbox");
  }

  approval::Processes processes(process.db.get(), catalog.get());
  approval::Deadlines deadlines(&*calendar);
  approval::Flow flow(&deadlines);
  approval::Deps deps{process.db.get(),          &clock, &deadlines, &flow, &processes,
                      [&relay] { relay.Wake(); }};
  approval::Cases cases(deps);
  approval::Desk desk(deps);
  approval::Views views(deps);
  approval::Reports reports(deps);
  approval::Sweep sweep(deps, process.logger, &process.runner->metrics());
  server::PeriodicTask sweeper(absl::Seconds(absl::GetFlag(FLAGS_sweep_interval_seconds)),
                               [&sweep] { sweep.RunAndLog(); });

  approval::ApprovalGrpc service(process.calls.get(), {&cases, &desk, &views, &reports});
  process.runner->AddService(&service, approval::v1::ApprovalService::service_full_name());

  // Runs after in-flight calls drained and before the store closes.
  process.runner->OnShutdown([&] {
    sweeper.Stop();
    relay.Stop();
  });
  relay.Start();
  sweeper.Start();
  return server::ServeUntilSignal(process);
}
