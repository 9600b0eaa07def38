// Delivery: providers against real local receivers (webhook and SMTP),
// retries through an outage, permanent failure, crash recovery, rate
// limits, status callbacks.
#include <algorithm>
#include <fstream>
#include <optional>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "services/notification/delivery_worker.h"
#include "services/notification/file_sink_provider.h"
#include "services/notification/signature.h"
#include "services/notification/smtp_provider.h"
#include "services/notification/testing/receivers.h"
#include "services/notification/webhook_provider.h"
#include "tests/unit/notification_fixture.h"

namespace onewindow::notification {
namespace {

using test::Fixture;
using test::MakeEvent;
using testing::SmtpReceiver;
using testing::WebhookReceiver;

constexpr char kSecret[] = "shared-secret";

WorkerOptions FastOptions() {
  WorkerOptions o;
  o.concurrency = 4;
  o.max_attempts = 4;
  o.initial_backoff = absl::Seconds(10);
  o.max_backoff = absl::Minutes(5);
  o.poll_interval = absl::Milliseconds(20);
  o.recipient_per_minute = 0;
  o.provider_per_second = 0;
  return o;
}

// onewindow_notification_messages_total{channel="webhook",status="delivered"},
// or nullopt when there is no such series.
std::optional<double> DeliveredWebhooks(prometheus::Registry& registry) {
  for (const auto& family : registry.Collect()) {
    if (family.name != "onewindow_notification_messages_total") continue;
    for (const auto& m : family.metric) {
      std::map<std::string, std::string> labels;
      for (const auto& l : m.label) labels[l.name] = l.value;
      if (labels["channel"] == "webhook" && labels["status"] == "delivered") {
        return m.counter.value;
      }
    }
  }
  return std::nullopt;
}

// A fixture with a webhook receiver, an SMTP receiver and a worker over them.
struct DeliveryFixture : Fixture {
  explicit DeliveryFixture(WorkerOptions options = FastOptions())
      : receiver(kSecret), webhook({"webhook", "", kSecret, absl::Seconds(5)}) {
    REQUIRE(receiver.Start().ok());
    REQUIRE(smtp_receiver.Start().ok());
    SmtpProvider::Options smtp_options;
    smtp_options.port = smtp_receiver.port();
    smtp_options.timeout = absl::Seconds(5);
    smtp = std::make_unique<SmtpProvider>(smtp_options);
    sms = std::make_unique<WebhookProvider>(
        WebhookProvider::Options{"sms_gateway", receiver.url("/sms"), kSecret, absl::Seconds(5)});
    worker = std::make_unique<DeliveryWorker>(
        deliveries.get(),
        std::map<v1::Channel, Provider*>{{v1::CHANNEL_WEBHOOK, &webhook},
                                         {v1::CHANNEL_EMAIL, smtp.get()},
                                         {v1::CHANNEL_SMS, sms.get()}},
        options, &clock, &metrics, log::Logger::Stderr("test", log::Level::kError));
  }

  // A webhook-only recipient and one event for them; returns the delivery.
  v1::Delivery QueueWebhook(const std::string& event_id, const std::string& recipient = "acct-1") {
    OptIn(recipient, false, false, receiver.url());
    auto result = Notify(MakeEvent(event_id, "application.accepted", recipient,
                                   {{"number", "SQ1"}, {"item_name", "护照"}}));
    REQUIRE(result.deliveries.size() == 1);
    return Delivery(result.deliveries[0].delivery_id);
  }

  v1::Delivery Delivery(const std::string& id) {
    auto d = deliveries->Get(id);
    REQUIRE(d.ok());
    return *d;
  }

  int RunOnce() {
    auto n = worker->RunOnce();
    REQUIRE(n.ok());
    return *n;
  }

  WebhookReceiver receiver;
  SmtpReceiver smtp_receiver;
  WebhookProvider webhook;
  std::unique_ptr<WebhookProvider> sms;
  std::unique_ptr<SmtpProvider> smtp;
  std::unique_ptr<DeliveryWorker> worker;
};

TEST_CASE("a webhook carries an HMAC signature, the idempotency reference and the attempt") {
  DeliveryFixture f;
  v1::Delivery d = f.QueueWebhook("e1");
  CHECK(f.RunOnce() == 1);
  auto requests = f.receiver.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].signature_ok);
  CHECK(requests[0].idempotency_key == d.delivery_id());
  CHECK(requests[0].attempt == 1);
  CHECK(absl::StrContains(requests[0].body, "\"event_type\":\"application.accepted\""));
  CHECK(absl::StrContains(requests[0].body, "\"title\":\"申请已受理\""));
  CHECK(absl::StrContains(requests[0].body,
                          "\"params\":{\"item_name\":\"护照\",\"number\":\"SQ1\"}"));
  // When it went out, under the signature: a replay later shows its age.
  const size_t sent_at = requests[0].body.find("\"sent_at\":\"");
  REQUIRE(sent_at != std::string::npos);
  absl::Time sent;
  std::string error;
  const size_t end = requests[0].body.find('"', sent_at + 11);
  REQUIRE(absl::ParseTime(absl::RFC3339_full,
                          requests[0].body.substr(sent_at + 11, end - sent_at - 11), &sent,
                          &error));
  CHECK(absl::AbsDuration(absl::Now() - sent) < absl::Minutes(1));
  CHECK(VerifyWebhookSignature(kSecret, requests[0].body,
                               WebhookSignature(kSecret, requests[0].body)));
  CHECK_FALSE(VerifyWebhookSignature("other", requests[0].body,
                                     WebhookSignature(kSecret, requests[0].body)));
  v1::Delivery after = f.Delivery(d.delivery_id());
  CHECK(after.status() == v1::DELIVERED);
  CHECK(after.attempts() == 1);
  REQUIRE(after.attempt_log_size() == 1);
  CHECK(after.attempt_log(0).status() == v1::DELIVERED);
  CHECK(after.attempt_log(0).detail() == "HTTP 200");
  CHECK(f.RunOnce() == 0);  // Nothing left.
}

TEST_CASE("a provider outage is retried with back-off until the message is delivered") {
  DeliveryFixture f;
  int outage = 2;
  f.receiver.SetResponder(
      [&](const WebhookReceiver::Request&) { return outage-- > 0 ? 503 : 200; });
  v1::Delivery d = f.QueueWebhook("e1");

  CHECK(f.RunOnce() == 1);
  v1::Delivery first = f.Delivery(d.delivery_id());
  CHECK(first.status() == v1::FAILED_TEMPORARY);
  CHECK(first.last_error() == "HTTP 503");
  const absl::Duration wait1 = store::FromProtoTime(first.next_attempt_time()) - f.clock.Now();
  CHECK(wait1 >= absl::Seconds(5));  // Half the initial back-off at least.
  CHECK(wait1 <= absl::Seconds(10));
  CHECK(f.RunOnce() == 0);  // Not due yet.

  f.clock.Advance(wait1);
  CHECK(f.RunOnce() == 1);
  v1::Delivery second = f.Delivery(d.delivery_id());
  CHECK(second.status() == v1::FAILED_TEMPORARY);
  const absl::Duration wait2 = store::FromProtoTime(second.next_attempt_time()) - f.clock.Now();
  CHECK(wait2 >= absl::Seconds(10));  // Doubled.
  CHECK(wait2 <= absl::Seconds(20));

  f.clock.Advance(wait2);
  CHECK(f.RunOnce() == 1);
  v1::Delivery done = f.Delivery(d.delivery_id());
  CHECK(done.status() == v1::DELIVERED);
  CHECK(done.attempts() == 3);
  CHECK(done.last_error().empty());
  REQUIRE(done.attempt_log_size() == 3);
  CHECK(done.attempt_log(0).status() == v1::FAILED_TEMPORARY);
  CHECK(done.attempt_log(1).status() == v1::FAILED_TEMPORARY);
  CHECK(done.attempt_log(2).status() == v1::DELIVERED);
  // One reference for every attempt, attempts numbered.
  auto requests = f.receiver.requests();
  REQUIRE(requests.size() == 3);
  for (int i = 0; i < 3; ++i) {
    CHECK(requests[i].idempotency_key == d.delivery_id());
    CHECK(requests[i].attempt == i + 1);
  }
}

TEST_CASE("an outcome the store could not record is recorded later, not sent again") {
  DeliveryFixture f;
  v1::Delivery d = f.QueueWebhook("e1");
  auto exec = [&](const std::string& sql) {
    REQUIRE(f.db->Write([&](store::Connection& db) {
                  db.exec(sql);
                  return absl::OkStatus();
                })
                .ok());
  };
  // The disk refuses the outcome's write once the receiver has the message.
  exec(
      "CREATE TRIGGER refuse_outcome BEFORE UPDATE ON deliveries WHEN NEW.status = 3"
      " BEGIN SELECT RAISE(ABORT, 'disk trouble'); END");
  CHECK(f.RunOnce() == 1);
  CHECK(f.receiver.requests().size() == 1);
  CHECK(f.Delivery(d.delivery_id()).status() == v1::SENDING);

  exec("DROP TRIGGER refuse_outcome");
  f.RunOnce();
  const v1::Delivery done = f.Delivery(d.delivery_id());
  CHECK(done.status() == v1::DELIVERED);
  CHECK(done.attempts() == 1);
  CHECK(f.receiver.requests().size() == 1);
  // And the delivery is counted, once, when it is recorded.
  CHECK(DeliveredWebhooks(f.registry) == 1.0);
}

TEST_CASE("a delivery fails permanently once the attempts run out") {
  DeliveryFixture f;
  f.receiver.SetResponder([](const WebhookReceiver::Request&) { return 503; });
  v1::Delivery d = f.QueueWebhook("e1");
  for (int i = 0; i < 4; ++i) {
    CHECK(f.RunOnce() == 1);
    f.clock.Advance(absl::Hours(1));
  }
  v1::Delivery failed = f.Delivery(d.delivery_id());
  CHECK(failed.status() == v1::FAILED_PERMANENT);
  CHECK(failed.attempts() == 4);
  CHECK(failed.last_error() == "gave up after 4 attempts; last: HTTP 503");
  CHECK(f.RunOnce() == 0);
  CHECK(f.receiver.request_count() == 4);
}

TEST_CASE("a refusal such as 400 fails the delivery at once, 429 is retried") {
  DeliveryFixture f;
  f.receiver.SetResponder([](const WebhookReceiver::Request& r) {
    return absl::StrContains(r.body, "\"number\":\"SQ1\"") ? 400 : 429;
  });
  v1::Delivery refused = f.QueueWebhook("e1");
  f.OptIn("acct-2", false, false, f.receiver.url());
  auto busy = f.Notify(MakeEvent("e2", "application.accepted", "acct-2", {{"number", "SQ2"}}));
  CHECK(f.RunOnce() == 2);
  CHECK(f.Delivery(refused.delivery_id()).status() == v1::FAILED_PERMANENT);
  CHECK(f.Delivery(refused.delivery_id()).last_error() == "HTTP 400");
  CHECK(f.Delivery(busy.deliveries[0].delivery_id).status() == v1::FAILED_TEMPORARY);
}

TEST_CASE("an unreachable receiver is a temporary failure") {
  DeliveryFixture f;
  f.OptIn("acct-1", false, false, "http://127.0.0.1:1/hook");
  auto r = f.Notify(MakeEvent("e1", "application.accepted", "acct-1", {{"number", "SQ1"}}));
  CHECK(f.RunOnce() == 1);
  v1::Delivery d = f.Delivery(r.deliveries[0].delivery_id);
  CHECK(d.status() == v1::FAILED_TEMPORARY);
  CHECK_FALSE(d.last_error().empty());
}

TEST_CASE("back-off doubles from the initial value up to the cap, jittered over its upper half") {
  DeliveryFixture f;
  for (int i = 0; i < 50; ++i) {
    const absl::Duration b1 = f.worker->Backoff(1);
    CHECK(b1 >= absl::Seconds(5));
    CHECK(b1 <= absl::Seconds(10));
    const absl::Duration b3 = f.worker->Backoff(3);
    CHECK(b3 >= absl::Seconds(20));
    CHECK(b3 <= absl::Seconds(40));
    const absl::Duration b20 = f.worker->Backoff(20);
    CHECK(b20 >= absl::Seconds(150));
    CHECK(b20 <= absl::Minutes(5));
  }
}

TEST_CASE("by default a failing provider is retried for hours, not minutes") {
  const WorkerOptions defaults;
  DeliveryFixture f(defaults);
  // The shortest the retries can last: every back-off at its jittered least.
  absl::Duration least = absl::ZeroDuration();
  for (int attempt = 1; attempt < defaults.max_attempts; ++attempt) {
    absl::Duration b = defaults.initial_backoff;
    for (int i = 1; i < attempt && b < defaults.max_backoff; ++i) b *= 2;
    least += std::min(b, defaults.max_backoff) / 2;
    CHECK(f.worker->Backoff(attempt) >= std::min(b, defaults.max_backoff) / 2);
  }
  CHECK(least >= absl::Hours(1));
}

TEST_CASE("an e-mail goes out over SMTP with its subject, body and idempotency reference") {
  DeliveryFixture f;
  f.OptIn("acct-1", false, true, "");
  auto r =
      f.Notify(MakeEvent("e1", "application.rejected", "acct-1",
                         {{"number", "SQ7"}, {"item_name", "营业执照"}, {"reason", "材料不全"}}));
  CHECK(f.RunOnce() == 1);
  REQUIRE(f.smtp_receiver.WaitForMails(1, absl::Seconds(5)));
  auto mail = f.smtp_receiver.mails()[0];
  CHECK(mail.from == "noreply@onewindow.local");
  CHECK(mail.to == std::vector<std::string>{"zhang.san@example.com"});
  CHECK(absl::StrContains(
      mail.data, absl::StrCat("Subject: =?UTF-8?B?", absl::Base64Escape("申请未获批准"), "?=")));
  const std::string id = r.deliveries[0].delivery_id;
  CHECK(absl::StrContains(mail.data, absl::StrCat("Message-ID: <", id, "@onewindow.local>")));
  const size_t body_at = mail.data.find("\r\n\r\n");
  REQUIRE(body_at != std::string::npos);
  std::string encoded = mail.data.substr(body_at + 4);
  encoded.erase(std::remove(encoded.begin(), encoded.end(), '\r'), encoded.end());
  encoded.erase(std::remove(encoded.begin(), encoded.end(), '\n'), encoded.end());
  std::string body;
  REQUIRE(absl::Base64Unescape(encoded, &body));
  CHECK(absl::StrContains(body, "营业执照申请（编号SQ7）未获批准。理由：材料不全。"));
  CHECK(f.Delivery(id).status() == v1::DELIVERED);
}

TEST_CASE("a long subject is folded into encoded-words short enough for every relay") {
  PendingDelivery d;
  d.id = "dlv_1";
  d.address = "zhang.san@example.com";
  // A work order's title in the subject: 400 characters, 1,200 bytes.
  for (int i = 0; i < 100; ++i) d.title += "小区停水";
  d.body = "正文";
  const std::string message = SmtpMessage(d, 1, "noreply@onewindow.local", "onewindow.local",
                                          absl::FromUnixSeconds(1790000000));
  const std::string headers = message.substr(0, message.find("\r\n\r\n"));
  std::string subject;
  bool in_subject = false;
  for (absl::string_view line : absl::StrSplit(headers, "\r\n")) {
    CHECK(line.size() <= 78);
    if (absl::StartsWith(line, "Subject: ")) {
      in_subject = true;
      line.remove_prefix(9);
    } else if (in_subject && absl::StartsWith(line, " ")) {
      line.remove_prefix(1);
    } else {
      in_subject = false;
      continue;
    }
    // One encoded-word per line, each whole characters.
    REQUIRE(absl::StartsWith(line, "=?UTF-8?B?"));
    REQUIRE(absl::EndsWith(line, "?="));
    CHECK(line.size() <= 75);
    std::string text;
    REQUIRE(absl::Base64Unescape(line.substr(10, line.size() - 12), &text));
    CHECK(text.size() % 3 == 0);  // Each of these characters is three bytes.
    subject += text;
  }
  CHECK(subject == d.title);

  // An event type queued with a line break cannot add a header.
  d.event.set_type("x\r\nBcc: a@example.cn");
  const std::string smuggled = SmtpMessage(d, 1, "noreply@onewindow.local", "onewindow.local",
                                           absl::FromUnixSeconds(1790000000));
  CHECK_FALSE(absl::StrContains(smuggled, "\r\nBcc:"));
  CHECK(absl::StrContains(smuggled, "X-OW-Event-Type: xBcc: a@example.cn\r\n"));
}

TEST_CASE("an SMTP 451 is retried and a 550 fails at once without the address in the log") {
  DeliveryFixture f;
  f.smtp_receiver.FailNext(1);
  f.OptIn("acct-1", false, true, "");
  auto r = f.Notify(MakeEvent("e1", "application.approved", "acct-1", {{"number", "SQ1"}}));
  CHECK(f.RunOnce() == 1);
  const std::string id = r.deliveries[0].delivery_id;
  CHECK(f.Delivery(id).status() == v1::FAILED_TEMPORARY);
  CHECK(absl::StrContains(f.Delivery(id).last_error(), "451"));
  f.clock.Advance(absl::Hours(1));
  CHECK(f.RunOnce() == 1);
  CHECK(f.Delivery(id).status() == v1::DELIVERED);

  f.smtp_receiver.RejectRecipient("zhang.san@example.com",
                                  "550 5.1.1 <zhang.san@example.com>: no such user");
  auto r2 = f.Notify(MakeEvent("e2", "application.approved", "acct-1", {{"number", "SQ2"}}));
  CHECK(f.RunOnce() == 1);
  v1::Delivery refused = f.Delivery(r2.deliveries[0].delivery_id);
  CHECK(refused.status() == v1::FAILED_PERMANENT);
  CHECK(absl::StrContains(refused.last_error(), "RCPT TO answered 550"));
  CHECK_FALSE(absl::StrContains(refused.last_error(), "zhang.san"));
}

TEST_CASE("SMS go to the gateway with the number, and wait out quiet hours unless urgent") {
  DeliveryFixture f;
  f.clock.Set(test::Cst(2026, 3, 2, 22, 30));
  f.OptIn("acct-1", true, false, "");
  f.Notify(MakeEvent("e1", "application.approved", "acct-1", {{"number", "SQ1"}}));
  auto urgent = MakeEvent("e2", "case.overdue", "acct-1", {{"number", "SQ2"}});
  urgent.set_urgent(true);
  f.Notify(urgent);
  CHECK(f.RunOnce() == 1);
  auto requests = f.receiver.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].target == "/sms");
  CHECK(absl::StrContains(requests[0].body, "\"to\":\"13812345678\""));
  CHECK(absl::StrContains(requests[0].body, "\"urgent\":true"));

  f.clock.Set(test::Cst(2026, 3, 3, 7, 59));
  CHECK(f.RunOnce() == 0);
  f.clock.Set(test::Cst(2026, 3, 3, 8, 0));
  CHECK(f.RunOnce() == 1);
  CHECK(f.receiver.request_count() == 2);
}

TEST_CASE("a retry that comes due in quiet hours waits for the morning") {
  DeliveryFixture f;
  f.clock.Set(test::Cst(2026, 3, 2, 21, 59) + absl::Seconds(55));
  f.OptIn("acct-1", true, false, "");
  int outage = 1;
  f.receiver.SetResponder(
      [&](const WebhookReceiver::Request&) { return outage-- > 0 ? 503 : 200; });
  auto r = f.Notify(MakeEvent("e1", "application.approved", "acct-1", {{"number", "SQ1"}}));
  CHECK(f.RunOnce() == 1);
  f.clock.Set(test::Cst(2026, 3, 2, 22, 5));
  CHECK(f.RunOnce() == 0);
  v1::Delivery held = f.Delivery(r.deliveries[0].delivery_id);
  CHECK(held.status() == v1::FAILED_TEMPORARY);
  CHECK(store::FromProtoTime(held.next_attempt_time()) == test::Cst(2026, 3, 3, 8));
}

TEST_CASE("an attempt a crash left in SENDING is re-sent once with the same reference") {
  DeliveryFixture f;
  v1::Delivery d = f.QueueWebhook("e1");
  // The crashed process recorded the hand-over, and the receiver got it.
  REQUIRE(*f.deliveries->BeginAttempt(d.delivery_id(), 1, "webhook", f.clock.Now()));
  CHECK(f.Delivery(d.delivery_id()).status() == v1::SENDING);
  CHECK(f.RunOnce() == 0);  // SENDING is never picked up blindly.

  auto requeued = f.worker->Recover();
  REQUIRE(requeued.ok());
  CHECK(*requeued == 1);
  CHECK(f.RunOnce() == 1);
  v1::Delivery after = f.Delivery(d.delivery_id());
  CHECK(after.status() == v1::DELIVERED);
  CHECK(after.attempts() == 2);
  REQUIRE(after.attempt_log_size() == 2);
  CHECK(after.attempt_log(0).uncertain());
  CHECK(after.attempt_log(0).status() == v1::FAILED_TEMPORARY);
  CHECK(after.attempt_log(1).status() == v1::DELIVERED);
  auto requests = f.receiver.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].idempotency_key == d.delivery_id());
  CHECK(requests[0].attempt == 2);
  // A second restart finds nothing to recover.
  CHECK(*f.worker->Recover() == 0);
}

TEST_CASE("one attempt is recorded once: a second claim of it is refused") {
  DeliveryFixture f;
  v1::Delivery d = f.QueueWebhook("e1");
  CHECK(*f.deliveries->BeginAttempt(d.delivery_id(), 1, "webhook", f.clock.Now()));
  CHECK_FALSE(*f.deliveries->BeginAttempt(d.delivery_id(), 1, "webhook", f.clock.Now()));
  CHECK_FALSE(*f.deliveries->BeginAttempt(d.delivery_id(), 2, "webhook", f.clock.Now()));
}

TEST_CASE("a recipient's rate limit puts extra deliveries off without an attempt") {
  WorkerOptions o = FastOptions();
  o.recipient_per_minute = 6;  // One every 10 s.
  o.recipient_burst = 2;
  DeliveryFixture f(o);
  f.OptIn("acct-1", false, false, f.receiver.url());
  f.OptIn("acct-2", false, false, f.receiver.url());
  for (int i = 0; i < 5; ++i) {
    f.Notify(MakeEvent(absl::StrCat("a", i), "application.accepted", "acct-1", {{"number", "N"}}));
  }
  f.Notify(MakeEvent("b", "application.accepted", "acct-2", {{"number", "N"}}));
  CHECK(f.RunOnce() == 3);  // Two for acct-1, one for acct-2.
  CHECK(f.receiver.request_count() == 3);
  f.clock.Advance(absl::Seconds(10));
  CHECK(f.RunOnce() == 1);
  f.clock.Advance(absl::Seconds(20));
  CHECK(f.RunOnce() == 2);
  CHECK(f.receiver.applied().size() == 6);
}

TEST_CASE("a provider's rate limit holds deliveries back across recipients") {
  WorkerOptions o = FastOptions();
  o.provider_per_second = 0.5;  // With a fake clock, only the burst goes.
  o.provider_burst = 3;
  o.concurrency = 1;
  DeliveryFixture f(o);
  for (int i = 0; i < 5; ++i) {
    const std::string who = absl::StrCat("acct-", i);
    f.OptIn(who, false, false, f.receiver.url());
    f.Notify(MakeEvent(absl::StrCat("e", i), "application.accepted", who, {{"number", "N"}}));
  }
  CHECK(f.RunOnce() == 3);
  f.clock.Advance(absl::Seconds(4));
  CHECK(f.RunOnce() == 2);
}

TEST_CASE("a provider's status report settles a delivery, and repeating it changes nothing") {
  DeliveryFixture f;
  v1::Delivery d = f.QueueWebhook("e1");
  CHECK(f.RunOnce() == 1);
  v1::DeliveryStatus previous;
  auto bounced = f.deliveries->ApplyCallback(d.delivery_id(), v1::FAILED_PERMANENT,
                                             "handset unreachable", f.clock.Now(), &previous);
  REQUIRE(bounced.ok());
  CHECK(previous == v1::DELIVERED);
  CHECK(bounced->status() == v1::FAILED_PERMANENT);
  CHECK(bounced->last_error() == "provider reported: handset unreachable");
  auto again = f.deliveries->ApplyCallback(d.delivery_id(), v1::FAILED_PERMANENT, "x",
                                           f.clock.Now(), &previous);
  REQUIRE(again.ok());
  CHECK(previous == v1::FAILED_PERMANENT);
  CHECK(f.deliveries->ApplyCallback(d.delivery_id(), v1::QUEUED, "", f.clock.Now(), &previous)
            .status()
            .code() == absl::StatusCode::kInvalidArgument);
  CHECK(f.deliveries->ApplyCallback("dlv_nope", v1::DELIVERED, "", f.clock.Now(), &previous)
            .status()
            .code() == absl::StatusCode::kNotFound);
  // A long report is taken, and kept to its start.
  v1::Delivery other = f.QueueWebhook("e2");
  CHECK(f.RunOnce() == 1);
  auto verbose = f.deliveries->ApplyCallback(other.delivery_id(), v1::FAILED_PERMANENT,
                                             std::string(5000, 'e'), f.clock.Now(), &previous);
  REQUIRE(verbose.ok());
  CHECK(verbose->last_error() ==
        absl::StrCat("provider reported: ", std::string(kMaxReportedDetailBytes, 'e')));
}

TEST_CASE("a channel without a provider fails its deliveries permanently, saying why") {
  Fixture f;
  WorkerOptions o = FastOptions();
  DeliveryWorker worker(f.deliveries.get(), {}, o, &f.clock, &f.metrics,
                        log::Logger::Stderr("test", log::Level::kError));
  f.OptIn("acct-1", false, true, "");
  auto r = f.Notify(MakeEvent("e1", "application.accepted", "acct-1", {{"number", "N"}}));
  REQUIRE(worker.RunOnce().ok());
  auto d = f.deliveries->Get(r.deliveries[0].delivery_id);
  REQUIRE(d.ok());
  CHECK(d->status() == v1::FAILED_PERMANENT);
  CHECK(d->last_error() == "no provider is configured for the email channel");
}

TEST_CASE("the file sink writes one JSON line per message") {
  Fixture f;
  const std::string path = absl::StrCat(f.dir.path(), "/sink.jsonl");
  FileSinkProvider sink(path);
  DeliveryWorker worker(f.deliveries.get(), {{v1::CHANNEL_SMS, &sink}}, FastOptions(), &f.clock,
                        &f.metrics, log::Logger::Stderr("test", log::Level::kError));
  f.OptIn("acct-1", true, false, "");
  f.Notify(MakeEvent("e1", "application.accepted", "acct-1", {{"number", "SQ1"}}));
  f.Notify(MakeEvent("e2", "application.approved", "acct-1", {{"number", "SQ1"}}));
  REQUIRE(*worker.RunOnce() == 2);
  std::ifstream in(path);
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) {
    ++lines;
    CHECK(absl::StrContains(line, "\"to\":\"13812345678\""));
  }
  CHECK(lines == 2);
}

TEST_CASE("the running worker delivers as soon as Notify queues, and metrics count it") {
  WorkerOptions o = FastOptions();
  o.poll_interval = absl::Seconds(30);  // Only the wake-up can be fast.
  DeliveryFixture f(o);
  f.notifier->OnQueued([&] { f.worker->Wake(); });
  f.clock.Set(absl::Now());  // Stand on the real time.
  f.worker->Start();
  f.QueueWebhook("e1");
  CHECK(f.receiver.WaitForRequests(1, absl::Seconds(10)));
  f.worker->Stop();
  CHECK(f.receiver.applied().size() == 1);
  CHECK(DeliveredWebhooks(f.registry) == 1.0);
}

}  // namespace
}  // namespace onewindow::notification
