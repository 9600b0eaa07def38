// complaint: consultations, complaints, 12345 work orders and ratings.
#include "absl/flags/flag.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "libs/client/channels.h"
#include "libs/codes/credit_code.h"
#include "libs/config/flags.h"
#include "libs/outbox/notify_sender.h"
#include "libs/outbox/outbox.h"
#include "libs/server/bootstrap.h"
#include "libs/server/periodic.h"
#include "libs/workday/calendar_metrics.h"
#include "libs/workday/deadline.h"
#include "services/complaint/complaint_grpc.h"
#include "services/complaint/grpc_application_directory.h"
#include "services/complaint/notifications.h"
#include "services/complaint/schema.h"

ABSL_FLAG(std::string, calendar_dir, "deploy/calendar",
          "Directory of working-day calendar files (*.txt); without it only weekends are off");
ABSL_FLAG(std::string, dispatch_departments, "",
          "Comma-separated credit codes of the dispatch centres (12345) whose complaint "
          "handlers run the dispatch queue");
ABSL_FLAG(std::string, limit_days, "",
          "Handle-and-reply limits in working days per kind, e.g. COMPLAINT=5,CONSULTATION=3; "
          "kinds not named keep the defaults");
ABSL_FLAG(int, urgent_limit_days, 0, "Limit for urgent matters (0: the same day)");
ABSL_FLAG(int, max_extension_days, 10, "Working days a dispatcher may add to one order in all");
ABSL_FLAG(int, return_window_days, 2, "Working days after dispatch a department may return it");
ABSL_FLAG(int, callback_days, 1, "Working days after the reply the callback is due");
ABSL_FLAG(int, supervision_interval_seconds, 30,
          "How often overdue orders are escalated and the work order gauges refreshed");

namespace {

using namespace onewindow;

complaint::Policy PolicyFromFlags(const log::Logger& logger) {
  complaint::Policy policy;
  auto limits = complaint::ParseLimitDays(absl::GetFlag(FLAGS_limit_days), policy.limit_days);
  if (!limits.ok()) config::ExitOnConfigError(logger, limits.status());
  policy.limit_days = *std::move(limits);
  policy.urgent_limit_days = absl::GetFlag(FLAGS_urgent_limit_days);
  policy.max_extension_days = absl::GetFlag(FLAGS_max_extension_days);
  policy.return_window_days = absl::GetFlag(FLAGS_return_window_days);
  policy.callback_days = absl::GetFlag(FLAGS_callback_days);
  for (const auto* days : {&policy.urgent_limit_days, &policy.max_extension_days,
                           &policy.return_window_days, &policy.callback_days}) {
    if (*days < 0 || *days > 365) {
      config::ExitOnConfigError(
          logger, absl::InvalidArgumentError("day limits must be 0..365 working days"));
    }
  }
  for (absl::string_view id :
       absl::StrSplit(absl::GetFlag(FLAGS_dispatch_departments), ',', absl::SkipWhitespace())) {
    if (!codes::ValidateCreditCode(id).ok()) {
      config::ExitOnConfigError(
          logger, absl::InvalidArgumentError(
                      "--dispatch_departments: each entry must be a unified social credit code"));
    }
    policy.dispatch_departments.insert(std::string(id));
  }
  if (policy.dispatch_departments.empty()) {
    logger.Warn(
        "no --dispatch_departments: orders no rule places wait with nobody to dispatch them");
  }
  return policy;
}

workday::Calendar CalendarFromFlags(const log::Logger& logger) {
  const std::string dir = absl::GetFlag(FLAGS_calendar_dir);
  absl::StatusOr<workday::Calendar> calendar = workday::Calendar::LoadDirectory(dir);
  if (calendar.status().code() == absl::StatusCode::kNotFound) {
    // Intake must not stop for a missing holiday file; deadlines fall back
    // to Monday-Friday and say so.
    logger.Warn("no working-day calendar: holidays are not skipped",
                {{"calendar_dir", dir}, {"error", calendar.status().ToString()}});
    return workday::Calendar();
  }
  if (!calendar.ok()) config::ExitOnConfigError(logger, calendar.status());
  const int year = workday::ChinaDay(absl::Now()).year();
  if (!calendar->Covers(year)) {
    logger.Warn("the working-day calendar does not cover this year", {{"year", year}});
  }
  return *std::move(calendar);
}

}  // namespace

int main(int argc, char** argv) {
  server::Process process = server::Bootstrap(argc, argv,
                                              {"complaint", "complaint: every matter answered",
                                               50055, 9105, &complaint::ComplaintMigrations()});
  const complaint::Policy policy = PolicyFromFlags(process.logger);
  const workday::Calendar calendar = CalendarFromFlags(process.logger);
  workday::ExportCalendarReach(calendar, absl::Now(), process.runner->metrics());
  const workday::SystemClock clock;
  store::Database* db = process.db.get();
  const complaint::Env env{db, &calendar, &clock, &policy};

  complaint::DispatchRules rules(db);
  if (absl::Status s = rules.Load(); !s.ok()) config::ExitOnConfigError(process.logger, s);
  complaint::Categories categories(db);
  if (absl::Status s = categories.Init(); !s.ok()) config::ExitOnConfigError(process.logger, s);

  auto token = [&process] { return server::ServiceToken(process); };
  complaint::GrpcApplicationDirectory directory(client::MakeChannel(client::AddressOf("intake")),
                                                client::MakeChannel(client::AddressOf("catalog")),
                                                token);
  complaint::OrderIntake intake(env, &rules, &categories);
  complaint::Lifecycle lifecycle(env);
  complaint::OrderQueries queries(env, &categories);
  complaint::Escalations escalations(env);
  complaint::Ratings ratings(env, &directory);
  complaint::Reports reports(db, &clock, &policy);
  complaint::ComplaintMetrics metrics(process.runner->metrics());

  outbox::Relay relay(db, outbox::RelayOptions{}, process.logger, &process.runner->metrics());
  auto notification = notification::v1::NotificationService::NewStub(
      client::MakeChannel(client::AddressOf("notification")));
  relay.RouteBatches(complaint::kNotifyTopic,
                     outbox::NotifyBatchSender(notification.get(), [&process] {
                       return process.credentials->Context(absl::Seconds(5));
                     }));
  complaint::Supervisor supervisor(
      &escalations, process.logger, [&](const complaint::Escalations::Result& r) {
        metrics.Escalated(r.reminders, r.notices);
        if (r.reminders + r.notices > 0) relay.Wake();
        if (absl::Status s = metrics.RefreshOrderGauges(*db, clock.Now()); !s.ok()) {
          process.logger.Warn("work order gauges not refreshed", {{"error", s.ToString()}});
        }
      });
  server::PeriodicTask supervision(
      absl::Seconds(std::max(1, absl::GetFlag(FLAGS_supervision_interval_seconds))),
      [&supervisor] { supervisor.RunOnce(); });

  complaint::ComplaintGrpc service(
      process.calls.get(), {&intake, &lifecycle, &queries, &rules, &categories, &ratings, &reports,
                            &escalations, &policy, &metrics, [&relay] { relay.Wake(); }});
  process.runner->AddService(&service, complaint::v1::ComplaintService::service_full_name());
  // Runs after in-flight calls drained and before the store closes.
  process.runner->OnShutdown([&] {
    supervision.Stop();
    relay.Stop();
  });
  relay.Start();
  supervision.Start();
  return server::ServeUntilSignal(process);
}
