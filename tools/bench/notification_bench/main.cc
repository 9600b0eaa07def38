// notification_bench: how fast notification takes events and gets them out.
//
// It starts a notification process (build tree binary, free ports,
// --log_level=warn, rate limits lifted) and a webhook receiver in this
// process, registers --recipients recipients with the webhook channel, then
// --senders threads call Notify (each its own gRPC channel, blocking calls,
// one outstanding per thread) until --events events were accepted. Every
// event becomes an in-app message plus one webhook delivery, signed, sent
// by the delivery worker and applied by the receiver. Figures:
//
//   events_accepted_per_second  Notify calls answered OK per second (each a
//                               durable group-committed write)
//   notify_p50_ms, notify_p99_ms
//   delivered_per_second        events / time from the first Notify until
//                               the receiver applied the last delivery
//   end_to_end_p50_ms, p99_ms   per event: Notify sent -> receiver got it
//
// printed as "figure: <name> <value> <unit>". Errors (a failed Notify, a
// delivery that never arrives, a bad signature, a duplicate) are printed and
// make it exit 1: figures from such a run are not to be quoted.
//
//   notification_bench                        # 20000 events, 16 senders
//   notification_bench --events=2000          # a run of a few seconds
//   notification_bench --delivery_concurrency=32
#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/client_context.h>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "libs/client/channels.h"
#include "libs/config/flags.h"
#include "libs/testing/bench_output.h"
#include "libs/testing/grpc_context.h"
#include "libs/testing/json_fields.h"
#include "libs/testing/stack.h"
#include "onewindow/notification/v1/notification.grpc.pb.h"
#include "services/notification/testing/receivers.h"

ABSL_FLAG(int, events, 20000, "Events to send");
ABSL_FLAG(int, senders, 16, "Threads calling Notify concurrently");
ABSL_FLAG(int, recipients, 1000, "Distinct recipients the events go to");
ABSL_FLAG(int, delivery_concurrency, 16, "notification's --delivery_concurrency");
ABSL_FLAG(double, timeout_seconds, 300, "Give up waiting for deliveries after this long");

namespace {

using namespace onewindow;
using notification::v1::NotificationService;
using testing::Fail;
using testing::Figure;
using testing::Note;
using testing::Percentile;

constexpr char kSecret[] = "bench-secret";

// Notify is a durable group-committed write: under a burst it may queue.
std::unique_ptr<grpc::ClientContext> Context(const std::string& token) {
  return testing::TokenContext(token, absl::Seconds(30));
}

}  // namespace

int main(int argc, char** argv) {
  config::SkipLockOrderChecksInRelease();
  config::ParseFlags(argc, argv, "notification_bench: Notify and webhook delivery throughput");
  const int events = absl::GetFlag(FLAGS_events);
  const int senders = absl::GetFlag(FLAGS_senders);
  const int recipients = std::max(1, absl::GetFlag(FLAGS_recipients));
  if (events < 1 || senders < 1) Fail("--events and --senders must be >= 1");

  // The receiver notes when each event's delivery first arrived.
  notification::testing::WebhookReceiver receiver(kSecret);
  absl::Mutex mu;
  std::map<std::string, absl::Time> arrived;  // By event id.
  std::atomic<int> bad_signatures{0};
  receiver.SetResponder([&](const notification::testing::WebhookReceiver::Request& r) {
    if (!r.signature_ok) {
      ++bad_signatures;
      return 401;
    }
    const std::string id = testing::JsonField(r.body, "event_id");
    if (id.empty()) return 400;
    absl::MutexLock lock(&mu);
    arrived.emplace(id, absl::Now());
    return 200;
  });
  if (!receiver.Start().ok()) Fail("cannot start the webhook receiver");

  testing::StackOptions options;
  options.backends = {"notification"};
  options.gateway = false;
  options.redis = false;
  options.extra_flags["notification"] = {
      "--log_level=warn",
      absl::StrCat("--webhook_secret=", kSecret),
      absl::StrCat("--delivery_concurrency=", absl::GetFlag(FLAGS_delivery_concurrency)),
      "--delivery_poll_ms=50",
      "--recipient_rate_per_minute=0",
      "--provider_rate_per_second=0"};
  auto stack = testing::Stack::Start(options);
  if (!stack.ok()) Fail(stack.status().ToString());
  const std::string token = (*stack)->AdminToken();
  const std::string address = (*stack)->Address("notification");

  {
    auto stub = NotificationService::NewStub(client::MakeChannel(address));
    for (int i = 0; i < recipients; ++i) {
      notification::v1::UpdatePreferencesRequest request;
      request.set_recipient_id(absl::StrCat("bench-", i));
      request.mutable_preferences()->set_webhook(true);
      request.mutable_preferences()->set_webhook_url(receiver.url());
      notification::v1::Preferences response;
      grpc::Status s = stub->UpdatePreferences(Context(token).get(), request, &response);
      if (!s.ok()) Fail(absl::StrCat("UpdatePreferences: ", s.error_message()));
    }
  }

  std::vector<absl::Time> sent(events);
  std::vector<std::vector<double>> latencies(senders);
  std::atomic<int> next{0};
  std::atomic<int> errors{0};
  const absl::Time start = absl::Now();
  std::vector<std::thread> threads;
  for (int t = 0; t < senders; ++t) {
    threads.emplace_back([&, t] {
      // One channel per sender, as separate services would have.
      client::ChannelOptions channel_options;
      channel_options.default_timeout = absl::Seconds(30);
      auto stub = NotificationService::NewStub(client::MakeChannel(address, channel_options));
      for (int i = next++; i < events; i = next++) {
        notification::v1::NotifyRequest request;
        auto* e = request.mutable_event();
        e->set_event_id(absl::StrCat("bench-event-", i));
        e->set_type("application.accepted");
        e->set_recipient_id(absl::StrCat("bench-", i % recipients));
        (*e->mutable_params())["number"] = absl::StrCat("SQ", 100000 + i);
        (*e->mutable_params())["item_name"] = "居住证办理";
        (*e->mutable_params())["due_date"] = "2026-03-20";
        notification::v1::NotifyResponse response;
        const absl::Time before = absl::Now();
        sent[i] = before;
        grpc::Status s = stub->Notify(Context(token).get(), request, &response);
        latencies[t].push_back(absl::ToDoubleMilliseconds(absl::Now() - before));
        if (!s.ok() || !response.created()) ++errors;
      }
    });
  }
  for (auto& t : threads) t.join();
  const absl::Duration accept_time = absl::Now() - start;
  if (errors > 0) Fail(absl::StrCat(errors.load(), " Notify calls failed"));

  const absl::Time give_up = absl::Now() + absl::Seconds(absl::GetFlag(FLAGS_timeout_seconds));
  while (receiver.applied().size() < static_cast<size_t>(events)) {
    if (absl::Now() > give_up) {
      Fail(absl::StrCat("only ", receiver.applied().size(), " of ", events, " deliveries arrived"));
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  const absl::Duration deliver_time = absl::Now() - start;
  if (bad_signatures > 0) Fail(absl::StrCat(bad_signatures.load(), " bad signatures"));
  size_t duplicates = receiver.request_count() - receiver.applied().size();
  if (duplicates > 0) Fail(absl::StrCat(duplicates, " deliveries arrived twice"));

  std::vector<double> all;
  for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::vector<double> end_to_end;
  {
    absl::MutexLock lock(&mu);
    for (int i = 0; i < events; ++i) {
      auto it = arrived.find(absl::StrCat("bench-event-", i));
      if (it != arrived.end())
        end_to_end.push_back(absl::ToDoubleMilliseconds(it->second - sent[i]));
    }
  }
  Note(absl::StrCat(events, " events, ", senders, " senders, ", recipients,
                    " recipients, delivery concurrency ",
                    absl::GetFlag(FLAGS_delivery_concurrency)));
  Figure("events_accepted_per_second", events / absl::ToDoubleSeconds(accept_time), "1/s");
  Figure("notify_p50_ms", Percentile(all, 0.50), "ms");
  Figure("notify_p99_ms", Percentile(all, 0.99), "ms");
  Figure("delivered_per_second", events / absl::ToDoubleSeconds(deliver_time), "1/s");
  Figure("end_to_end_p50_ms", Percentile(end_to_end, 0.50), "ms");
  Figure("end_to_end_p99_ms", Percentile(end_to_end, 0.99), "ms");
  return 0;
}
