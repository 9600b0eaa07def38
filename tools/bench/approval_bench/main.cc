// approval_bench: durable decisions per second through the department gRPC
// API with a large store, and queue-listing latency for a department with
// many open tasks. A benchmark program, not a test: it prints figures,
//
//   figure: <name> <value> <unit>
//
// and judges nothing. It preloads a fresh approval store in this process
// through approval's own row store (--cases in all: closed cases spread over
// 1,000 departments, --department_tasks open tasks for the department whose
// queue is measured, and one open task per measured decision, a third at
// each stage of a three-stage process), starts the approval binary on it,
// then measures over gRPC:
//   - queue listing (50 per page) for the big department: first page, stage,
//     item, due-soon and overdue filters, a deep page; p50/p99, idle and
//     under decision load;
//   - --decisions approvals by --clients concurrent callers (API tokens of
//     ten departments); each is acknowledged only after its group commit is
//     on disk. Approving the last stage also issues the licence. Intake and
//     notification are played by a receiver in this process, so the outbox
//     relay delivers every event while decisions run (--deliver_events=false
//     leaves them queued).
// First it prints fsync_loop_transactions_per_second: single-row
// synchronous=FULL transactions per second where the store lives, one
// fsync each, for scale; with the decisions, approval_host_steal_percent:
// CPU the hypervisor gave other guests meanwhile, and the CPU per decision
// of the service and of this process.
//
//   approval_bench                                    # 1,000,000 cases
//   approval_bench --cases=50000 --decisions=5000     # a run of seconds
#include <grpcpp/client_context.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "libs/auth/keyring.h"
#include "libs/auth/random.h"
#include "libs/auth/token.h"
#include "libs/client/channels.h"
#include "libs/client/health.h"
#include "libs/config/flags.h"
#include "libs/testing/bench_output.h"
#include "libs/testing/fsync_probe.h"
#include "libs/testing/grpc_context.h"
#include "libs/testing/grpc_server.h"
#include "libs/testing/principals.h"
#include "libs/testing/process.h"
#include "libs/testing/process_cpu.h"
#include "libs/workday/calendar.h"
#include "libs/workday/clock.h"
#include "onewindow/approval/v1/approval.grpc.pb.h"
#include "onewindow/intake/v1/intake.grpc.pb.h"
#include "onewindow/notification/v1/notification.grpc.pb.h"
#include "services/approval/desk.h"
#include "services/approval/schema.h"
#include "tools/bench/approval_bench/preload.h"

ABSL_FLAG(int64_t, cases, 1000000, "Cases in the store, all kinds together");
ABSL_FLAG(int, department_tasks, 10000, "Open tasks of the department whose queue is listed");
ABSL_FLAG(int, decisions, 30000, "Approvals measured (one preloaded open task each)");
ABSL_FLAG(int, clients, 48, "Decisions in flight at once");
ABSL_FLAG(int, queue_queries, 300, "Listings measured per query kind");
ABSL_FLAG(bool, deliver_events, true, "Run the outbox relay against an in-process receiver");
ABSL_FLAG(bool, in_process, false,
          "Diagnostic: make the decisions through approval's domain classes in this process "
          "(no gRPC, no relay) and stop");
ABSL_FLAG(int, checkpoint_interval_ms, 500, "With --in_process: WAL checkpoint interval");
ABSL_FLAG(std::vector<std::string>, approval_flags, {},
          "Extra flags for approval, comma-separated (to compare settings)");
ABSL_FLAG(std::string, dir, "", "Where the store goes (default: a temp directory, removed)");

namespace onewindow::bench {
namespace {

namespace v1 = approval::v1;
using SteadyClock = std::chrono::steady_clock;

using testing::Fail;
using testing::Figure;
using testing::Note;
using testing::Percentile;

// Intake's and notification's receiving ends: count and acknowledge.
class Receiver final : public intake::v1::IntakeService::Service,
                       public notification::v1::NotificationService::Service {
 public:
  grpc::Status RecordTransition(grpc::ServerContext*, const intake::v1::RecordTransitionRequest*,
                                intake::v1::RecordTransitionResponse* response) override {
    ++transitions;
    response->set_applied(true);
    return grpc::Status::OK;
  }
  grpc::Status Notify(grpc::ServerContext*, const notification::v1::NotifyRequest*,
                      notification::v1::NotifyResponse* response) override {
    ++notifications;
    response->set_created(true);
    return grpc::Status::OK;
  }
  // The batch methods approval's relay uses, answering every event applied.
  grpc::Status RecordTransitions(grpc::ServerContext*,
                                 const intake::v1::RecordTransitionsRequest* request,
                                 api::v1::HandoffResults* response) override {
    transitions += request->transitions_size();
    for (int i = 0; i < request->transitions_size(); ++i) response->add_results();
    return grpc::Status::OK;
  }
  grpc::Status NotifyBatch(grpc::ServerContext*,
                           const notification::v1::NotifyBatchRequest* request,
                           api::v1::HandoffResults* response) override {
    notifications += request->notifications_size();
    for (int i = 0; i < request->notifications_size(); ++i) response->add_results();
    return grpc::Status::OK;
  }

  std::atomic<int64_t> transitions{0};
  std::atomic<int64_t> notifications{0};
};

// Decisions wait for their group commit's fsync, and the supervision report
// scans the whole store: a loaded disk takes its time.
std::unique_ptr<grpc::ClientContext> Context(const std::string& token) {
  return testing::TokenContext(token, absl::Seconds(30));
}

struct QueueKind {
  std::string name;
  v1::ListQueueRequest request;
};

// Latencies (ms) of `rounds` listings of each kind, one caller.
std::map<std::string, std::vector<double>> MeasureQueue(v1::ApprovalService::Stub* stub,
                                                        const std::string& token,
                                                        const std::vector<QueueKind>& kinds,
                                                        int rounds) {
  std::map<std::string, std::vector<double>> out;
  for (int i = 0; i < rounds; ++i) {
    for (const QueueKind& kind : kinds) {
      v1::ListQueueResponse response;
      const auto start = SteadyClock::now();
      grpc::Status s = stub->ListQueue(Context(token).get(), kind.request, &response);
      const double ms =
          std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
      if (!s.ok()) Fail(absl::StrCat("ListQueue ", kind.name, ": ", s.error_message()));
      out[kind.name].push_back(ms);
    }
  }
  return out;
}

int64_t DirBytes(const std::string& dir) {
  int64_t total = 0;
  for (const char* name : {"approval.db", "approval.db-wal"}) {
    struct stat st;
    if (::stat(absl::StrCat(dir, "/", name).c_str(), &st) == 0) total += st.st_size;
  }
  return total;
}

// The decisions straight through Desk on the store: what the write path
// costs without gRPC in front of it.
int InProcess(const PreloadSpec& spec, const Preloaded& preloaded, int clients) {
  auto calendar = workday::Calendar::LoadDirectory(spec.calendar_dir);
  if (!calendar.ok()) Fail(calendar.status().ToString());
  store::DatabaseOptions options{spec.path};
  options.checkpoint_interval = absl::Milliseconds(absl::GetFlag(FLAGS_checkpoint_interval_ms));
  auto db = store::Database::Open(options, approval::ApprovalMigrations());
  if (!db.ok()) Fail(db.status().ToString());
  (void)(*db)->Write([](store::Connection& d) {
    d.exec("PRAGMA cache_size = -131072");
    return absl::OkStatus();
  });
  workday::SystemClock clock;
  approval::Processes processes(db->get(), nullptr);
  approval::Deadlines deadlines(&*calendar);
  approval::Flow flow(&deadlines);
  approval::Desk desk({db->get(), &clock, &deadlines, &flow, &processes, {}});
  std::atomic<size_t> next{0};
  std::atomic<int> failures{0};
  const auto start = SteadyClock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      for (size_t i = next++; i < preloaded.decision_tasks.size(); i = next++) {
        const auto& task = preloaded.decision_tasks[i];
        v1::ApproveTaskRequest approve;
        approve.set_task_id(task.task_id);
        if (!desk.Approve(testing::StaffPrincipal("bench", task.department, {"approver"}), approve)
                 .ok()) {
          ++failures;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  Figure("approval_in_process_decisions_per_second",
         (preloaded.decision_tasks.size() - failures) / seconds, "decisions/s");
  if (failures > 0) Note(absl::StrCat(failures.load(), " decisions failed"));
  (*db)->Close();
  return 0;
}

int Main() {
  const int64_t total_cases = absl::GetFlag(FLAGS_cases);
  const int department_tasks = absl::GetFlag(FLAGS_department_tasks);
  const int decisions = absl::GetFlag(FLAGS_decisions);
  const int clients = std::max(1, absl::GetFlag(FLAGS_clients));
  if (total_cases < department_tasks + decisions) {
    Fail("--cases must be at least --department_tasks + --decisions");
  }
  testing::TempDir temp;
  const std::string root =
      absl::GetFlag(FLAGS_dir).empty() ? temp.path() : absl::GetFlag(FLAGS_dir);
  const std::string data_dir = absl::StrCat(root, "/approval");
  ::mkdir(root.c_str(), 0700);
  ::mkdir(data_dir.c_str(), 0700);
  {
    // What one fsync costs where the store lives: a group commit waits for
    // one.
    auto fsyncs = testing::FsyncLoopTransactionsPerSecond(root, absl::Seconds(1));
    if (!fsyncs.ok()) Fail(fsyncs.status().ToString());
    Figure("fsync_loop_transactions_per_second", *fsyncs, "/s");
  }

  // 1. Preload.
  PreloadSpec spec;
  spec.path = absl::StrCat(data_dir, "/approval.db");
  spec.calendar_dir = absl::StrCat(OW_SOURCE_DIR, "/deploy/calendar");
  spec.closed_cases = total_cases - department_tasks - decisions;
  spec.department_tasks = department_tasks;
  spec.decision_tasks = decisions;
  const auto load_start = SteadyClock::now();
  absl::StatusOr<Preloaded> preloaded = Preload(spec);
  if (!preloaded.ok()) Fail(absl::StrCat("preload: ", preloaded.status().ToString()));
  const double load_seconds =
      std::chrono::duration<double>(SteadyClock::now() - load_start).count();
  Figure("approval_preload_cases", static_cast<double>(total_cases), "cases");
  Figure("approval_preload_seconds", load_seconds, "s");
  Figure("approval_preload_rate", total_cases / load_seconds, "cases/s");
  Figure("approval_store_size", DirBytes(data_dir) / 1048576.0, "MiB");

  if (absl::GetFlag(FLAGS_in_process)) return InProcess(spec, *preloaded, clients);

  // 2. Start approval on it.
  Receiver receiver;
  auto receiver_server = testing::InProcessServer::Start(
      {static_cast<intake::v1::IntakeService::Service*>(&receiver),
       static_cast<notification::v1::NotificationService::Service*>(&receiver)});
  if (!receiver_server.ok()) Fail(absl::StrCat("receiver: ", receiver_server.status().ToString()));
  const std::string keys = absl::StrCat("bench:", absl::Base64Escape(auth::RandomBytes(32)));
  auto ring = auth::KeyRing::Parse(keys);
  if (!ring.ok()) Fail(ring.status().ToString());
  auth::TokenSigner signer(*ring);
  const int port = testing::FreePort();
  std::vector<std::string> argv = {absl::StrCat(OW_BINARY_DIR, "/services/approval/approval"),
                                   absl::StrCat("--listen=127.0.0.1:", port),
                                   absl::StrCat("--metrics_listen=127.0.0.1:", testing::FreePort()),
                                   absl::StrCat("--data_dir=", data_dir),
                                   "--drain_seconds=3",
                                   "--log_level=warn"};
  if (absl::GetFlag(FLAGS_deliver_events)) {
    argv.push_back(absl::StrCat("--intake_addr=", (*receiver_server)->address()));
    argv.push_back(absl::StrCat("--notification_addr=", (*receiver_server)->address()));
  } else {
    // No route: events stay in the outbox.
    argv.push_back("--intake_addr=");
    argv.push_back("--notification_addr=");
  }
  for (const auto& f : absl::GetFlag(FLAGS_approval_flags)) argv.push_back(f);
  testing::ChildProcess approval;
  const std::string log = absl::StrCat(root, "/approval.log");
  if (auto s = approval.Start(argv, {{"OW_PRINCIPAL_KEYS", keys}}, log); !s.ok()) {
    Fail(s.ToString());
  }
  auto channel = client::MakeChannel(absl::StrCat("127.0.0.1:", port));
  const absl::Time ready_by = absl::Now() + absl::Seconds(60);
  while (!client::CheckHealth(channel.get(), "", absl::Milliseconds(500)).ok()) {
    if (absl::Now() > ready_by || !approval.running()) {
      Fail(absl::StrCat("approval did not start:\n", testing::ReadFile(log)));
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  auto token_for = [&](const std::string& department) {
    return signer
        .Mint(testing::StaffPrincipal(absl::StrCat("token:bench-", department), department,
                                      {"approver"}),
              absl::Hours(2), absl::Now())
        .value_or("");
  };
  auto stub = v1::ApprovalService::NewStub(channel);

  // 3. Queue listings for the big department, idle.
  const std::string big_token = token_for(preloaded->big_department);
  std::vector<QueueKind> kinds(6);
  kinds[0].name = "first_page";
  kinds[1].name = "stage";
  kinds[1].request.set_stage("review");
  kinds[2].name = "item";
  kinds[2].request.set_implementation_code(preloaded->big_department_item);
  kinds[3].name = "due_soon";
  kinds[3].request.set_due_soon(true);
  kinds[4].name = "overdue";
  kinds[4].request.set_overdue(true);
  kinds[5].name = "page_40";
  {
    v1::ListQueueRequest page;
    for (int i = 0; i < 40; ++i) {
      v1::ListQueueResponse r;
      if (!stub->ListQueue(Context(big_token).get(), page, &r).ok()) Fail("paging");
      if (r.next_page_token().empty()) break;
      page.set_page_token(r.next_page_token());
    }
    kinds[5].request = page;
  }
  {
    v1::ListQueueResponse r;
    if (!stub->ListQueue(Context(big_token).get(), kinds[4].request, &r).ok()) Fail("overdue");
    Note(absl::StrCat("overdue page holds ", r.tasks_size(), " tasks"));
  }
  MeasureQueue(stub.get(), big_token, kinds, 20);  // warm-up
  const int rounds = absl::GetFlag(FLAGS_queue_queries);
  std::vector<double> all_idle;
  for (auto& [name, ms] : MeasureQueue(stub.get(), big_token, kinds, rounds)) {
    Figure(absl::StrCat("approval_queue_", name, "_p50"), Percentile(ms, 0.50), "ms");
    Figure(absl::StrCat("approval_queue_", name, "_p99"), Percentile(ms, 0.99), "ms");
    all_idle.insert(all_idle.end(), ms.begin(), ms.end());
  }
  Figure("approval_queue_p99_idle", Percentile(all_idle, 0.99), "ms");

  // 3b. The supervision report over every case in the store (a full scan).
  {
    const std::string op_token =
        signer
            .Mint(testing::MakePrincipal(auth::v1::OPERATOR, "bench-operator"), absl::Hours(1),
                  absl::Now())
            .value_or("");
    std::vector<double> ms;
    for (int i = 0; i < 3; ++i) {
      v1::SupervisionReport report;
      const auto start = SteadyClock::now();
      grpc::Status s = stub->GetSupervisionReport(Context(op_token).get(), {}, &report);
      ms.push_back(std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count());
      if (!s.ok()) Fail(absl::StrCat("supervision report: ", s.error_message()));
    }
    Figure("approval_supervision_report_ms", Percentile(ms, 0.5), "ms");
  }

  // 4a. The RPC path's own ceiling: a call that reads one row and writes
  // nothing (GetCase of a case that does not exist), same callers.
  {
    std::atomic<int> left{std::max(2000, decisions / 4)};
    const int calls = left;
    const auto start = SteadyClock::now();
    std::vector<std::thread> probes;
    for (int c = 0; c < clients; ++c) {
      probes.emplace_back([&] {
        while (left-- > 0) {
          v1::GetCaseRequest r;
          r.set_case_id("case_none");
          v1::Case reply;
          (void)stub->GetCase(Context(big_token).get(), r, &reply);
        }
      });
    }
    for (auto& t : probes) t.join();
    Figure("approval_rpc_floor_calls_per_second",
           calls / std::chrono::duration<double>(SteadyClock::now() - start).count(), "calls/s");
  }

  // 4. Decisions, with one caller listing the big queue meanwhile.
  std::map<std::string, std::string> tokens;
  for (const auto& task : preloaded->decision_tasks) {
    if (tokens.count(task.department) == 0) tokens[task.department] = token_for(task.department);
  }
  std::atomic<size_t> next{0};
  std::atomic<int> failures{0};
  std::mutex latencies_mu;
  std::vector<double> latencies;
  std::atomic<bool> deciding{true};
  std::vector<double> loaded_queue;
  // Staff refreshing the big queue meanwhile: a listing every 50 ms, not a
  // tight loop that would take a core from the service.
  std::thread lister([&] {
    while (deciding) {
      auto ms = MeasureQueue(stub.get(), big_token, {kinds[0], kinds[1], kinds[3]}, 1);
      for (auto& [name, values] : ms) {
        loaded_queue.insert(loaded_queue.end(), values.begin(), values.end());
      }
      absl::SleepFor(absl::Milliseconds(50));
    }
  });
  const int64_t events_before = receiver.transitions;
  const auto decide_start = SteadyClock::now();
  const testing::HostCpuTicks host_start = testing::ReadHostCpuTicks();
  const double approval_cpu_start = testing::ProcessCpuSeconds(approval.pid());
  const double self_cpu_start = testing::ProcessCpuSeconds(getpid());
  // `clients` calls in flight at all times, driven by completions (the
  // callback API: no thread per caller, so the load generator takes less of
  // the CPU the service is measured on).
  struct Pending {
    std::unique_ptr<grpc::ClientContext> context;
    v1::ApproveTaskRequest request;
    v1::DecisionResponse reply;
    SteadyClock::time_point start;
  };
  std::mutex done_mu;
  std::condition_variable done_cv;
  int in_flight = 0;
  std::function<void(size_t)> issue = [&](size_t i) {
    const auto& task = preloaded->decision_tasks[i];
    auto* call = new Pending;
    call->context = Context(tokens.at(task.department));
    call->request.set_task_id(task.task_id);
    call->start = SteadyClock::now();
    stub->async()->ApproveTask(
        call->context.get(), &call->request, &call->reply, [&, call](grpc::Status s) {
          const double ms =
              std::chrono::duration<double, std::milli>(SteadyClock::now() - call->start).count();
          if (!s.ok() && failures++ < 5) {
            std::fprintf(stderr, "approve %s: %s\n", call->request.task_id().c_str(),
                         s.error_message().c_str());
          }
          delete call;
          {
            std::lock_guard<std::mutex> lock(latencies_mu);
            latencies.push_back(ms);
          }
          const size_t following = next++;
          if (following < preloaded->decision_tasks.size()) {
            issue(following);
            return;
          }
          std::lock_guard<std::mutex> lock(done_mu);
          if (--in_flight == 0) done_cv.notify_all();
        });
  };
  int initial = 0;
  {
    std::lock_guard<std::mutex> lock(done_mu);
    for (int c = 0; c < clients; ++c) {
      const size_t i = next++;
      if (i >= preloaded->decision_tasks.size()) break;
      ++in_flight;
    }
    initial = in_flight;
  }
  for (int c = 0; c < initial; ++c) issue(c);
  {
    std::unique_lock<std::mutex> lock(done_mu);
    done_cv.wait(lock, [&] { return in_flight == 0; });
  }
  const double decide_seconds =
      std::chrono::duration<double>(SteadyClock::now() - decide_start).count();
  const double steal = testing::StealPercent(host_start, testing::ReadHostCpuTicks());
  const double approval_cpu = testing::ProcessCpuSeconds(approval.pid()) - approval_cpu_start;
  const double self_cpu = testing::ProcessCpuSeconds(getpid()) - self_cpu_start;
  deciding = false;
  lister.join();
  if (failures > 0) Note(absl::StrCat(failures.load(), " decisions failed"));
  Figure("approval_decisions", decisions, "decisions");
  Figure("approval_decisions_per_second", (decisions - failures) / decide_seconds, "decisions/s");
  Figure("approval_decision_p50", Percentile(latencies, 0.50), "ms");
  Figure("approval_decision_p99", Percentile(latencies, 0.99), "ms");
  Figure("approval_queue_p99_under_load", Percentile(loaded_queue, 0.99), "ms");
  // What a decision costs, steadier than the rate on a shared host: the
  // service's CPU (the listing under load included), and this process's
  // (the callers, the lister and the stand-in for intake and notification).
  if (decisions > 0 && approval_cpu >= 0 && self_cpu >= 0) {
    Figure("approval_cpu_ms_per_decision", approval_cpu * 1000 / decisions, "ms");
    Figure("approval_load_generator_cpu_ms_per_decision", self_cpu * 1000 / decisions, "ms");
  }
  // CPU the hypervisor gave other guests while decisions ran: above a few
  // percent the figures above read low because of the host.
  Figure("approval_host_steal_percent", steal, "%");

  // 5. The outbox drains: every decision's transitions reach "intake".
  if (absl::GetFlag(FLAGS_deliver_events)) {
    const int64_t expected = preloaded->expected_transitions;
    Figure("approval_events_delivered_during_decisions",
           static_cast<double>(receiver.transitions - events_before), "events");
    const absl::Time drain_by = absl::Now() + absl::Minutes(5);
    while (receiver.transitions - events_before < expected && absl::Now() < drain_by) {
      absl::SleepFor(absl::Milliseconds(20));
    }
    const double drain_seconds =
        std::chrono::duration<double>(SteadyClock::now() - decide_start).count();
    Figure("approval_events_delivered", static_cast<double>(receiver.transitions - events_before),
           "events");
    Figure("approval_events_expected", static_cast<double>(expected), "events");
    Figure("approval_all_events_delivered_after", drain_seconds, "s");
  }
  Figure("approval_store_size_after", DirBytes(data_dir) / 1048576.0, "MiB");
  approval.Stop(SIGTERM);
  return 0;
}

}  // namespace
}  // namespace onewindow::bench

int main(int argc, char** argv) {
  onewindow::config::SkipLockOrderChecksInRelease();
  onewindow::config::ParseFlags(argc, argv, "approval_bench [--cases=N] [--decisions=N] ...");
  return onewindow::bench::Main();
}
