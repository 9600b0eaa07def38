// notification: templates, inbox and delivery.
#include <memory>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/config/flags.h"
#include "libs/server/bootstrap.h"
#include "libs/workday/clock.h"
#include "services/notification/delivery_worker.h"
#include "services/notification/file_sink_provider.h"
#include "services/notification/notification_grpc.h"
#include "services/notification/schema.h"
#include "services/notification/smtp_provider.h"
#include "services/notification/webhook_provider.h"

ABSL_FLAG(std::string, smtp_server, "",
          "host:port of the SMTP relay for e-mail (empty: e-mail goes to the file sink)");
ABSL_FLAG(std::string, smtp_from, "noreply@onewindow.local", "Envelope and From address");
ABSL_FLAG(std::string, smtp_helo, "onewindow.local", "Name given in EHLO and Message-IDs");
ABSL_FLAG(std::string, sms_gateway_url, "",
          "http:// URL of the SMS gateway's webhook (empty: SMS go to the file sink)");
ABSL_FLAG(std::string, webhook_secret, "",
          "Secret for the HMAC-SHA-256 signature on webhook requests (every receiver holds it)");
ABSL_FLAG(std::string, sms_gateway_secret, "",
          "Secret for the HMAC-SHA-256 signature on SMS gateway requests; required with"
          " --sms_gateway_url and different from --webhook_secret, or any webhook receiver could"
          " sign texts");
ABSL_FLAG(std::string, file_sink, "notification-sink.jsonl",
          "File (relative to --data_dir) that e-mail and SMS are appended to when no provider "
          "is configured, for demos; empty: such deliveries fail");
ABSL_FLAG(int, delivery_concurrency, 8, "Deliveries handed to providers at once");
ABSL_FLAG(int, delivery_max_attempts, 30,
          "Attempts before a delivery fails permanently (30: about three hours of retries)");
ABSL_FLAG(int, delivery_initial_backoff_ms, 2000, "Back-off after the first failed attempt");
ABSL_FLAG(int, delivery_max_backoff_seconds, 600, "Longest back-off between attempts");
ABSL_FLAG(int, delivery_poll_ms, 1000, "How often the delivery queue is looked at unprompted");
ABSL_FLAG(int, provider_timeout_ms, 10000, "Longest wait for a provider's answer");
ABSL_FLAG(double, recipient_rate_per_minute, 30,
          "Deliveries per recipient per minute across SMS, e-mail and webhook (0: unlimited)");
ABSL_FLAG(double, recipient_burst, 10, "Deliveries a recipient may get at once");
ABSL_FLAG(double, provider_rate_per_second, 200,
          "Deliveries per provider per second (0: unlimited)");
ABSL_FLAG(double, provider_burst, 200, "Deliveries a provider may get at once");

namespace {

using namespace onewindow;

// Flags checked at start; a bad value stops the process naming it.
absl::Status CheckFlags() {
  std::vector<std::string> problems;
  if (absl::GetFlag(FLAGS_delivery_concurrency) < 1)
    problems.push_back("--delivery_concurrency: must be >= 1");
  if (absl::GetFlag(FLAGS_delivery_max_attempts) < 1)
    problems.push_back("--delivery_max_attempts: must be >= 1");
  if (absl::GetFlag(FLAGS_delivery_initial_backoff_ms) < 1) {
    problems.push_back("--delivery_initial_backoff_ms: must be >= 1");
  }
  if (absl::GetFlag(FLAGS_delivery_poll_ms) < 1)
    problems.push_back("--delivery_poll_ms: must be >= 1");
  if (absl::GetFlag(FLAGS_provider_timeout_ms) < 1)
    problems.push_back("--provider_timeout_ms: must be >= 1");
  const std::string smtp = absl::GetFlag(FLAGS_smtp_server);
  int port = 0;
  if (!smtp.empty() && (smtp.find(':') == std::string::npos ||
                        !absl::SimpleAtoi(smtp.substr(smtp.rfind(':') + 1), &port) || port <= 0)) {
    problems.push_back("--smtp_server: must be host:port");
  }
  const std::string sms = absl::GetFlag(FLAGS_sms_gateway_url);
  if (!sms.empty()) {
    if (auto url = notification::ParseHttpUrl(sms); !url.ok()) {
      problems.push_back(absl::StrCat("--sms_gateway_url: ", url.status().message()));
    }
    const std::string sms_secret = absl::GetFlag(FLAGS_sms_gateway_secret);
    if (sms_secret.empty()) {
      problems.push_back(
          "--sms_gateway_secret (OW_SMS_GATEWAY_SECRET): required with "
          "--sms_gateway_url");
    } else if (sms_secret == absl::GetFlag(FLAGS_webhook_secret)) {
      problems.push_back(
          "--sms_gateway_secret (OW_SMS_GATEWAY_SECRET): must differ from "
          "--webhook_secret, which every webhook receiver holds");
    }
  }
  if (!problems.empty()) return absl::InvalidArgumentError(absl::StrJoin(problems, "; "));
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  server::Process process =
      server::Bootstrap(argc, argv,
                        {"notification", "notification: feedback on every case", 50054, 9104,
                         &notification::NotificationMigrations()});
  if (absl::Status s = CheckFlags(); !s.ok()) config::ExitOnConfigError(process.logger, s);
  workday::SystemClock clock;
  notification::NotificationMetrics metrics(&process.runner->metrics());

  notification::Templates templates(process.db.get());
  if (absl::Status s = templates.Initialize(clock.Now()); !s.ok()) {
    config::ExitOnConfigError(process.logger, s);
  }
  notification::PreferencesStore preferences(process.db.get());
  notification::Inbox inbox(process.db.get());
  notification::DeliveryStore deliveries(process.db.get());
  notification::Notifier notifier(process.db.get(), &templates, &clock, &metrics);

  // Providers.
  const absl::Duration timeout = absl::Milliseconds(absl::GetFlag(FLAGS_provider_timeout_ms));
  const std::string secret = absl::GetFlag(FLAGS_webhook_secret);
  if (secret.empty()) {
    process.logger.Warn("--webhook_secret is empty: receivers cannot trust the signatures");
  }
  std::unique_ptr<notification::FileSinkProvider> sink;
  if (const std::string path = absl::GetFlag(FLAGS_file_sink); !path.empty()) {
    sink = std::make_unique<notification::FileSinkProvider>(
        absl::StartsWith(path, "/") ? path
                                    : absl::StrCat(absl::GetFlag(FLAGS_data_dir), "/", path));
  }
  std::unique_ptr<notification::SmtpProvider> smtp;
  if (const std::string server = absl::GetFlag(FLAGS_smtp_server); !server.empty()) {
    notification::SmtpProvider::Options o;
    o.host = server.substr(0, server.rfind(':'));
    absl::SimpleAtoi(server.substr(server.rfind(':') + 1), &o.port);
    o.from = absl::GetFlag(FLAGS_smtp_from);
    o.helo = absl::GetFlag(FLAGS_smtp_helo);
    o.timeout = timeout;
    smtp = std::make_unique<notification::SmtpProvider>(o);
  }
  std::unique_ptr<notification::WebhookProvider> sms;
  if (const std::string url = absl::GetFlag(FLAGS_sms_gateway_url); !url.empty()) {
    sms = std::make_unique<notification::WebhookProvider>(notification::WebhookProvider::Options{
        "sms_gateway", url, absl::GetFlag(FLAGS_sms_gateway_secret), timeout});
  }
  notification::WebhookProvider webhook({"webhook", "", secret, timeout});
  std::map<notification::v1::Channel, notification::Provider*> providers = {
      {notification::v1::CHANNEL_WEBHOOK, &webhook}};
  if (notification::Provider* p =
          smtp != nullptr ? static_cast<notification::Provider*>(smtp.get()) : sink.get()) {
    providers[notification::v1::CHANNEL_EMAIL] = p;
  }
  if (notification::Provider* p =
          sms != nullptr ? static_cast<notification::Provider*>(sms.get()) : sink.get()) {
    providers[notification::v1::CHANNEL_SMS] = p;
  }
  process.logger.Info("delivery providers",
                      {{"email", providers.count(notification::v1::CHANNEL_EMAIL)
                                     ? providers[notification::v1::CHANNEL_EMAIL]->name()
                                     : "none"},
                       {"sms", providers.count(notification::v1::CHANNEL_SMS)
                                   ? providers[notification::v1::CHANNEL_SMS]->name()
                                   : "none"},
                       {"webhook", webhook.name()}});

  notification::WorkerOptions options;
  options.concurrency = absl::GetFlag(FLAGS_delivery_concurrency);
  options.max_attempts = absl::GetFlag(FLAGS_delivery_max_attempts);
  options.initial_backoff = absl::Milliseconds(absl::GetFlag(FLAGS_delivery_initial_backoff_ms));
  options.max_backoff = absl::Seconds(absl::GetFlag(FLAGS_delivery_max_backoff_seconds));
  options.poll_interval = absl::Milliseconds(absl::GetFlag(FLAGS_delivery_poll_ms));
  options.recipient_per_minute = absl::GetFlag(FLAGS_recipient_rate_per_minute);
  options.recipient_burst = absl::GetFlag(FLAGS_recipient_burst);
  options.provider_per_second = absl::GetFlag(FLAGS_provider_rate_per_second);
  options.provider_burst = absl::GetFlag(FLAGS_provider_burst);
  notification::DeliveryWorker worker(&deliveries, providers, options, &clock, &metrics,
                                      process.logger);
  if (absl::StatusOr<int> recovered = worker.Recover(); !recovered.ok()) {
    config::ExitOnConfigError(process.logger, recovered.status());
  }
  notifier.OnQueued([&worker] { worker.Wake(); });
  worker.Start();
  // After in-flight calls drained and before the store closes.
  process.runner->OnShutdown([&worker] { worker.Stop(); });

  notification::NotificationGrpc service(
      process.calls.get(),
      {&notifier, &inbox, &templates, &preferences, &deliveries, &metrics, &clock});
  process.runner->AddService(&service, notification::v1::NotificationService::service_full_name());
  return server::ServeUntilSignal(process);
}
