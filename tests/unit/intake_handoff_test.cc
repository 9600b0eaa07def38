// The hand-off to approval and notification through the outbox, against a
// real gRPC receiver that fails for a while and then recovers.
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

#include <set>

#include "absl/strings/str_cat.h"
#include "libs/client/channels.h"
#include "libs/log/logger.h"
#include "libs/outbox/notify_sender.h"
#include "libs/outbox/outbox.h"
#include "libs/server/call.h"
#include "tests/unit/intake_fixture.h"

namespace onewindow::intake::test {
namespace {

// Applies each event id once, like a real receiver; fails the first
// `fail_next` calls with UNAVAILABLE; with `lose_answers`, applies and then
// answers UNAVAILABLE anyway, as when the reply is lost on the way back.
// Without `batch_methods` its batch methods answer UNIMPLEMENTED, as an
// older build's would; with them, cases for applications in `refuse` are
// refused one by one.
class Receiver final : public approval::v1::ApprovalService::Service,
                       public notification::v1::NotificationService::Service {
 public:
  grpc::Status OpenCase(grpc::ServerContext* context, const approval::v1::OpenCaseRequest* request,
                        approval::v1::Case* response) override {
    absl::MutexLock lock(&mu_);
    ++calls;
    if (context->client_metadata().count(server::kPrincipalHeader) == 0) ++unauthenticated;
    if (fail_next > 0) {
      --fail_next;
      return grpc::Status(grpc::UNAVAILABLE, "down for maintenance");
    }
    if (applied.insert(request->event_id()).second) opened.push_back(*request);
    response->set_application_id(request->application_id());
    if (lose_answers > 0) {
      --lose_answers;
      return grpc::Status(grpc::UNAVAILABLE, "answer lost");
    }
    return grpc::Status::OK;
  }
  grpc::Status Notify(grpc::ServerContext*, const notification::v1::NotifyRequest* request,
                      notification::v1::NotifyResponse* response) override {
    absl::MutexLock lock(&mu_);
    response->set_created(notified.insert(request->event().event_id()).second);
    if (response->created()) notifications.push_back(request->event());
    return grpc::Status::OK;
  }
  grpc::Status OpenCases(grpc::ServerContext* context,
                         const approval::v1::OpenCasesRequest* request,
                         api::v1::HandoffResults* response) override {
    absl::MutexLock lock(&mu_);
    ++batch_calls;
    if (!batch_methods) return grpc::Status(grpc::UNIMPLEMENTED, "no such method");
    if (context->client_metadata().count(server::kPrincipalHeader) == 0) ++unauthenticated;
    for (const approval::v1::OpenCaseRequest& open : request->cases()) {
      api::v1::HandoffResult* result = response->add_results();
      if (refuse.count(open.application_id()) > 0) {
        result->set_code(grpc::INVALID_ARGUMENT);
        result->set_message("refused");
        continue;
      }
      if (applied.insert(open.event_id()).second) opened.push_back(open);
    }
    return grpc::Status::OK;
  }
  grpc::Status NotifyBatch(grpc::ServerContext*,
                           const notification::v1::NotifyBatchRequest* request,
                           api::v1::HandoffResults* response) override {
    absl::MutexLock lock(&mu_);
    ++batch_calls;
    if (!batch_methods) return grpc::Status(grpc::UNIMPLEMENTED, "no such method");
    for (const notification::v1::NotifyRequest& notify : request->notifications()) {
      response->add_results();
      if (notified.insert(notify.event().event_id()).second) {
        notifications.push_back(notify.event());
      }
    }
    return grpc::Status::OK;
  }

  absl::Mutex mu_;
  bool batch_methods = false;
  int batch_calls = 0;
  std::set<std::string> refuse;
  int fail_next = 0;
  int lose_answers = 0;
  int calls = 0;
  int unauthenticated = 0;
  std::set<std::string> applied;
  std::vector<approval::v1::OpenCaseRequest> opened;
  std::set<std::string> notified;
  std::vector<notification::v1::Event> notifications;
};

struct Server {
  Server() {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(static_cast<approval::v1::ApprovalService::Service*>(&receiver));
    builder.RegisterService(
        static_cast<notification::v1::NotificationService::Service*>(&receiver));
    server = builder.BuildAndStart();
    REQUIRE(server != nullptr);
  }
  ~Server() { server->Shutdown(); }
  Receiver receiver;
  int port = 0;
  std::unique_ptr<grpc::Server> server;
};

enum class Senders { kOnePerEvent, kBatches };

struct Handoff {
  explicit Handoff(World& w, Senders senders = Senders::kOnePerEvent)
      : credentials([] { return std::string("test-token"); }),
        channel(client::MakeChannel(absl::StrCat("127.0.0.1:", server.port))),
        approval(approval::v1::ApprovalService::NewStub(channel)),
        notification(notification::v1::NotificationService::NewStub(channel)),
        relay(w.db.get(), Options(), log::Logger::Stderr("intake_test", log::Level::kError),
              &registry) {
    if (senders == Senders::kBatches) {
      relay.RouteBatches(kTopicOpenCase, OpenCasesSender(approval.get(), &credentials));
      relay.RouteBatches(kTopicNotify, outbox::NotifyBatchSender(notification.get(), Context()));
    } else {
      relay.Route(kTopicOpenCase, OpenCaseSender(approval.get(), &credentials));
      relay.Route(kTopicNotify, outbox::NotifySender(notification.get(), Context()));
    }
  }
  outbox::ContextFactory Context() {
    return [this] { return credentials.Context(absl::Seconds(5)); };
  }
  static outbox::RelayOptions Options() {
    outbox::RelayOptions o;
    o.initial_backoff = absl::Seconds(1);
    return o;
  }
  // Relay passes, each far enough after the last that every retry is due,
  // until nothing is left or `max_passes` ran.
  int Drain(int max_passes) {
    absl::Time at = absl::Now();
    for (int pass = 1; pass <= max_passes; ++pass) {
      REQUIRE(relay.DeliverDue(at).ok());
      auto backlog = relay.Backlog();
      REQUIRE(backlog.ok());
      if (*backlog == 0) return pass;
      at += absl::Minutes(5);
    }
    return -1;
  }

  Server server;
  prometheus::Registry registry;
  server::ServiceCredentials credentials;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<approval::v1::ApprovalService::Stub> approval;
  std::unique_ptr<notification::v1::NotificationService::Stub> notification;
  outbox::Relay relay;
};

TEST_CASE("hand-offs reach approval once it recovers from an outage, each applied once") {
  World w;
  std::vector<intake::v1::Application> submitted;
  for (int i = 0; i < 3; ++i) {
    submitted.push_back(w.SubmitComplete(Citizen(absl::StrCat("acc_", i)), "k"));
  }
  Handoff h(w);
  {
    absl::MutexLock lock(&h.server.receiver.mu_);
    // Longer than the channel's own retries (4 attempts per call) last.
    h.server.receiver.fail_next = 20;
  }
  const int passes = h.Drain(10);
  CHECK(passes > 1);
  Receiver& r = h.server.receiver;
  absl::MutexLock lock(&r.mu_);
  CHECK(r.calls == 3 + 20);
  CHECK(r.unauthenticated == 0);
  REQUIRE(r.opened.size() == 3);
  std::set<std::string> applications;
  for (const auto& open : r.opened) {
    applications.insert(open.application_id());
    CHECK(open.implementation_code() == ImplementationCode());
    CHECK(open.department_id() == kDepartment);
    CHECK(open.catalog_revision() == 1);
    CHECK_FALSE(open.application_number().empty());
  }
  CHECK(applications.size() == 3);
  CHECK(r.notifications.size() == 3);
  CHECK(r.notifications[0].type() == "application.submitted");
}

TEST_CASE("a submission's case and notice arrive whole, its number included, in either sender") {
  for (Senders senders : {Senders::kOnePerEvent, Senders::kBatches}) {
    World w;
    const intake::v1::Application a = w.SubmitComplete(Citizen("acc_a"), "k");
    Handoff h(w, senders);
    {
      absl::MutexLock lock(&h.server.receiver.mu_);
      h.server.receiver.batch_methods = senders == Senders::kBatches;
    }
    REQUIRE(h.Drain(3) == 1);
    Receiver& r = h.server.receiver;
    absl::MutexLock lock(&r.mu_);
    REQUIRE(r.opened.size() == 1);
    const approval::v1::OpenCaseRequest& open = r.opened[0];
    CHECK(open.event_id() == "open:" + a.application_id());
    CHECK(open.application_id() == a.application_id());
    CHECK(open.application_number() == a.number());
    CHECK(open.implementation_code() == a.implementation_code());
    CHECK(open.catalog_revision() == a.catalog_revision());
    CHECK(open.department_id() == a.department_id());
    CHECK(open.applicant_id() == "acc_a");
    CHECK(open.applicant_kind() == a.applicant_kind());
    CHECK(open.submit_time().seconds() == a.submit_time().seconds());
    CHECK(open.channel() == "online");

    REQUIRE(r.notifications.size() == 1);
    const notification::v1::Event& notice = r.notifications[0];
    CHECK(notice.event_id() == absl::StrCat("ntf:", a.application_id(), ":submitted"));
    CHECK(notice.type() == "application.submitted");
    CHECK(notice.recipient_id() == "acc_a");
    CHECK_FALSE(notice.urgent());
    const auto& params = notice.params();
    CHECK(params.size() == 4);
    CHECK(params.at("number") == a.number());
    CHECK(params.at("item_name") == a.item_name());
    CHECK(params.at("application_id") == a.application_id());
    CHECK(params.at("due_date") == DueDateText(store::FromProtoTime(a.due_time())));
  }
}

TEST_CASE("a hand-off whose answer was lost is sent again and the receiver applies it once") {
  World w;
  const auto a = w.SubmitComplete(Citizen("acc_a"), "k");
  Handoff h(w);
  {
    absl::MutexLock lock(&h.server.receiver.mu_);
    h.server.receiver.lose_answers = 1;
  }
  // The channel retries UNAVAILABLE by itself, so this takes one pass.
  CHECK(h.Drain(5) > 0);
  Receiver& r = h.server.receiver;
  absl::MutexLock lock(&r.mu_);
  CHECK(r.calls == 2);
  REQUIRE(r.opened.size() == 1);
  CHECK(r.opened[0].application_id() == a.application_id());
}

TEST_CASE(
    "batched hand-offs go in one call per topic, and a refused one neither blocks nor repeats the "
    "rest") {
  World w;
  std::vector<intake::v1::Application> submitted;
  for (int i = 0; i < 5; ++i) {
    submitted.push_back(w.SubmitComplete(Citizen(absl::StrCat("acc_", i)), "k"));
  }
  Handoff h(w, Senders::kBatches);
  Receiver& r = h.server.receiver;
  {
    absl::MutexLock lock(&r.mu_);
    r.batch_methods = true;
    r.refuse.insert(submitted[2].application_id());
  }
  REQUIRE(h.relay.DeliverDue(absl::Now()).ok());
  {
    absl::MutexLock lock(&r.mu_);
    CHECK(r.batch_calls == 2);
    CHECK(r.calls == 0);
    CHECK(r.unauthenticated == 0);
    CHECK(r.opened.size() == 4);
    CHECK(r.notifications.size() == 5);
  }
  // The refused case is parked for an operator; the others are gone.
  CHECK(w.Count("SELECT COUNT(*) FROM outbox WHERE dead = 1") == 1);
  CHECK(*h.relay.Backlog() == 1);
  REQUIRE(h.relay.DeliverDue(absl::Now() + absl::Hours(1)).ok());
  absl::MutexLock lock(&r.mu_);
  CHECK(r.batch_calls == 2);
  CHECK(r.opened.size() == 4);
}

TEST_CASE("batched hand-offs reach a receiver without the batch methods one call each") {
  World w;
  for (int i = 0; i < 3; ++i) w.SubmitComplete(Citizen(absl::StrCat("acc_", i)), "k");
  Handoff h(w, Senders::kBatches);
  CHECK(h.Drain(3) == 1);
  Receiver& r = h.server.receiver;
  absl::MutexLock lock(&r.mu_);
  // One batch tried per topic, then each event alone.
  CHECK(r.batch_calls == 2);
  CHECK(r.calls == 3);
  CHECK(r.opened.size() == 3);
  CHECK(r.notifications.size() == 3);
}

TEST_CASE("a supplement's resume waits behind the application's own hand-off") {
  World w;
  const auto a = w.SubmitComplete(Citizen("acc_a"), "k");
  REQUIRE(w.Report(a.application_id(), intake::v1::SUPPLEMENT_NEEDED, "e", [](auto& r) {
             r.add_supplement()->set_material_name("营业执照");
           }).ok());
  const auto scan = w.Upload(Citizen("acc_a"));
  intake::v1::SupplementApplicationRequest supply;
  supply.set_application_id(a.application_id());
  auto* m = supply.add_materials();
  m->set_material_name("营业执照");
  m->set_material_id(scan.material_id());
  REQUIRE(w.applications->Supplement(Citizen("acc_a"), supply).ok());
  // Both on the application's ordering key: the resume never overtakes the
  // open, whatever the relay does.
  auto open = w.Events(kTopicOpenCase);
  auto resume = w.Events(kTopicResumeCase);
  REQUIRE(open.size() == 1);
  REQUIRE(resume.size() == 1);
  CHECK(w.Count("SELECT COUNT(DISTINCT ordering_key) FROM outbox WHERE topic LIKE 'approval.%'") ==
        1);
}

}  // namespace
}  // namespace onewindow::intake::test
