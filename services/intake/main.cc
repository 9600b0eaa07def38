// intake: applications, materials, licences and delivery.
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "libs/client/channels.h"
#include "libs/config/flags.h"
#include "libs/outbox/notify_sender.h"
#include "libs/outbox/outbox.h"
#include "libs/server/bootstrap.h"
#include "libs/server/periodic.h"
#include "libs/server/service_credentials.h"
#include "libs/workday/calendar.h"
#include "libs/workday/calendar_metrics.h"
#include "libs/workday/clock.h"
#include "services/intake/blob_store.h"
#include "services/intake/guides.h"
#include "services/intake/handoff.h"
#include "services/intake/intake_grpc.h"
#include "services/intake/material_collector.h"
#include "services/intake/material_collector_metrics.h"
#include "services/intake/schema.h"

ABSL_FLAG(std::string, calendar_dir, "deploy/calendar",
          "Holiday calendars (*.txt) for working-day deadlines");
ABSL_FLAG(int64_t, max_material_bytes, 20 << 20, "Largest file an applicant may upload");
ABSL_FLAG(int64_t, max_application_bytes, 100 << 20, "Most bytes of files one application holds");
ABSL_FLAG(int, max_materials_per_application, 50, "Most files one application holds");
ABSL_FLAG(int, max_uploads_in_progress, 128,
          "Uploads intake takes at once; each holds a server thread while its client sends, so"
          " keep it well under --max_server_threads");
ABSL_FLAG(int, max_uploads_per_uploader, 8, "Uploads one account may have in progress at once");
ABSL_FLAG(int, orphan_material_hours, 72,
          "How long an upload waits for an application to list it before it is deleted"
          " (0: uploads are kept for ever)");
ABSL_FLAG(bool, outbox_relay, true,
          "Deliver hand-offs and notifications from this process (off: they wait in the outbox)");
ABSL_FLAG(int, guide_cache_seconds, 30,
          "How long a guide read from the catalog is reused (withdrawals show after this)");

int main(int argc, char** argv) {
  using namespace onewindow;
  server::Process process = server::Bootstrap(argc, argv,
                                              {"intake", "intake: the front desk for applications",
                                               50052, 9102, &intake::IntakeMigrations()});

  const std::string calendar_dir = absl::GetFlag(FLAGS_calendar_dir);
  absl::StatusOr<workday::Calendar> calendar = workday::Calendar::LoadDirectory(calendar_dir);
  if (!calendar.ok()) {
    // Deadlines then count Monday to Friday only: shown to applicants as an
    // estimate, never enforced here, so worth a warning rather than a stop.
    process.logger.Warn(
        "no holiday calendar; deadlines count Monday-Friday only",
        {{"calendar_dir", calendar_dir}, {"error", std::string(calendar.status().message())}});
    calendar = workday::Calendar();
  }
  workday::ExportCalendarReach(*calendar, absl::Now(), process.runner->metrics());
  auto blobs = intake::BlobStore::Open(absl::StrCat(absl::GetFlag(FLAGS_data_dir), "/materials"));
  if (!blobs.ok()) config::ExitOnConfigError(process.logger, blobs.status());
  const int orphan_material_hours = absl::GetFlag(FLAGS_orphan_material_hours);
  if (orphan_material_hours < 0) {
    config::ExitOnConfigError(process.logger,
                              absl::InvalidArgumentError("--orphan_material_hours: 0 or more"));
  }

  workday::SystemClock clock;
  server::ServiceCredentials& credentials = *process.credentials;
  auto catalog =
      catalog::v1::CatalogService::NewStub(client::MakeChannel(client::AddressOf("catalog")));
  auto approval =
      approval::v1::ApprovalService::NewStub(client::MakeChannel(client::AddressOf("approval")));
  auto notification = notification::v1::NotificationService::NewStub(
      client::MakeChannel(client::AddressOf("notification")));

  intake::CatalogGuides guides(std::move(catalog), &credentials,
                               absl::Seconds(absl::GetFlag(FLAGS_guide_cache_seconds)));
  intake::MaterialLimits limits;
  limits.max_material_bytes = absl::GetFlag(FLAGS_max_material_bytes);
  limits.max_application_bytes = absl::GetFlag(FLAGS_max_application_bytes);
  limits.max_materials_per_application = absl::GetFlag(FLAGS_max_materials_per_application);
  limits.max_uploads_in_progress = absl::GetFlag(FLAGS_max_uploads_in_progress);
  limits.max_uploads_per_uploader = absl::GetFlag(FLAGS_max_uploads_per_uploader);
  if (limits.max_uploads_in_progress < 1 || limits.max_uploads_per_uploader < 1) {
    config::ExitOnConfigError(
        process.logger, absl::InvalidArgumentError(
                            "--max_uploads_in_progress, --max_uploads_per_uploader: 1 or more"));
  }
  intake::Materials materials(process.db.get(), blobs->get(), &clock, limits);
  intake::Licences licences(process.db.get(), &clock);
  intake::GrpcCaseWithdrawer withdrawer(approval.get(), &credentials);

  outbox::Relay relay(process.db.get(), {}, process.logger, &process.runner->metrics());
  relay.RouteBatches(intake::kTopicOpenCase, intake::OpenCasesSender(approval.get(), &credentials));
  relay.Route(intake::kTopicResumeCase, intake::ResumeCaseSender(approval.get(), &credentials));
  relay.RouteBatches(intake::kTopicNotify,
                     outbox::NotifyBatchSender(notification.get(), [&credentials] {
                       return credentials.Context(absl::Seconds(5));
                     }));

  intake::Applications applications({process.db.get(), &guides, &materials, &licences, &withdrawer,
                                     &*calendar, &clock, [&relay] { relay.Wake(); }});
  intake::IntakeMetrics metrics(process.runner->metrics());
  intake::StatusGauges status_gauges(process.runner->metrics(), &applications);
  server::PeriodicTask status_sampler(absl::Seconds(15), [&] { status_gauges.Refresh(); });
  intake::CollectorOptions collector_options;
  collector_options.retention = absl::Hours(orphan_material_hours);
  intake::MaterialCollector collector(process.db.get(), blobs->get(), &clock, collector_options);
  intake::MaterialCollectorMetrics collector_passes(process.runner->metrics(), process.logger,
                                                    &collector);
  // Each pass sweeps 2 of the 256 blob directories: all of them in a day.
  server::PeriodicTask material_collector(absl::Minutes(10), [&] { collector_passes.RunPass(); });
  intake::IntakeGrpc service(process.calls.get(), {&applications, &materials, &licences, &metrics});
  process.runner->AddService(&service, intake::v1::IntakeService::service_full_name());

  // Runs after in-flight calls drained and before the store closes.
  process.runner->OnShutdown([&] {
    status_sampler.Stop();
    material_collector.Stop();
    relay.Stop();
  });
  if (absl::GetFlag(FLAGS_outbox_relay)) relay.Start();
  status_sampler.Start();
  if (orphan_material_hours > 0) material_collector.Start();
  return server::ServeUntilSignal(process);
}
