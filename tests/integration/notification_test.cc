// Notification through real processes: inbox privacy through the gateway,
// a webhook outage ending in delivery, permanent failure after the limit,
// and kill -9 in the middle of sending with nothing lost and nothing doubled.
#include <grpcpp/client_context.h>
#include <signal.h>

#include <catch2/catch.hpp>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/client/channels.h"
#include "libs/testing/accounts.h"
#include "libs/testing/grpc_context.h"
#include "libs/testing/http_client.h"
#include "libs/testing/principals.h"
#include "libs/testing/process.h"
#include "libs/testing/stack.h"
#include "onewindow/notification/v1/notification.grpc.pb.h"
#include "services/notification/testing/receivers.h"
#include "tests/integration/require_ok.h"

namespace onewindow {
namespace {

using notification::testing::WebhookReceiver;
using notification::v1::NotificationService;
using testing::Headers;
using testing::HttpConnection;
using testing::HttpResult;
using testing::RequireOk;
using testing::SignedInCitizen;
using testing::Stack;
using testing::TokenContext;

constexpr char kSecret[] = "integration-secret";

SignedInCitizen RegisterAndLogin(int port, const std::string& resident_id,
                                 const std::string& phone) {
  return RequireOk(testing::RegisterAndSignIn(port, {resident_id, phone}));
}

// An HTTP exchange as `who` (anonymous when null).
HttpResult Http(int port, const std::string& method, const std::string& target,
                const SignedInCitizen* who, const std::string& body = "") {
  Headers headers = who != nullptr ? who->headers() : Headers();
  if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
  HttpConnection c(port);
  auto r = c.Request(method, target, body, headers);
  REQUIRE(r.ok());
  return *r;
}

notification::v1::Event MakeEvent(const std::string& id, const std::string& recipient) {
  notification::v1::Event e;
  e.set_event_id(id);
  e.set_type("application.accepted");
  e.set_recipient_id(recipient);
  (*e.mutable_params())["number"] = absl::StrCat("SQ-", id);
  (*e.mutable_params())["item_name"] = "居住证办理";
  (*e.mutable_params())["due_date"] = "2026-03-20";
  return e;
}

notification::v1::NotifyResponse Notify(NotificationService::Stub& stub, const Stack& stack,
                                        const notification::v1::Event& event) {
  notification::v1::NotifyRequest request;
  *request.mutable_event() = event;
  notification::v1::NotifyResponse response;
  grpc::Status s = stub.Notify(TokenContext(stack.AdminToken()).get(), request, &response);
  INFO(s.error_message());
  REQUIRE(s.ok());
  return response;
}

void UseWebhook(NotificationService::Stub& stub, const Stack& stack, const std::string& recipient,
                const std::string& url) {
  notification::v1::UpdatePreferencesRequest request;
  request.set_recipient_id(recipient);
  request.mutable_preferences()->set_webhook(true);
  request.mutable_preferences()->set_webhook_url(url);
  notification::v1::Preferences response;
  grpc::Status s =
      stub.UpdatePreferences(TokenContext(stack.AdminToken()).get(), request, &response);
  INFO(s.error_message());
  REQUIRE(s.ok());
}

notification::v1::MessageStatus Status(NotificationService::Stub& stub, const Stack& stack,
                                       const std::string& message_id) {
  notification::v1::GetMessageStatusRequest request;
  request.set_message_id(message_id);
  notification::v1::MessageStatus response;
  grpc::Status s =
      stub.GetMessageStatus(TokenContext(stack.AdminToken()).get(), request, &response);
  INFO(s.error_message());
  REQUIRE(s.ok());
  return response;
}

// Polls until the message's only delivery is final (DELIVERED or
// FAILED_PERMANENT) or the time is up.
notification::v1::Delivery WaitSettled(NotificationService::Stub& stub, const Stack& stack,
                                       const std::string& message_id,
                                       absl::Duration timeout = absl::Seconds(30)) {
  const absl::Time deadline = absl::Now() + timeout;
  notification::v1::MessageStatus status;
  while (absl::Now() < deadline) {
    status = Status(stub, stack, message_id);
    REQUIRE(status.deliveries_size() == 1);
    const auto s = status.deliveries(0).status();
    if (s == notification::v1::DELIVERED || s == notification::v1::FAILED_PERMANENT) break;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return status.deliveries(0);
}

std::unique_ptr<Stack> StartNotification(std::vector<std::string> flags) {
  testing::StackOptions options;
  options.backends = {"notification"};
  options.gateway = false;
  options.redis = false;
  flags.push_back(absl::StrCat("--webhook_secret=", kSecret));
  flags.push_back("--log_level=warn");
  options.extra_flags["notification"] = std::move(flags);
  auto stack = Stack::Start(options);
  INFO(stack.status().ToString());
  REQUIRE(stack.ok());
  return *std::move(stack);
}

TEST_CASE("only the owner sees and changes their inbox through the gateway") {
  testing::StackOptions options;
  options.backends = {"identity", "notification"};
  auto started = Stack::Start(options);
  INFO(started.status().ToString());
  REQUIRE(started.ok());
  auto& stack = **started;
  const int port = stack.gateway_port();
  SignedInCitizen alice = RegisterAndLogin(port, "11010519491231002X", "13812341234");
  SignedInCitizen bob = RegisterAndLogin(port, "110105194912310038", "13912345678");
  auto stub = NotificationService::NewStub(client::MakeChannel(stack.Address("notification")));
  const std::string message_id =
      Notify(*stub, stack, MakeEvent("e1", alice.account_id)).message_id();

  HttpResult mine = Http(port, "GET", "/api/v1/inbox", &alice);
  REQUIRE(mine.status == 200);
  CHECK(absl::StrContains(mine.body, "申请已受理"));
  CHECK(absl::StrContains(mine.body, message_id));
  CHECK(mine.header("cache-control") == "no-store");
  HttpResult theirs = Http(port, "GET", "/api/v1/inbox", &bob);
  REQUIRE(theirs.status == 200);
  CHECK_FALSE(absl::StrContains(theirs.body, message_id));
  // Naming Alice does not help Bob; her message looks like a missing one.
  HttpResult named =
      Http(port, "GET", absl::StrCat("/api/v1/inbox?recipientId=", alice.account_id), &bob);
  CHECK(named.status == 404);
  CHECK(Http(port, "POST", absl::StrCat("/api/v1/inbox/", message_id, "/read"), &bob).status ==
        404);
  CHECK(Http(port, "GET", absl::StrCat("/api/v1/inbox/", message_id, "/deliveries"), &bob).status ==
        404);
  CHECK(Http(port, "POST", "/api/v1/inbox/msg_nope/read", &bob).status == 404);
  CHECK(Http(port, "GET", "/api/v1/inbox", nullptr).status == 401);

  HttpResult count = Http(port, "GET", "/api/v1/inbox/unread-count", &alice);
  REQUIRE(count.status == 200);
  CHECK(absl::StrContains(count.body, "\"unreadCount\":1"));
  HttpResult read = Http(port, "POST", absl::StrCat("/api/v1/inbox/", message_id, "/read"), &alice);
  REQUIRE(read.status == 200);
  CHECK(absl::StrContains(read.body, "\"marked\":1"));
  count = Http(port, "GET", "/api/v1/inbox/unread-count", &alice);
  CHECK_FALSE(absl::StrContains(count.body, "unreadCount"));  // Zero is left out.
  HttpResult status =
      Http(port, "GET", absl::StrCat("/api/v1/inbox/", message_id, "/deliveries"), &alice);
  CHECK(status.status == 200);
  CHECK(absl::StrContains(status.body, "\"read\":true"));

  // Preferences: her own contacts, but not a webhook address.
  HttpResult prefs = Http(port, "PUT", "/api/v1/notification-preferences", &alice,
                          R"({"preferences":{"sms":true,"phone":"13812341234","language":"en"}})");
  INFO(prefs.body);
  CHECK(prefs.status == 200);
  CHECK(absl::StrContains(prefs.body, "\"phone\":\"13812341234\""));
  HttpResult webhook = Http(port, "PUT", "/api/v1/notification-preferences", &alice,
                            R"({"preferences":{"webhookUrl":"http://127.0.0.1:1/"},)"
                            R"("fields":["webhook_url"]})");
  CHECK(webhook.status == 403);
  HttpResult bad = Http(port, "PUT", "/api/v1/notification-preferences", &alice,
                        R"({"preferences":{"sms":true,"phone":"123"}})");
  CHECK(bad.status == 400);
  CHECK(absl::StrContains(bad.body, "preferences.phone"));
  HttpResult bobs = Http(port, "GET", "/api/v1/notification-preferences", &bob);
  CHECK(bobs.status == 200);
  CHECK_FALSE(absl::StrContains(bobs.body, "13812341234"));
}

TEST_CASE(
    "a NotifyBatch over gRPC answers each event, and a wrong caller or size is refused whole") {
  auto stack = StartNotification({});
  auto stub = NotificationService::NewStub(client::MakeChannel(stack->Address("notification")));
  notification::v1::NotifyBatchRequest batch;
  *batch.add_notifications()->mutable_event() = MakeEvent("b1", "acct-b");
  batch.add_notifications();  // No event at all.
  *batch.add_notifications()->mutable_event() = MakeEvent("b1", "acct-b");
  api::v1::HandoffResults results;

  const std::string citizen = stack->Token(testing::MakePrincipal(auth::v1::CITIZEN, "acct-b"));
  CHECK(stub->NotifyBatch(TokenContext(citizen).get(), batch, &results).error_code() ==
        grpc::PERMISSION_DENIED);
  const std::string service = stack->Token(testing::MakePrincipal(auth::v1::SERVICE, "intake"));
  grpc::Status empty = stub->NotifyBatch(TokenContext(service).get(), {}, &results);
  CHECK(empty.error_code() == grpc::INVALID_ARGUMENT);
  CHECK(absl::StrContains(empty.error_message(), "notifications"));

  grpc::Status s = stub->NotifyBatch(TokenContext(service).get(), batch, &results);
  INFO(s.error_message());
  REQUIRE(s.ok());
  REQUIRE(results.results_size() == 3);
  CHECK(results.results(0).code() == grpc::OK);
  CHECK(results.results(1).code() == grpc::INVALID_ARGUMENT);
  CHECK(absl::StrContains(results.results(1).message(), "event_id"));
  CHECK(results.results(2).code() == grpc::OK);
}

TEST_CASE("a webhook outage ends in delivery with one idempotency reference") {
  WebhookReceiver receiver(kSecret);
  REQUIRE(receiver.Start().ok());
  int outage = 3;
  receiver.SetResponder([&](const WebhookReceiver::Request&) { return outage-- > 0 ? 503 : 200; });
  auto stack = StartNotification({"--delivery_initial_backoff_ms=50", "--delivery_poll_ms=20"});
  auto stub = NotificationService::NewStub(client::MakeChannel(stack->Address("notification")));
  UseWebhook(*stub, *stack, "acct-1", receiver.url());
  const std::string id = Notify(*stub, *stack, MakeEvent("e1", "acct-1")).message_id();

  notification::v1::Delivery d = WaitSettled(*stub, *stack, id);
  CHECK(d.status() == notification::v1::DELIVERED);
  CHECK(d.attempts() == 4);
  REQUIRE(d.attempt_log_size() == 4);
  CHECK(d.attempt_log(0).detail() == "HTTP 503");
  CHECK(d.attempt_log(3).status() == notification::v1::DELIVERED);
  auto requests = receiver.requests();
  REQUIRE(requests.size() == 4);
  for (const auto& r : requests) {
    CHECK(r.idempotency_key == d.delivery_id());
    CHECK(r.signature_ok);
  }
  CHECK(receiver.applied().size() == 1);

  auto metrics = testing::HttpGet(stack->metrics_port("notification"), "/metrics");
  REQUIRE(metrics.ok());
  CHECK(absl::StrContains(
      metrics->body,
      R"(onewindow_notification_messages_total{channel="webhook",status="delivered"} 1)"));
  CHECK(absl::StrContains(metrics->body,
                          R"(onewindow_notification_retries_total{channel="webhook"} 3)"));
  CHECK(absl::StrContains(
      metrics->body,
      R"(onewindow_notification_delivery_latency_seconds_count{channel="webhook"} 1)"));
  CHECK(absl::StrContains(metrics->body, "onewindow_notification_queue_depth_messages"));
}

TEST_CASE("a receiver that keeps failing ends the delivery as failed permanently") {
  WebhookReceiver receiver(kSecret);
  REQUIRE(receiver.Start().ok());
  receiver.SetResponder([](const WebhookReceiver::Request&) { return 500; });
  auto stack = StartNotification(
      {"--delivery_initial_backoff_ms=20", "--delivery_poll_ms=20", "--delivery_max_attempts=3"});
  auto stub = NotificationService::NewStub(client::MakeChannel(stack->Address("notification")));
  UseWebhook(*stub, *stack, "acct-1", receiver.url());
  const std::string id = Notify(*stub, *stack, MakeEvent("e1", "acct-1")).message_id();

  notification::v1::Delivery d = WaitSettled(*stub, *stack, id);
  CHECK(d.status() == notification::v1::FAILED_PERMANENT);
  CHECK(d.attempts() == 3);
  CHECK(d.last_error() == "gave up after 3 attempts; last: HTTP 500");
  // Settled means settled: no fourth request comes later.
  absl::SleepFor(absl::Milliseconds(300));
  CHECK(receiver.request_count() == 3);
}

TEST_CASE("kill -9 while sending: every message arrives, none is applied twice") {
  constexpr int kEvents = 20;
  constexpr int kConcurrency = 4;
  WebhookReceiver receiver(kSecret);
  REQUIRE(receiver.Start().ok());
  receiver.Hold(true);  // The first hand-overs hang, as with a slow receiver.
  auto stack = StartNotification({"--delivery_initial_backoff_ms=50", "--delivery_poll_ms=20",
                                  absl::StrCat("--delivery_concurrency=", kConcurrency),
                                  "--provider_timeout_ms=30000"});
  auto stub = NotificationService::NewStub(client::MakeChannel(stack->Address("notification")));
  std::vector<notification::v1::Event> events;
  std::vector<std::string> message_ids;
  for (int i = 0; i < kEvents; ++i) {
    const std::string recipient = absl::StrCat("acct-", i);
    UseWebhook(*stub, *stack, recipient, receiver.url());
    events.push_back(MakeEvent(absl::StrCat("e", i), recipient));
    message_ids.push_back(Notify(*stub, *stack, events.back()).message_id());
  }
  REQUIRE(receiver.WaitForHeld(kConcurrency, absl::Seconds(20)));
  // Each held request is recorded SENDING on disk and applied by the
  // receiver, whose answer the sender will never read.
  stack->Stop("notification", SIGKILL);
  const size_t in_flight = receiver.request_count();
  CHECK(in_flight == static_cast<size_t>(kConcurrency));
  receiver.Hold(false);

  REQUIRE(stack->Restart("notification").ok());
  stub = NotificationService::NewStub(client::MakeChannel(stack->Address("notification")));
  // The senders of the events retry too (as an outbox relay would after a
  // lost answer): nothing new may come of it.
  for (int i = 0; i < kEvents; ++i) {
    auto again = Notify(*stub, *stack, events[i]);
    CHECK_FALSE(again.created());
    CHECK(again.message_id() == message_ids[i]);
  }

  int uncertain = 0;
  for (const std::string& id : message_ids) {
    notification::v1::Delivery d = WaitSettled(*stub, *stack, id);
    INFO(id << " " << d.ShortDebugString());
    CHECK(d.status() == notification::v1::DELIVERED);
    for (const auto& a : d.attempt_log()) uncertain += a.uncertain() ? 1 : 0;
  }
  CHECK(uncertain == kConcurrency);

  // Nothing lost: every delivery reached the receiver and was applied.
  const std::set<std::string> applied = receiver.applied();
  CHECK(applied.size() == static_cast<size_t>(kEvents));
  // Nothing doubled blindly: only the hand-overs cut off by the crash came
  // twice, with the same reference, so the receiver applied them once.
  int twice = 0;
  for (const auto& [key, count] : receiver.counts()) {
    INFO(key);
    CHECK(count <= 2);
    twice += count == 2 ? 1 : 0;
  }
  CHECK(twice == kConcurrency);
  CHECK(receiver.request_count() == static_cast<size_t>(kEvents + kConcurrency));
  for (const auto& r : receiver.requests()) CHECK(r.signature_ok);
}

TEST_CASE("an SMS gateway without its own secret stops notification at start, naming the flag") {
  for (const std::string& secret : {std::string(), std::string(kSecret)}) {
    INFO("sms secret: " << secret);
    testing::TempDir dir;
    testing::ChildProcess p;
    const std::string log = absl::StrCat(dir.path(), "/notification.log");
    REQUIRE(p.Start({testing::BinaryPath("notification"), absl::StrCat("--data_dir=", dir.path()),
                     "--listen=127.0.0.1:0", "--metrics_listen=127.0.0.1:0",
                     absl::StrCat("--webhook_secret=", kSecret),
                     "--sms_gateway_url=http://127.0.0.1:9/send",
                     absl::StrCat("--sms_gateway_secret=", secret)},
                    {{"OW_PRINCIPAL_KEYS",
                      absl::StrCat("k1:", absl::Base64Escape(std::string(32, 'k')))}},
                    log)
                .ok());
    const std::string expected =
        secret.empty() ? "required with --sms_gateway_url" : "must differ from --webhook_secret";
    for (int i = 0; i < 50 && !absl::StrContains(testing::ReadFile(log), expected); ++i) {
      absl::SleepFor(absl::Milliseconds(100));
    }
    CHECK(
        absl::StrContains(testing::ReadFile(log), "--sms_gateway_secret (OW_SMS_GATEWAY_SECRET)"));
    CHECK(absl::StrContains(testing::ReadFile(log), expected));
    p.Stop(SIGTERM, absl::Seconds(10));
  }
}

}  // namespace
}  // namespace onewindow
