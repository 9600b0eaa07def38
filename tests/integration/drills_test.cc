// Failure drills (DESIGN.md's promises, tried on real processes): backends
// killed with SIGKILL in turn while clients keep applying, deciding, filing
// hotline tickets and notifying; Redis restarted under signed-in traffic; a
// backend frozen with SIGSTOP behind the gateway. Each drill then checks
// what was acknowledged against what the services hold.
//
// Worker threads never use Catch2's assertions (they are not thread-safe):
// they report through Problems, and the test thread checks at the end. The
// test thread alone starts processes, because a child started with
// PR_SET_PDEATHSIG dies with the thread that forked it.
#include <grpcpp/client_context.h>
#include <signal.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdio>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "libs/client/channels.h"
#include "libs/testing/accounts.h"
#include "libs/testing/api_tokens.h"
#include "libs/testing/eventually.h"
#include "libs/testing/fake_pdf.h"
#include "libs/testing/grpc_context.h"
#include "libs/testing/http_client.h"
#include "libs/testing/json_fields.h"
#include "libs/testing/principals.h"
#include "libs/testing/stack.h"
#include "onewindow/approval/v1/approval.grpc.pb.h"
#include "onewindow/complaint/v1/complaint.grpc.pb.h"
#include "onewindow/intake/v1/intake.grpc.pb.h"
#include "onewindow/notification/v1/notification.grpc.pb.h"
#include "tests/integration/require_ok.h"
#include "tests/integration/test_item.h"
#include "tests/unit/intake_guide.h"

namespace onewindow {
namespace {

using testing::Headers;
using testing::HttpConnection;
using testing::HttpResult;
using testing::JsonField;
using testing::MakePrincipal;
using testing::RequireOk;
using testing::SignedInCitizen;
using testing::Stack;

// Every acknowledged write must be reached within this, retries included.
constexpr absl::Duration kItemDeadline = absl::Seconds(60);
// Between one write of a drill client and its next: busy enough that a
// kill usually finds requests in flight, light enough for two shared cores.
constexpr absl::Duration kPace = absl::Milliseconds(20);
// How long the drills wait for something that normally takes well under a
// second (a restart noticed, progress after it); generous for a busy box.
constexpr absl::Duration kPatience = absl::Seconds(30);

const std::vector<std::string>& GatewayWithoutLimits() {
  // All the drill's clients share 127.0.0.1: per-client limits would
  // throttle the drill rather than test anything.
  static const auto* const kFlags = new std::vector<std::string>{
      "--rate_per_client=1e9",   "--burst_per_client=1e9",      "--rate_per_session=1e9",
      "--burst_per_session=1e9", "--login_rate_per_client=1e9", "--login_burst_per_client=1e9",
  };
  return *kFlags;
}

// Polled more often than most tests do: the drills time recoveries.
template <typename Fn>
bool Eventually(Fn done, absl::Duration timeout = kPatience) {
  return testing::Eventually(done, timeout, absl::Milliseconds(20));
}

// Whether `text` holds `number` as a whole (not as the start of a longer one).
bool MentionsNumber(const std::string& text, const std::string& number) {
  for (size_t at = text.find(number); at != std::string::npos; at = text.find(number, at + 1)) {
    const size_t end = at + number.size();
    if (end == text.size() || !absl::ascii_isdigit(static_cast<unsigned char>(text[end]))) {
      return true;
    }
  }
  return false;
}

// Sooner than the usual 10 s: a drill client retries a call that hangs
// behind a killed backend rather than waiting it out.
std::unique_ptr<grpc::ClientContext> Context(const std::string& token) {
  return testing::TokenContext(token, absl::Seconds(5));
}

// Answers after which a client tries again with the same key: the call may
// not have run, or it ran and the answer was lost.
bool Retryable(grpc::StatusCode code) {
  return code == grpc::UNAVAILABLE || code == grpc::DEADLINE_EXCEEDED ||
         code == grpc::RESOURCE_EXHAUSTED || code == grpc::ABORTED;
}
bool Retryable(int http_status) {
  return http_status == 429 || http_status == 502 || http_status == 503 || http_status == 504;
}

// Whatever a worker thread saw that it should not have; checked by the test
// thread.
class Problems {
 public:
  void Add(std::string what) {
    absl::MutexLock lock(&mu_);
    if (list_.size() < 50) list_.push_back(std::move(what));
    ++count_;
  }
  std::string Summary() const {
    absl::MutexLock lock(&mu_);
    return absl::StrCat(count_, " problem(s):\n  ", absl::StrJoin(list_, "\n  "));
  }
  int count() const {
    absl::MutexLock lock(&mu_);
    return count_;
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<std::string> list_ ABSL_GUARDED_BY(mu_);
  int count_ ABSL_GUARDED_BY(mu_) = 0;
};

// One acknowledged write: the client's key for it and what the service
// answered.
struct Ack {
  std::string key;     // idempotency key, task id, ticket id or event id
  std::string id;      // application, case, work order or message id
  std::string number;  // application or work order number; a task's stage
  std::string owner;   // applicant account; a task's application id
  std::string body;    // what was sent (to send it again)
};

// The acknowledged writes of one kind, and how often clients had to retry.
class Tally {
 public:
  void Acked(Ack ack) {
    absl::MutexLock lock(&mu_);
    acks_.push_back(std::move(ack));
  }
  void Retried() { retries_.fetch_add(1); }
  int acks() const {
    absl::MutexLock lock(&mu_);
    return static_cast<int>(acks_.size());
  }
  int retries() const { return retries_.load(); }
  std::vector<Ack> all() const {
    absl::MutexLock lock(&mu_);
    return acks_;
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<Ack> acks_ ABSL_GUARDED_BY(mu_);
  std::atomic<int> retries_{0};
};

// Resident ids of test citizens (valid check digits), one per drill client.
const std::vector<std::string>& ResidentIds() {
  static const auto* const kIds = new std::vector<std::string>{
      "11010519491231002X",
      "110105194912310038",
      "110101199003070011",
      "11010119900307133X",
  };
  return *kIds;
}

SignedInCitizen RegisterAndSignIn(int port, int index) {
  return RequireOk(testing::RegisterAndSignIn(
      port, {ResidentIds().at(index), absl::StrCat("1381234123", index)}));
}

// Worker threads, stopped and joined whatever happens to the test.
class Workers {
 public:
  ~Workers() {
    aborted = true;
    Join();
  }
  void Run(std::function<void()> fn) { threads_.emplace_back(std::move(fn)); }
  void Join() {
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
    threads_.clear();
  }
  // Set when the test ends early: give up at once, even mid-retry.
  std::atomic<bool> aborted{false};

 private:
  std::vector<std::thread> threads_;
};

// ---------------------------------------------------------------------------
// Drill 1: kill -9 each backend in turn under load.

// The load of drill 1 and what it was told. Each client retries a write with
// the same key until it is acknowledged, as the API asks clients to do.
class KillDrill {
 public:
  KillDrill(Stack* stack, int64_t revision, std::string department_token,
            std::vector<SignedInCitizen> citizens)
      : stack_(stack),
        revision_(revision),
        department_token_(std::move(department_token)),
        citizens_(std::move(citizens)),
        admin_token_(stack->AdminToken()),
        hotline_token_(stack->Token(MakePrincipal(auth::v1::SERVICE, "gz12345-system"))),
        approval_(client::MakeChannel(stack->Address("approval"))),
        complaint_(client::MakeChannel(stack->Address("complaint"))),
        notification_(client::MakeChannel(stack->Address("notification"))) {}

  static constexpr char kDrillRecipient[] = "acct-drill";

  void Start() {
    for (size_t i = 0; i < citizens_.size(); ++i) {
      load_.Run([this, i] { Apply(static_cast<int>(i)); });
    }
    load_.Run([this] { FileTickets(); });
    load_.Run([this] { SendNotifications(); });
    desk_.Run([this] { Decide(); });
  }
  // The writers finish the item in hand and stop.
  void StopLoad() {
    stop_load_ = true;
    load_.Join();
  }
  void StopDesk() {
    stop_desk_ = true;
    desk_.Join();
  }

  Tally applications, decisions, work_orders, notifications;
  Problems problems;

 private:
  bool Aborted() const { return load_.aborted || desk_.aborted; }

  // Sends until the gateway answers 200; false (and a problem) otherwise.
  bool HttpUntilDone(HttpConnection& http, const std::string& method, const std::string& target,
                     const std::string& body, const Headers& headers, Tally& tally,
                     HttpResult* out) {
    const absl::Time give_up = absl::Now() + kItemDeadline;
    while (!Aborted()) {
      auto r = http.Request(method, target, body, headers);
      if (r.ok() && r->status == 200) {
        *out = *std::move(r);
        return true;
      }
      if (r.ok() && !Retryable(r->status)) {
        problems.Add(absl::StrCat(method, " ", target, ": HTTP ", r->status, " ", r->body));
        return false;
      }
      if (absl::Now() > give_up) {
        problems.Add(absl::StrCat(
            method, " ", target, " never acknowledged: ",
            r.ok() ? absl::StrCat("HTTP ", r->status, " ", r->body) : r.status().ToString()));
        return false;
      }
      tally.Retried();
      absl::SleepFor(absl::Milliseconds(50));
    }
    return false;
  }

  // Calls until OK; false (and a problem) otherwise.
  bool GrpcUntilDone(const std::string& what,
                     const std::function<grpc::Status(grpc::ClientContext*)>& call,
                     const std::string& token, Tally& tally) {
    const absl::Time give_up = absl::Now() + kItemDeadline;
    while (!Aborted()) {
      const grpc::Status s = call(Context(token).get());
      if (s.ok()) return true;
      if (!Retryable(s.error_code())) {
        problems.Add(absl::StrCat(what, ": code ", s.error_code(), " ", s.error_message()));
        return false;
      }
      if (absl::Now() > give_up) {
        problems.Add(absl::StrCat(what, " never acknowledged: ", s.error_message()));
        return false;
      }
      tally.Retried();
      absl::SleepFor(absl::Milliseconds(50));
    }
    return false;
  }

  // A citizen uploads the two required materials and applies, again and
  // again.
  void Apply(int who) {
    const SignedInCitizen& c = citizens_[who];
    HttpConnection http(stack_->gateway_port(), "127.0.0.1", absl::Seconds(15));
    const Headers session = c.headers();
    const std::string pdf = testing::FakePdf(2000);
    for (int n = 1; !stop_load_ && !Aborted(); ++n) {
      HttpResult form, licence, submitted;
      if (!HttpUntilDone(http, "POST", "/api/v1/materials?fileName=form.pdf", pdf, session,
                         applications, &form) ||
          !HttpUntilDone(http, "POST", "/api/v1/materials?fileName=licence.pdf", pdf, session,
                         applications, &licence)) {
        return;
      }
      const std::string key = absl::StrCat("drill-", who, "-", n);
      const std::string body = absl::StrCat(
          R"({"implementationCode":")", intake::test::ImplementationCode(),
          R"(","catalogRevision":")", revision_, R"(","materials":[{"guideMaterialId":"form",)",
          R"("materialId":")", JsonField(form.body, "materialId"),
          R"("},{"guideMaterialId":"licence","materialId":")",
          JsonField(licence.body, "materialId"), R"("}]})");
      Headers headers = session;
      headers.emplace_back("Idempotency-Key", key);
      if (!HttpUntilDone(http, "POST", "/api/v1/applications", body, headers, applications,
                         &submitted)) {
        return;
      }
      Ack ack{key, JsonField(submitted.body, "applicationId"), JsonField(submitted.body, "number"),
              c.account_id, body};
      if (ack.id.empty() || ack.number.empty()) {
        problems.Add(
            absl::StrCat("submission ", key, " answered without id or number: ", submitted.body));
      }
      applications.Acked(std::move(ack));
      absl::SleepFor(kPace);
    }
  }

  // The department's system approves every task in its queue over gRPC.
  void Decide() {
    auto stub = approval::v1::ApprovalService::NewStub(approval_);
    std::set<std::string> decided;
    while (!stop_desk_ && !Aborted()) {
      approval::v1::ListQueueRequest list;
      list.set_page_size(200);
      approval::v1::ListQueueResponse queue;
      const grpc::Status listed = stub->ListQueue(Context(department_token_).get(), list, &queue);
      if (!listed.ok()) {
        if (!Retryable(listed.error_code())) {
          problems.Add(
              absl::StrCat("ListQueue: code ", listed.error_code(), " ", listed.error_message()));
        }
        decisions.Retried();
        absl::SleepFor(absl::Milliseconds(50));
        continue;
      }
      bool any = false;
      for (const approval::v1::Task& task : queue.tasks()) {
        if (stop_desk_ || Aborted()) break;
        if (task.state() != approval::v1::TASK_OPEN || !task.claimed_by().empty() ||
            decided.count(task.task_id()) > 0) {
          continue;
        }
        any = true;
        approval::v1::ApproveTaskRequest approve;
        approve.set_task_id(task.task_id());
        approve.set_comment("drill: approved");
        approve.set_request_id(absl::StrCat("drill-", task.task_id()));
        approval::v1::DecisionResponse answer;
        const bool ok = GrpcUntilDone(
            absl::StrCat("ApproveTask ", task.task_id()),
            [&](grpc::ClientContext* ctx) { return stub->ApproveTask(ctx, approve, &answer); },
            department_token_, decisions);
        decided.insert(task.task_id());
        if (!ok) continue;
        if (answer.task().task_id() != task.task_id() ||
            answer.task().state() != approval::v1::TASK_DONE) {
          problems.Add(absl::StrCat("ApproveTask ", task.task_id(), " answered ",
                                    answer.task().ShortDebugString()));
        }
        decisions.Acked({task.task_id(), task.case_id(), task.stage_name(), task.application_id(),
                         approve.SerializeAsString()});
      }
      if (!any) absl::SleepFor(absl::Milliseconds(20));
    }
  }

  // A 12345 hotline system files tickets over gRPC.
  void FileTickets() {
    auto stub = complaint::v1::ComplaintService::NewStub(complaint_);
    for (int n = 1; !stop_load_ && !Aborted(); ++n) {
      complaint::v1::IngestHotlineTicketRequest ticket;
      ticket.set_hotline_id("gz12345");
      ticket.set_hotline_ticket_id(absl::StrCat("T-", n));
      ticket.set_kind(complaint::v1::COMPLAINT);
      ticket.set_title("小区停水三天");
      ticket.set_description("演练：热线工单");
      ticket.set_caller_phone("13900139000");
      complaint::v1::WorkOrder order;
      if (!GrpcUntilDone(
              absl::StrCat("IngestHotlineTicket ", ticket.hotline_ticket_id()),
              [&](grpc::ClientContext* ctx) {
                return stub->IngestHotlineTicket(ctx, ticket, &order);
              },
              hotline_token_, work_orders)) {
        return;
      }
      work_orders.Acked({ticket.hotline_ticket_id(), order.work_order_id(), order.number(), "",
                         ticket.SerializeAsString()});
      absl::SleepFor(kPace);
    }
  }

  // Another service tells one recipient about events over gRPC.
  void SendNotifications() {
    auto stub = notification::v1::NotificationService::NewStub(notification_);
    for (int n = 1; !stop_load_ && !Aborted(); ++n) {
      notification::v1::NotifyRequest request;
      notification::v1::Event* e = request.mutable_event();
      e->set_event_id(absl::StrCat("drill-event-", n));
      e->set_type("application.accepted");
      e->set_recipient_id(kDrillRecipient);
      (*e->mutable_params())["number"] = absl::StrCat("DRILL-", n);
      (*e->mutable_params())["item_name"] = "居住证办理";
      (*e->mutable_params())["due_date"] = "2026-03-20";
      notification::v1::NotifyResponse response;
      if (!GrpcUntilDone(
              absl::StrCat("Notify ", e->event_id()),
              [&](grpc::ClientContext* ctx) { return stub->Notify(ctx, request, &response); },
              admin_token_, notifications)) {
        return;
      }
      notifications.Acked(
          {e->event_id(), response.message_id(), "", kDrillRecipient, request.SerializeAsString()});
      absl::SleepFor(kPace);
    }
  }

  Stack* const stack_;
  const int64_t revision_;
  const std::string department_token_;
  const std::vector<SignedInCitizen> citizens_;
  const std::string admin_token_;
  const std::string hotline_token_;
  std::shared_ptr<grpc::Channel> approval_, complaint_, notification_;
  std::atomic<bool> stop_load_{false}, stop_desk_{false};
  // Declared last: destroyed (joined) before anything the threads use.
  Workers load_, desk_;
};

std::string IssueDepartmentToken(const Stack& stack) {
  return RequireOk(testing::IssueApiToken(stack, {intake::test::kDepartment,
                                                  "market regulation desk",
                                                  {"reviewer", "approver"},
                                                  /*valid_days=*/1}))
      .secret();
}

// What one check found wrong, reported as one failure listing the first
// cases rather than one failure per record.
class Findings {
 public:
  explicit Findings(std::string what) : what_(std::move(what)) {}
  void Add(std::string instance) {
    if (count_++ < 20) absl::StrAppend(&shown_, "\n  ", instance);
  }
  bool empty() const { return count_ == 0; }
  std::string Text() const {
    return absl::StrCat(what_, ": ", count_, count_ > 20 ? " (first 20)" : "", shown_);
  }

 private:
  const std::string what_;
  std::string shown_;
  int count_ = 0;
};

void CheckNone(const Findings& findings) {
  INFO(findings.Text());
  CHECK(findings.empty());
}

// The drill stack's backends as the checks call them.
struct Backends {
  explicit Backends(const Stack& stack)
      : intake(intake::v1::IntakeService::NewStub(client::MakeChannel(stack.Address("intake")))),
        approval(
            approval::v1::ApprovalService::NewStub(client::MakeChannel(stack.Address("approval")))),
        notification(notification::v1::NotificationService::NewStub(
            client::MakeChannel(stack.Address("notification")))),
        complaint(complaint::v1::ComplaintService::NewStub(
            client::MakeChannel(stack.Address("complaint")))),
        admin(stack.AdminToken()) {}

  std::unique_ptr<intake::v1::IntakeService::Stub> intake;
  std::unique_ptr<approval::v1::ApprovalService::Stub> approval;
  std::unique_ptr<notification::v1::NotificationService::Stub> notification;
  std::unique_ptr<complaint::v1::ComplaintService::Stub> complaint;
  const std::string admin;
};

// Every application of `applicant`, by id; `twice` gets ids listed twice.
std::map<std::string, intake::v1::Application> ApplicationsOf(Backends& b,
                                                              const std::string& applicant,
                                                              Findings* twice) {
  std::map<std::string, intake::v1::Application> out;
  intake::v1::ListApplicationsRequest list;
  list.set_applicant_id(applicant);
  list.set_page_size(100);
  do {
    intake::v1::ListApplicationsResponse page;
    const grpc::Status s = b.intake->ListApplications(Context(b.admin).get(), list, &page);
    INFO(s.error_message());
    REQUIRE(s.ok());
    for (const auto& a : page.applications()) {
      if (!out.emplace(a.application_id(), a).second) twice->Add(a.number());
    }
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());
  return out;
}

std::vector<notification::v1::InboxMessage> InboxOf(Backends& b, const std::string& token) {
  std::vector<notification::v1::InboxMessage> out;
  notification::v1::ListInboxRequest list;
  list.set_page_size(100);
  do {
    notification::v1::ListInboxResponse page;
    const grpc::Status s = b.notification->ListInbox(Context(token).get(), list, &page);
    INFO(s.error_message());
    REQUIRE(s.ok());
    out.insert(out.end(), page.messages().begin(), page.messages().end());
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());
  return out;
}

bool Finished(intake::v1::ApplicationStatus s) {
  return s == intake::v1::RESULT_ISSUED || s == intake::v1::DELIVERED;
}

// Waits until every acknowledged application has been through approval
// and back to intake (both stages approved by the desk, the result
// issued); returns what intake holds for the applicants.
std::map<std::string, intake::v1::Application> WaitUntilFinished(
    Backends& b, const std::vector<Ack>& applications) {
  std::set<std::string> applicants;
  for (const Ack& a : applications) applicants.insert(a.owner);
  std::map<std::string, intake::v1::Application> held;
  Findings listed_twice("applications listed twice");
  auto finished = [&] {
    held.clear();
    for (const std::string& applicant : applicants) {
      auto mine = ApplicationsOf(b, applicant, &listed_twice);
      held.insert(mine.begin(), mine.end());
    }
    for (const Ack& a : applications) {
      auto it = held.find(a.id);
      if (it == held.end() || !Finished(it->second.status())) return false;
    }
    return true;
  };
  Eventually(finished, absl::Seconds(90));
  Findings stuck("applications that never reached RESULT_ISSUED");
  for (const Ack& a : applications) {
    auto it = held.find(a.id);
    if (it == held.end()) {
      stuck.Add(absl::StrCat(a.number, " missing"));
    } else if (!Finished(it->second.status())) {
      stuck.Add(
          absl::StrCat(a.number, " ", intake::v1::ApplicationStatus_Name(it->second.status())));
    }
  }
  CheckNone(listed_twice);
  CheckNone(stuck);
  return held;
}

// Each acknowledged application is held once under the number it was
// acknowledged with, intake holds no other, and its key answers it again.
void CheckApplications(const std::vector<Ack>& applications,
                       const std::map<std::string, intake::v1::Application>& held,
                       const std::vector<SignedInCitizen>& citizens, int gateway_port) {
  Findings missing("acknowledged applications lost"), renumbered("numbers changed"),
      doubled("applications held but never acknowledged (doubled)"),
      answered("keys answering differently when sent again");
  std::set<std::string> acked;
  for (const Ack& a : applications) {
    if (!acked.insert(a.id).second) doubled.Add(absl::StrCat(a.number, " acknowledged twice"));
    auto it = held.find(a.id);
    if (it == held.end()) {
      missing.Add(absl::StrCat(a.key, " ", a.number));
    } else if (it->second.number() != a.number) {
      renumbered.Add(absl::StrCat(a.number, " is now ", it->second.number()));
    }
  }
  for (const auto& [id, a] : held) {
    if (acked.count(id) == 0) doubled.Add(absl::StrCat(a.number(), " ", id));
  }
  std::map<std::string, SignedInCitizen> by_account;
  for (const SignedInCitizen& c : citizens) by_account[c.account_id] = c;
  HttpConnection http(gateway_port);
  for (const Ack& a : applications) {
    const SignedInCitizen& c = by_account.at(a.owner);
    auto again =
        http.Request("POST", "/api/v1/applications", a.body,
                     {{"Cookie", c.cookie}, {"X-CSRF-Token", c.csrf}, {"Idempotency-Key", a.key}});
    REQUIRE(again.ok());
    if (again->status != 200 || JsonField(again->body, "applicationId") != a.id ||
        JsonField(again->body, "number") != a.number) {
      answered.Add(absl::StrCat(a.key, " (", a.number, "): HTTP ", again->status, " ",
                                again->body.substr(0, 200)));
    }
  }
  CheckNone(missing);
  CheckNone(renumbered);
  CheckNone(doubled);
  CheckNone(answered);
}

// Each application's timeline shows each step once (a transition delivered
// twice by approval's outbox would show twice). Returns each application's
// case.
std::map<std::string, std::string> CheckTimelines(Backends& b,
                                                  const std::vector<Ack>& applications) {
  std::map<std::string, std::string> case_of;
  Findings steps_wrong("timelines missing or repeating a step"),
      no_case("applications without a case");
  for (const Ack& a : applications) {
    intake::v1::GetApplicationRequest get;
    get.set_application_id(a.id);
    intake::v1::Application got;
    const grpc::Status s = b.intake->GetApplication(Context(b.admin).get(), get, &got);
    INFO(a.number << " " << s.error_message());
    REQUIRE(s.ok());
    std::map<intake::v1::ApplicationStatus, int> steps;
    for (const auto& entry : got.timeline()) ++steps[entry.status()];
    for (auto must : {intake::v1::SUBMITTED, intake::v1::ACCEPTED, intake::v1::APPROVED,
                      intake::v1::RESULT_ISSUED}) {
      steps.emplace(must, 0);
    }
    for (const auto& [status, count] : steps) {
      if (count != 1) {
        steps_wrong.Add(absl::StrCat(a.number, ": ", intake::v1::ApplicationStatus_Name(status),
                                     " ", count, " times"));
      }
    }
    if (got.case_id().empty()) no_case.Add(a.number);
    case_of[a.id] = got.case_id();
  }
  CheckNone(steps_wrong);
  CheckNone(no_case);
  return case_of;
}

// Each acknowledged decision is recorded once, on the one case of its
// application; each case went through its two stages once; a decision sent
// again with its request id gets its answer.
void CheckDecisions(Backends& b, const std::string& department_token,
                    const std::vector<Ack>& decisions,
                    const std::map<std::string, std::string>& case_of) {
  Findings wrong_case("decisions on a case other than their application's"),
      per_case("cases without exactly two acknowledged decisions"),
      state("cases or tasks in the wrong state"), doubled("audit entries recorded twice"),
      answered("decisions answering differently when sent again");
  std::set<std::string> task_ids;
  std::map<std::string, int> decisions_per_case;
  for (const Ack& d : decisions) {
    if (!task_ids.insert(d.key).second) doubled.Add(absl::StrCat("task ", d.key, " acked twice"));
    ++decisions_per_case[d.id];
    auto known = case_of.find(d.owner);
    if (known == case_of.end() || known->second != d.id) {
      wrong_case.Add(absl::StrCat("task ", d.key, " on ", d.id, " for application ", d.owner));
    }
  }
  for (const auto& [application, case_id] : case_of) {
    if (decisions_per_case.count(case_id) == 0) per_case.Add(absl::StrCat(case_id, ": none"));
  }
  for (const auto& [case_id, count] : decisions_per_case) {
    if (count != 2) per_case.Add(absl::StrCat(case_id, ": ", count));
    approval::v1::GetCaseDetailRequest get;
    get.set_case_id(case_id);
    approval::v1::CaseDetail detail;
    grpc::Status s = b.approval->GetCaseDetail(Context(department_token).get(), get, &detail);
    INFO(case_id << " " << s.error_message());
    REQUIRE(s.ok());
    if (detail.case_().state() != approval::v1::APPROVED) {
      state.Add(absl::StrCat(case_id, " ", approval::v1::CaseState_Name(detail.case_().state())));
    }
    std::map<int, int> tasks_per_stage;
    for (const auto& t : detail.tasks()) {
      ++tasks_per_stage[t.stage_index()];
      if (t.state() != approval::v1::TASK_DONE || t.outcome() != approval::v1::TASK_APPROVED ||
          task_ids.count(t.task_id()) == 0) {
        state.Add(absl::StrCat(case_id, " task ", t.ShortDebugString()));
      }
    }
    if (tasks_per_stage.size() != 2 || tasks_per_stage[0] != 1 || tasks_per_stage[1] != 1) {
      state.Add(absl::StrCat(case_id, ": ", detail.tasks_size(), " tasks"));
    }
    approval::v1::ListAuditRequest audit;
    audit.set_case_id(case_id);
    audit.set_page_size(500);
    approval::v1::ListAuditResponse trail;
    s = b.approval->ListAudit(Context(department_token).get(), audit, &trail);
    INFO(s.error_message());
    REQUIRE(s.ok());
    // In a two-stage case every step happens once: case.opened,
    // stage.started per stage, task.approved per task, case.approved.
    std::map<std::string, int> actions;
    for (const auto& e : trail.entries()) {
      ++actions[absl::StrCat(e.action(), " ", e.task_id(), " ", e.stage_name())];
    }
    for (const auto& [action, n] : actions) {
      if (n != 1) doubled.Add(absl::StrCat(case_id, ": ", action, " ", n, " times"));
    }
  }
  for (const Ack& d : decisions) {
    approval::v1::ApproveTaskRequest again;
    REQUIRE(again.ParseFromString(d.body));
    approval::v1::DecisionResponse answer;
    const grpc::Status s = b.approval->ApproveTask(Context(department_token).get(), again, &answer);
    if (!s.ok() || answer.task().task_id() != d.key) {
      answered.Add(absl::StrCat("task ", d.key, ": ", s.error_message()));
    }
  }
  CheckNone(wrong_case);
  CheckNone(per_case);
  CheckNone(state);
  CheckNone(doubled);
  CheckNone(answered);
}

// Each acknowledged hotline ticket is one work order (all wait in the
// dispatch queue: there are no dispatch rules), and filing it again answers
// that order.
void CheckWorkOrders(Backends& b, const Stack& stack, const std::vector<Ack>& tickets) {
  const std::string token = stack.Token(testing::StaffPrincipal(
      "dispatcher-1", intake::test::kOtherDepartment, {"complaint_handler"}));
  std::map<std::string, std::vector<std::string>> orders_of_ticket;
  complaint::v1::ListDispatchQueueRequest list;
  list.set_page_size(200);
  do {
    complaint::v1::ListWorkOrdersResponse page;
    const grpc::Status s = b.complaint->ListDispatchQueue(Context(token).get(), list, &page);
    INFO(s.error_message());
    REQUIRE(s.ok());
    for (const auto& o : page.work_orders()) {
      orders_of_ticket[o.hotline_ticket_id()].push_back(o.work_order_id());
    }
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());

  Findings wrong("tickets without exactly their acknowledged order"),
      answered("tickets answering differently when filed again");
  std::set<std::string> acked;
  const std::string hotline = stack.Token(MakePrincipal(auth::v1::SERVICE, "gz12345-system"));
  for (const Ack& t : tickets) {
    acked.insert(t.key);
    const std::vector<std::string>& orders = orders_of_ticket[t.key];
    if (orders != std::vector<std::string>{t.id}) {
      wrong.Add(
          absl::StrCat(t.key, ": acknowledged ", t.id, ", held ", absl::StrJoin(orders, ",")));
    }
    complaint::v1::IngestHotlineTicketRequest again;
    REQUIRE(again.ParseFromString(t.body));
    complaint::v1::WorkOrder order;
    const grpc::Status s = b.complaint->IngestHotlineTicket(Context(hotline).get(), again, &order);
    if (!s.ok() || order.work_order_id() != t.id || order.number() != t.number) {
      answered.Add(absl::StrCat(t.key, ": ", s.error_message(), " ", order.work_order_id()));
    }
  }
  for (const auto& [ticket, orders] : orders_of_ticket) {
    if (acked.count(ticket) == 0) {
      wrong.Add(absl::StrCat(ticket, " never acknowledged, held ", absl::StrJoin(orders, ",")));
    }
  }
  CheckNone(wrong);
  CheckNone(answered);
}

// Each acknowledged Notify is one inbox message, and sending it again
// creates nothing.
void CheckDirectNotifications(Backends& b, const Stack& stack, const std::vector<Ack>& sent) {
  const std::vector<notification::v1::InboxMessage> inbox =
      InboxOf(b, stack.Token(MakePrincipal(auth::v1::CITIZEN, KillDrill::kDrillRecipient)));
  std::map<std::string, int> messages;
  for (const auto& m : inbox) ++messages[m.message_id()];
  Findings wrong("events without exactly one message"),
      answered("events answering differently when sent again");
  std::set<std::string> acked;
  for (const Ack& n : sent) {
    acked.insert(n.id);
    if (messages[n.id] != 1) wrong.Add(absl::StrCat(n.key, ": ", messages[n.id], " messages"));
    notification::v1::NotifyRequest again;
    REQUIRE(again.ParseFromString(n.body));
    notification::v1::NotifyResponse response;
    const grpc::Status s = b.notification->Notify(Context(b.admin).get(), again, &response);
    if (!s.ok() || response.created() || response.message_id() != n.id) {
      answered.Add(absl::StrCat(n.key, ": ", s.error_message(), " ", response.ShortDebugString()));
    }
  }
  for (const auto& [id, count] : messages) {
    if (acked.count(id) == 0) wrong.Add(absl::StrCat(id, " never acknowledged"));
  }
  CheckNone(wrong);
  CheckNone(answered);
}

// Through intake's and approval's outboxes each applicant hears of each
// step of each application once.
void CheckApplicantsTold(Backends& b, const Stack& stack,
                         const std::vector<SignedInCitizen>& citizens,
                         const std::vector<Ack>& applications) {
  const std::vector<std::string> steps = {"application.submitted", "application.accepted",
                                          "application.approved"};
  std::map<std::string, int> told;  // "<type> <number>"
  auto all_told = [&] {
    told.clear();
    for (const SignedInCitizen& c : citizens) {
      for (const auto& m :
           InboxOf(b, stack.Token(MakePrincipal(auth::v1::CITIZEN, c.account_id)))) {
        for (const Ack& a : applications) {
          if (a.owner == c.account_id && MentionsNumber(m.body(), a.number)) {
            ++told[absl::StrCat(m.event_type(), " ", a.number)];
          }
        }
      }
    }
    for (const Ack& a : applications) {
      for (const std::string& step : steps) {
        if (told[absl::StrCat(step, " ", a.number)] == 0) return false;
      }
    }
    return true;
  };
  Eventually(all_told);
  Findings wrong("steps an applicant was not told of exactly once");
  for (const Ack& a : applications) {
    for (const std::string& step : steps) told.emplace(absl::StrCat(step, " ", a.number), 0);
  }
  for (const auto& [what, count] : told) {
    if (count != 1) wrong.Add(absl::StrCat(what, ": ", count, " messages"));
  }
  CheckNone(wrong);
}

TEST_CASE("drill: kill -9 of each backend in turn under load loses and doubles nothing") {
  testing::StackOptions options;
  const std::string calendar = absl::StrCat("--calendar_dir=", OW_SOURCE_DIR, "/deploy/calendar");
  options.extra_flags["intake"] = {calendar};
  options.extra_flags["complaint"] = {
      calendar, absl::StrCat("--dispatch_departments=", intake::test::kOtherDepartment)};
  options.extra_flags["gateway"] = GatewayWithoutLimits();
  std::unique_ptr<Stack> stack = RequireOk(Stack::Start(options));

  const int64_t revision = testing::PublishTestItem(*stack);
  const std::string department_token = IssueDepartmentToken(*stack);
  std::vector<SignedInCitizen> citizens;
  for (int i = 0; i < 3; ++i) citizens.push_back(RegisterAndSignIn(stack->gateway_port(), i));

  KillDrill drill(stack.get(), revision, department_token, citizens);
  const std::vector<Tally*> tallies = {&drill.applications, &drill.decisions, &drill.work_orders,
                                       &drill.notifications};
  auto acks_now = [&] {
    std::vector<int> v;
    for (Tally* t : tallies) v.push_back(t->acks());
    return v;
  };
  auto all_progressed = [&](const std::vector<int>& since) {
    for (size_t k = 0; k < tallies.size(); ++k) {
      if (tallies[k]->acks() <= since[k]) return false;
    }
    return true;
  };
  drill.Start();
  REQUIRE(Eventually([&] { return all_progressed({1, 1, 1, 1}); }));

  // Which load must feel each victim's death (identity and catalog are off
  // the hot path: sessions live in Redis, intake caches guides).
  const std::vector<std::pair<std::string, Tally*>> victims = {
      {"identity", nullptr},
      {"catalog", nullptr},
      {"intake", &drill.applications},
      {"approval", &drill.decisions},
      {"notification", &drill.notifications},
      {"complaint", &drill.work_orders}};
  // Two rounds: the second kills processes that already recovered once
  // from a crash, with their outboxes' retries under way.
  constexpr int kRounds = 2;
  std::string restarts;
  for (int round = 1; round <= kRounds; ++round) {
    for (const auto& [victim, felt_by] : victims) {
      INFO("round " << round << ", victim " << victim << "; " << drill.problems.Summary());
      const int retries_before = felt_by == nullptr ? 0 : felt_by->retries();
      stack->Stop(victim, SIGKILL);
      if (felt_by != nullptr) {
        // The load ran into the dead process before it came back.
        REQUIRE(Eventually([&] { return felt_by->retries() > retries_before; }));
      }
      const absl::Time t0 = absl::Now();
      const absl::Status restarted = stack->Restart(victim);
      INFO(restarted.ToString() << "\n" << stack->Logs(victim));
      REQUIRE(restarted.ok());
      absl::StrAppend(&restarts, " ", victim, " ", absl::ToInt64Milliseconds(absl::Now() - t0),
                      " ms;");
      // Everyone gets on with their work once it is back.
      const std::vector<int> since = acks_now();
      REQUIRE(Eventually([&] { return all_progressed(since); }));
    }
  }
  drill.StopLoad();

  Backends backends(*stack);
  const std::vector<Ack> applications = drill.applications.all();
  // The desk keeps deciding until every application is through.
  const std::map<std::string, intake::v1::Application> held =
      WaitUntilFinished(backends, applications);
  drill.StopDesk();
  {
    INFO(drill.problems.Summary());
    CHECK(drill.problems.count() == 0);
  }
  CheckApplications(applications, held, citizens, stack->gateway_port());
  const std::map<std::string, std::string> case_of = CheckTimelines(backends, applications);
  CheckDecisions(backends, department_token, drill.decisions.all(), case_of);
  CheckWorkOrders(backends, *stack, drill.work_orders.all());
  CheckDirectNotifications(backends, *stack, drill.notifications.all());
  CheckApplicantsTold(backends, *stack, citizens, applications);

  std::printf(
      "drill kill -9: %zu applications, %d decisions, %d work orders, %d notifications "
      "acknowledged; client retries %d/%d/%d/%d; restarts:%s\n",
      applications.size(), drill.decisions.acks(), drill.work_orders.acks(),
      drill.notifications.acks(), drill.applications.retries(), drill.decisions.retries(),
      drill.work_orders.retries(), drill.notifications.retries(), restarts.c_str());
}

// ---------------------------------------------------------------------------
// Drill 2: Redis restarted under signed-in traffic.

// Signed-in users keep reading their own data while Redis is killed and
// started again; on 401 they sign in again. Returns how many had to.
int RedisRestartDrill(bool persistent) {
  testing::StackOptions options;
  options.backends = {"identity", "notification"};
  options.extra_flags["gateway"] = GatewayWithoutLimits();
  if (persistent) {
    // As on Kubernetes: an append-only file, synced on every write.
    options.extra_flags["redis"] = {"--appendonly", "yes", "--appendfsync", "always"};
  }
  std::unique_ptr<Stack> stack = RequireOk(Stack::Start(options));
  const int port = stack->gateway_port();

  constexpr int kClients = 3;
  std::vector<SignedInCitizen> citizens;
  for (int i = 0; i < kClients; ++i) citizens.push_back(RegisterAndSignIn(port, i));
  SignedInCitizen watcher = RegisterAndSignIn(port, kClients);

  struct Client {
    std::atomic<int> served{0};  // 200 with their own data
    std::atomic<int> unavailable{0};
    std::atomic<int> served_after_restart{0};
    std::atomic<int> logins_again{0};
  };
  std::vector<Client> clients(kClients);
  std::atomic<bool> restarted{false}, stop{false};
  Problems problems;
  Workers workers;

  // Signed-in users keep reading their own data; on 401 they sign in again.
  for (int i = 0; i < kClients; ++i) {
    workers.Run([&, i] {
      Client& me = clients[i];
      SignedInCitizen c = citizens[i];
      HttpConnection http(port);
      for (int n = 0; !stop && !workers.aborted; ++n) {
        const std::string target = n % 2 == 0 ? "/api/v1/me" : "/api/v1/inbox";
        auto r = http.Request("GET", target, "", {{"Cookie", c.cookie}});
        if (!r.ok()) {
          problems.Add(absl::StrCat("client ", i, " ", target, ": ", r.status().ToString()));
        } else if (r->status == 200) {
          if (target == "/api/v1/me" && !absl::StrContains(r->body, c.account_id)) {
            problems.Add(absl::StrCat("client ", i, " got someone else's /me: ", r->body));
          }
          ++me.served;
          if (restarted) ++me.served_after_restart;
        } else if (r->status == 503) {
          ++me.unavailable;
        } else if (r->status == 401) {
          ++me.logins_again;
          while (!stop && !workers.aborted) {
            auto again = testing::SignInCitizen(port, ResidentIds()[i]);
            if (again.ok()) {
              c.cookie = again->cookie;
              c.csrf = again->csrf;
              break;
            }
            if (!absl::StrContains(again.status().message(), "HTTP 503")) {
              problems.Add(absl::StrCat("client ", i, " login again: ", again.status().ToString()));
              break;
            }
            absl::SleepFor(absl::Milliseconds(50));
          }
        } else {
          problems.Add(absl::StrCat("client ", i, " ", target, ": HTTP ", r->status, " ", r->body));
        }
        absl::SleepFor(absl::Milliseconds(10));
      }
    });
  }
  // Callers without a session (none, or one nobody issued) are never served.
  std::atomic<int> anonymous_calls{0};
  workers.Run([&] {
    HttpConnection http(port);
    const std::vector<Headers> callers = {
        {}, {{"Cookie", "ow_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}}};
    for (int n = 0; !stop && !workers.aborted; ++n) {
      const std::string target = n % 2 == 0 ? "/api/v1/me" : "/api/v1/inbox";
      auto r = http.Request("GET", target, "", callers[n % callers.size()]);
      if (r.ok() && r->status != 401 && r->status != 503) {
        problems.Add(absl::StrCat("anonymous ", target, ": HTTP ", r->status, " ", r->body));
      }
      ++anonymous_calls;
      absl::SleepFor(absl::Milliseconds(10));
    }
  });

  auto every = [&](auto pred) {
    for (Client& c : clients) {
      if (!pred(c)) return false;
    }
    return true;
  };
  REQUIRE(Eventually([&] { return every([](Client& c) { return c.served >= 3; }); }));

  const pid_t gateway = stack->pid("gateway");
  stack->Stop("redis", SIGKILL);
  // During the outage signed-in routes answer 503 and nobody signs in.
  auto me = testing::HttpGet(port, "/api/v1/me", {{"Cookie", watcher.cookie}});
  REQUIRE(me.ok());
  CHECK(me->status == 503);
  CHECK(absl::StrContains(testing::SignInCitizen(port, ResidentIds()[kClients]).status().message(),
                          "HTTP 503"));
  CHECK(Eventually([&] { return every([](Client& c) { return c.unavailable > 0; }); }));

  REQUIRE(stack->Restart("redis").ok());
  restarted = true;
  const absl::Time back = absl::Now();
  // The gateway finds the new Redis by itself; every user is served again.
  const bool recovered =
      Eventually([&] { return every([](Client& c) { return c.served_after_restart > 0; }); });
  const absl::Duration recovery = absl::Now() - back;
  stop = true;
  workers.Join();

  INFO(problems.Summary());
  CHECK(problems.count() == 0);
  CHECK(recovered);
  CHECK(stack->pid("gateway") == gateway);  // never restarted
  for (int i = 0; i < kClients; ++i) {
    INFO("client " << i);
    CHECK(clients[i].logins_again <= 1);  // at worst one new login
  }
  CHECK(anonymous_calls > 0);
  // The watcher's session is either still there or gone; gone means a new
  // login, which works.
  me = testing::HttpGet(port, "/api/v1/me", {{"Cookie", watcher.cookie}});
  REQUIRE(me.ok());
  CHECK((me->status == 200 || me->status == 401));
  if (persistent) CHECK(me->status == 200);
  if (me->status == 401) {
    auto again = testing::SignInCitizen(port, ResidentIds()[kClients]);
    INFO(again.status().ToString());
    REQUIRE(again.ok());
    me = testing::HttpGet(port, "/api/v1/me", {{"Cookie", again->cookie}});
    REQUIRE(me.ok());
    CHECK(me->status == 200);
  }
  int logins_again = 0;
  for (const Client& c : clients) logins_again += c.logins_again;
  std::printf(
      "drill redis%s: gateway served every user again %lld ms after Redis came back; %d of %d "
      "users signed in again\n",
      persistent ? " (append-only file)" : "",
      static_cast<long long>(absl::ToInt64Milliseconds(recovery)), logins_again, kClients);
  return logins_again;
}

TEST_CASE("drill: a Redis restart costs at most a new login and never opens signed-in routes") {
  RedisRestartDrill(/*persistent=*/false);
}

TEST_CASE("drill: with Redis persisting to its append-only file, a restart signs nobody out") {
  CHECK(RedisRestartDrill(/*persistent=*/true) == 0);
}

// ---------------------------------------------------------------------------
// Drill 3: a backend that stalls.

// Sends SIGCONT when the scope ends, so a failed check never leaves a
// frozen process behind.
class Frozen {
 public:
  explicit Frozen(pid_t pid) : pid_(pid) { ::kill(pid_, SIGSTOP); }
  ~Frozen() { Thaw(); }
  void Thaw() {
    if (pid_ > 0) ::kill(pid_, SIGCONT);
    pid_ = -1;
  }

 private:
  pid_t pid_;
};

TEST_CASE("drill: a stalled backend costs a 504 within the gateway's deadline, then recovers") {
  constexpr int kDeadlineMs = 1000;
  // What the gateway may add to its deadline on a busy 2-core machine.
  constexpr int kMarginMs = 1000;
  testing::StackOptions options;
  options.backends = {"identity", "catalog"};
  options.extra_flags["gateway"] = GatewayWithoutLimits();
  options.extra_flags["gateway"].push_back(absl::StrCat("--upstream_timeout_ms=", kDeadlineMs));
  options.extra_flags["gateway"].push_back("--public_cache_ms=0");
  std::unique_ptr<Stack> stack = RequireOk(Stack::Start(options));
  const int port = stack->gateway_port();
  {
    auto warm = testing::HttpGet(port, "/api/v1/topics");
    REQUIRE(warm.ok());
    REQUIRE(warm->status == 200);
  }

  Frozen frozen(stack->pid("catalog"));
  struct Answer {
    int status = 0;
    std::string body;
    absl::Duration took;
  };
  constexpr int kCallers = 4;
  std::vector<Answer> answers(kCallers);
  {
    Workers callers;
    for (int i = 0; i < kCallers; ++i) {
      callers.Run([&, i] {
        const absl::Time t0 = absl::Now();
        auto r =
            testing::HttpGet(port, absl::StrCat("/api/v1/topics?regionCode=44010", i, "000000"));
        answers[i].took = absl::Now() - t0;
        if (r.ok()) {
          answers[i].status = r->status;
          answers[i].body = r->body;
        } else {
          answers[i].body = r.status().ToString();
        }
      });
    }
    // Meanwhile the gateway serves what does not need the stalled backend
    // (identity checks the request and refuses it).
    const absl::Time t0 = absl::Now();
    auto other = testing::HttpPost(port, "/api/v1/accounts/citizens", "{}");
    const absl::Duration took = absl::Now() - t0;
    REQUIRE(other.ok());
    INFO(other->body);
    CHECK(other->status == 400);
    CHECK(took < absl::Milliseconds(kDeadlineMs));
    callers.Join();
  }
  for (const Answer& a : answers) {
    INFO(a.status << " after " << absl::FormatDuration(a.took) << ": " << a.body);
    CHECK(a.status == 504);
    CHECK(a.took < absl::Milliseconds(kDeadlineMs + kMarginMs));
    CHECK(absl::StrContains(a.body, "DEADLINE_EXCEEDED"));
    CHECK_FALSE(absl::StrContains(a.body, "127.0.0.1"));
  }

  frozen.Thaw();
  const absl::Time thawed = absl::Now();
  int last = 0;
  CHECK(Eventually(
      [&] {
        auto r = testing::HttpGet(port, "/api/v1/topics");
        last = r.ok() ? r->status : -1;
        return last == 200;
      },
      absl::Seconds(10)));
  INFO("last answer " << last);
  std::printf(
      "drill stall: 504 after %lld ms (deadline %d ms); served again %lld ms after SIGCONT\n",
      static_cast<long long>(absl::ToInt64Milliseconds(answers[0].took)), kDeadlineMs,
      static_cast<long long>(absl::ToInt64Milliseconds(absl::Now() - thawed)));
}

}  // namespace
}  // namespace onewindow
