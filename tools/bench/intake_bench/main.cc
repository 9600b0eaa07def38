// intake_bench: how many submissions intake acknowledges per second, and how
// long each takes, with --clients concurrent clients each submitting one
// application after another (a fresh idempotency key each, two materials
// uploaded beforehand per client). Two phases in one run:
//
//   grpc     SubmitApplication straight to intake (callback stubs, each
//            client its own channel and citizen principal, the next call
//            started from the last one's completion)
//   gateway  POST /api/v1/applications through the gateway (one keep-alive
//            connection per client, each a signed-in citizen with a session)
//
// An acknowledged submission is on disk: intake commits in groups, and each
// group's WAL is synced before it is answered, so concurrent submissions
// share one fsync. The outbox
// relay runs as in production, delivering each hand-off to a receiver inside
// this program that answers OK at once, so its work is part of what is
// measured. Prints, per phase,
//
//   figure: <phase>_submissions_per_second <value> /s
//   figure: <phase>_p50_ms, <phase>_p99_ms
//   figure: <phase>_intake_cpu_ms_per_submission (and gateway's)
//   figure: <phase>_host_steal_percent: CPU the hypervisor gave other
//           guests during the window (a slow run with high steal is the
//           host, not the code)
//   figure: <phase>_handoff_drain_seconds: after the clients stop, until
//           approval's receiver holds a hand-off for every acknowledged
//           submission (near 0 when the relay keeps pace)
//
// and, for scale, fsync_loop_transactions_per_second: single-row
// synchronous=FULL transactions per second on this disk, one fsync each;
// and exits 1 if any submission failed (figures from such a run are not to
// be quoted). It starts its own redis-server, identity, catalog, intake and
// gateway from the build tree on free ports, with logs at warn.
//
//   intake_bench                       # 10 s per phase, 16 clients
//   intake_bench --seconds=2           # a quick look
//   intake_bench --phases=grpc --seconds=30
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <google/protobuf/arena.h>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/blocking_counter.h"
#include "absl/time/clock.h"
#include "libs/client/channels.h"
#include "libs/codes/resident_id.h"
#include "libs/config/flags.h"
#include "libs/testing/accounts.h"
#include "libs/testing/bench_output.h"
#include "libs/testing/fake_pdf.h"
#include "libs/testing/fsync_probe.h"
#include "libs/testing/grpc_context.h"
#include "libs/testing/grpc_server.h"
#include "libs/testing/http_client.h"
#include "libs/testing/json_fields.h"
#include "libs/testing/principals.h"
#include "libs/testing/process_cpu.h"
#include "libs/testing/stack.h"
#include "onewindow/approval/v1/approval.grpc.pb.h"
#include "onewindow/intake/v1/intake.grpc.pb.h"
#include "onewindow/notification/v1/notification.grpc.pb.h"
#include "tests/unit/intake_guide.h"

ABSL_FLAG(double, seconds, 10, "Measured seconds per phase");
ABSL_FLAG(double, warmup_seconds, 1, "Unmeasured load before each phase's window");
ABSL_FLAG(int, clients, 16, "Concurrent clients, each with one submission outstanding");
ABSL_FLAG(std::vector<std::string>, phases, std::vector<std::string>({"grpc", "gateway"}),
          "Phases to run, in this order: grpc, gateway");
ABSL_FLAG(std::vector<std::string>, intake_flags, {}, "Extra flags for intake, comma-separated");

namespace onewindow::bench {
namespace {

using Clock = std::chrono::steady_clock;

using testing::Fail;
using testing::FakePdf;
using testing::Figure;
using testing::JsonField;
using testing::Note;
using testing::Percentile;

// The hand-off receivers, answering at once. Callback handlers answer on
// the thread that read the call, where sync ones hand every batch to a
// pool thread and back, CPU the measured service shares this host with.
class Sink final : public approval::v1::ApprovalService::CallbackService,
                   public notification::v1::NotificationService::CallbackService {
 public:
  grpc::ServerUnaryReactor* OpenCase(grpc::CallbackServerContext* context,
                                     const approval::v1::OpenCaseRequest*,
                                     approval::v1::Case*) override {
    opened.fetch_add(1, std::memory_order_relaxed);
    return Answered(context);
  }
  grpc::ServerUnaryReactor* Notify(grpc::CallbackServerContext* context,
                                   const notification::v1::NotifyRequest*,
                                   notification::v1::NotifyResponse*) override {
    return Answered(context);
  }
  // The batch methods intake's relay uses, answering every event applied.
  grpc::ServerUnaryReactor* OpenCases(grpc::CallbackServerContext* context,
                                      const approval::v1::OpenCasesRequest* request,
                                      api::v1::HandoffResults* response) override {
    opened.fetch_add(request->cases_size(), std::memory_order_relaxed);
    for (int i = 0; i < request->cases_size(); ++i) response->add_results();
    return Answered(context);
  }
  grpc::ServerUnaryReactor* NotifyBatch(grpc::CallbackServerContext* context,
                                        const notification::v1::NotifyBatchRequest* request,
                                        api::v1::HandoffResults* response) override {
    for (int i = 0; i < request->notifications_size(); ++i) response->add_results();
    return Answered(context);
  }
  std::atomic<int64_t> opened{0};

 private:
  static grpc::ServerUnaryReactor* Answered(grpc::CallbackServerContext* context) {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

// A CPU figure from a process whose time cannot be read would be 0 or
// nonsense: stop instead.
double CpuSeconds(pid_t pid) {
  const double seconds = testing::ProcessCpuSeconds(pid);
  if (seconds < 0) Fail(absl::StrCat("cannot read the CPU time of process ", pid));
  return seconds;
}

// What the clients of one phase saw in the measured window.
struct Tally {
  std::vector<uint32_t> latency_us;
  uint64_t errors = 0;
  std::string first_error;
  // The host's CPU taken by other guests during the window.
  double steal_percent = 0;

  // One submission's end; its latency counts only inside the window.
  void Record(bool ok, const std::string& error, Clock::time_point start, bool measuring) {
    if (!ok) {
      ++errors;
      if (first_error.empty()) first_error = error;
    } else if (measuring) {
      latency_us.push_back(static_cast<uint32_t>(
          std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count()));
    }
  }
};

// Warm-up, then the measured window (phase 1) bracketed by `on_window`,
// then phase 2 (stop). Returns the host's steal over the window.
double RunWindow(std::atomic<int>& phase, const std::function<void(bool)>& on_window) {
  absl::SleepFor(absl::Seconds(absl::GetFlag(FLAGS_warmup_seconds)));
  on_window(true);
  const testing::HostCpuTicks host_start = testing::ReadHostCpuTicks();
  phase = 1;
  absl::SleepFor(absl::Seconds(absl::GetFlag(FLAGS_seconds)));
  phase = 2;
  const testing::HostCpuTicks host_end = testing::ReadHostCpuTicks();
  on_window(false);
  return testing::StealPercent(host_start, host_end);
}

// The clients' tallies as one.
Tally Merge(const std::vector<Tally>& tallies, double steal_percent) {
  Tally all;
  for (const auto& t : tallies) {
    all.latency_us.insert(all.latency_us.end(), t.latency_us.begin(), t.latency_us.end());
    all.errors += t.errors;
    if (all.first_error.empty()) all.first_error = t.first_error;
  }
  all.steal_percent = steal_percent;
  return all;
}

// Runs `submit(client, n)` (true on success) from one thread per client:
// warm-up, then the measured window, which `on_window(true)` and
// `on_window(false)` bracket.
Tally Drive(int clients, const std::function<bool(int, int64_t, std::string*)>& submit,
            const std::function<void(bool)>& on_window) {
  std::atomic<int> phase{0};  // 0 warm-up, 1 measuring, 2 stop
  std::vector<Tally> tallies(clients);
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      Tally& t = tallies[c];
      for (int64_t n = 0; phase.load() < 2; ++n) {
        const auto start = Clock::now();
        std::string error;
        const bool ok = submit(c, n, &error);
        t.Record(ok, error, start, phase.load() == 1);
      }
    });
  }
  const double steal = RunWindow(phase, on_window);
  for (auto& t : threads) t.join();
  return Merge(tallies, steal);
}

// Drive's contract with the calls made on gRPC's own threads:
// `submit(client, n, done)` starts one submission and returns at once;
// `done(ok, error)` follows when it is answered. Each client starts its next
// submission from the previous one's `done`, so no thread per client waits
// on a call: the load generator spends its CPU on calls, not wake-ups, and
// leaves more of the machine to what is measured.
using AsyncDone = std::function<void(bool ok, const std::string& error)>;
Tally DriveAsync(int clients, const std::function<void(int, int64_t, AsyncDone)>& submit,
                 const std::function<void(bool)>& on_window) {
  std::atomic<int> phase{0};  // 0 warm-up, 1 measuring, 2 stop
  std::vector<Tally> tallies(clients);
  absl::BlockingCounter stopped(clients);
  // One chain of calls per client; a client's calls never overlap, so its
  // Tally needs no lock.
  std::function<void(int, int64_t)> next = [&](int c, int64_t n) {
    const auto start = Clock::now();
    submit(c, n, [&, c, n, start](bool ok, const std::string& error) {
      tallies[c].Record(ok, error, start, phase.load() == 1);
      if (phase.load() < 2) {
        next(c, n + 1);
      } else {
        stopped.DecrementCount();
      }
    });
  };
  for (int c = 0; c < clients; ++c) next(c, 0);
  const double steal = RunWindow(phase, on_window);
  stopped.Wait();
  return Merge(tallies, steal);
}

bool any_errors = false;

void Report(const std::string& phase, const Tally& tally, double intake_cpu, double gateway_cpu) {
  any_errors |= tally.errors > 0;
  const double n = static_cast<double>(tally.latency_us.size());
  const double seconds = absl::GetFlag(FLAGS_seconds);
  std::vector<double> latency_ms;
  latency_ms.reserve(tally.latency_us.size());
  for (uint32_t us : tally.latency_us) latency_ms.push_back(us / 1000.0);
  Figure(phase + "_submissions_per_second", n / seconds, "/s");
  Figure(phase + "_p50_ms", Percentile(latency_ms, 0.50), "ms");
  Figure(phase + "_p99_ms", Percentile(std::move(latency_ms), 0.99), "ms");
  if (n > 0) {
    Figure(phase + "_intake_cpu_ms_per_submission", intake_cpu * 1000 / n, "ms");
    if (gateway_cpu > 0) {
      Figure(phase + "_gateway_cpu_ms_per_submission", gateway_cpu * 1000 / n, "ms");
    }
  }
  Figure(phase + "_errors", static_cast<double>(tally.errors), "");
  // Above a few percent the host is lending this machine's CPUs to others,
  // and the figures above read low.
  Figure(phase + "_host_steal_percent", tally.steal_percent, "%");
  if (tally.errors > 0) Note(absl::StrCat(phase, " first error: ", tally.first_error));
}

// A valid resident id, distinct per `n`.
std::string ResidentId(int n) {
  const std::string first17 = absl::StrFormat("11010519900101%03d", n + 100);
  return first17 + codes::ResidentIdCheckChar(first17);
}

int Main() {
  const int clients = std::max(1, absl::GetFlag(FLAGS_clients));
  const auto phases = absl::GetFlag(FLAGS_phases);
  const bool gateway = std::find(phases.begin(), phases.end(), "gateway") != phases.end();

  Sink sink;
  auto sink_server = testing::InProcessServer::Start(
      {static_cast<approval::v1::ApprovalService::CallbackService*>(&sink),
       static_cast<notification::v1::NotificationService::CallbackService*>(&sink)});
  if (!sink_server.ok()) Fail(absl::StrCat("hand-off receiver: ", sink_server.status().ToString()));

  testing::StackOptions options;
  options.backends = gateway ? std::vector<std::string>{"identity", "catalog", "intake"}
                             : std::vector<std::string>{"catalog", "intake"};
  options.gateway = gateway;
  options.redis = gateway;
  const std::string sink_address = (*sink_server)->address();
  for (const auto& name : {"identity", "catalog", "intake", "gateway"}) {
    options.extra_flags[name] = {"--log_level=warn"};
  }
  auto& intake_flags = options.extra_flags["intake"];
  intake_flags.push_back(absl::StrCat("--approval_addr=", sink_address));
  intake_flags.push_back(absl::StrCat("--notification_addr=", sink_address));
  intake_flags.push_back(absl::StrCat("--calendar_dir=", OW_SOURCE_DIR, "/deploy/calendar"));
  for (const auto& f : absl::GetFlag(FLAGS_intake_flags)) intake_flags.push_back(f);
  // The bench is one client address and few sessions: lift the limits.
  options.extra_flags["gateway"].insert(
      options.extra_flags["gateway"].end(),
      {"--rate_per_client=1000000", "--burst_per_client=1000000", "--rate_per_session=1000000",
       "--burst_per_session=1000000", "--login_rate_per_client=1000",
       "--login_burst_per_client=1000"});
  auto started = testing::Stack::Start(options);
  if (!started.ok()) Fail(started.status().ToString());
  std::unique_ptr<testing::Stack> stack = *std::move(started);

  auto catalog =
      catalog::v1::CatalogService::NewStub(client::MakeChannel(stack->Address("catalog")));
  absl::StatusOr<int64_t> revision =
      intake::test::PublishTestItem(catalog.get(), stack->AdminToken());
  if (!revision.ok()) Fail(revision.status().ToString());

  auto intake = intake::v1::IntakeService::NewStub(client::MakeChannel(stack->Address("intake")));
  auto upload = [&](const std::string& token, const std::string& bytes) {
    intake::v1::Material material;
    auto context = testing::TokenContext(token);
    auto writer = intake->UploadMaterial(context.get(), &material);
    intake::v1::UploadMaterialRequest message;
    message.mutable_header()->set_file_name("scan.pdf");
    writer->Write(message);
    message.set_chunk(bytes);
    writer->Write(message);
    writer->WritesDone();
    grpc::Status s = writer->Finish();
    if (!s.ok()) Fail(absl::StrCat("upload: ", s.error_message()));
    return material.material_id();
  };
  auto request = [&](const std::string& key, const std::string& form, const std::string& licence) {
    intake::v1::SubmitApplicationRequest r;
    r.set_request_id(key);
    r.set_implementation_code(intake::test::ImplementationCode());
    r.set_catalog_revision(*revision);
    (*r.mutable_form())["shop_name"] = "老街面馆";
    (*r.mutable_form())["address"] = "广州市天河区天河路1号";
    auto* f = r.add_materials();
    f->set_guide_material_id("form");
    f->set_material_id(form);
    auto* l = r.add_materials();
    l->set_guide_material_id("licence");
    l->set_material_id(licence);
    return r;
  };
  const pid_t intake_pid = stack->pid("intake");
  const pid_t gateway_pid = gateway ? stack->pid("gateway") : -1;
  Note(absl::StrCat(clients, " clients, ", absl::GetFlag(FLAGS_seconds),
                    " s measured per phase, two pre-uploaded materials each"));
  {
    // What one fsync costs on this disk: a group commit waits for one.
    testing::TempDir probe_dir;
    auto fsyncs = testing::FsyncLoopTransactionsPerSecond(probe_dir.path(), absl::Seconds(1));
    if (!fsyncs.ok()) Fail(fsyncs.status().ToString());
    Figure("fsync_loop_transactions_per_second", *fsyncs, "/s");
  }

  // Every acknowledged submission owes approval one hand-off. How long the
  // relay takes, once the clients stop, to deliver the last of them shows
  // whether hand-offs kept pace with acknowledgements or piled up.
  std::atomic<int64_t> acknowledged{0};
  auto ReportHandoffDrain = [&](const std::string& phase) {
    const absl::Time stopped = absl::Now();
    const absl::Time give_up = stopped + absl::Seconds(300);
    while (sink.opened.load() < acknowledged.load() && absl::Now() < give_up) {
      absl::SleepFor(absl::Milliseconds(5));
    }
    Figure(phase + "_handoff_drain_seconds", absl::ToDoubleSeconds(absl::Now() - stopped), "s");
  };

  for (const std::string& phase : phases) {
    if (phase == "grpc") {
      struct Client {
        std::string token, form, licence;
        std::unique_ptr<intake::v1::IntakeService::Stub> stub;
      };
      std::vector<Client> cs(clients);
      for (int c = 0; c < clients; ++c) {
        cs[c].token =
            stack->Token(testing::MakePrincipal(auth::v1::CITIZEN, absl::StrCat("acc_bench_", c)),
                         absl::Hours(1));
        cs[c].form = upload(cs[c].token, FakePdf(200 << 10));
        cs[c].licence = upload(cs[c].token, FakePdf(100 << 10));
        // A channel per client. gRPC still carries them all over one
        // connection (channels with equal settings share it), as the
        // gateway's calls to intake are; a connection each measured more
        // CPU per submission on both sides (0.33 against 0.30 ms in intake).
        cs[c].stub = intake::v1::IntakeService::NewStub(
            client::MakeChannel(stack->Address("intake"), {absl::Seconds(10), 2}));
      }
      double cpu = 0, self = 0;
      // The answer is parsed into an arena, freed in one go with the call
      // rather than message by message (parsing and freeing answers were
      // a sixth of this process's profile).
      struct InFlight {
        std::unique_ptr<grpc::ClientContext> context;
        intake::v1::SubmitApplicationRequest request;
        google::protobuf::Arena arena;
        intake::v1::Application* answer =
            google::protobuf::Arena::CreateMessage<intake::v1::Application>(&arena);
      };
      Tally tally = DriveAsync(
          clients,
          [&](int c, int64_t n, AsyncDone done) {
            auto call = std::make_shared<InFlight>();
            call->context = testing::TokenContext(cs[c].token);
            call->request = request(absl::StrCat("g", c, "-", n), cs[c].form, cs[c].licence);
            cs[c].stub->async()->SubmitApplication(
                call->context.get(), &call->request, call->answer,
                [&acknowledged, call, done = std::move(done)](grpc::Status s) {
                  if (s.ok()) acknowledged.fetch_add(1);
                  done(s.ok(), s.error_message());
                });
          },
          [&](bool start) {
            cpu = CpuSeconds(intake_pid) - (start ? 0 : cpu);
            self = CpuSeconds(getpid()) - (start ? 0 : self);
          });
      const double n = static_cast<double>(tally.latency_us.size());
      Report("grpc", tally, cpu, 0);
      ReportHandoffDrain("grpc");
      if (n > 0) Figure("grpc_load_generator_cpu_ms_per_submission", self * 1000 / n, "ms");
    } else if (phase == "gateway") {
      struct Client {
        testing::SignedInCitizen session;
        std::string form, licence;
        std::unique_ptr<testing::HttpConnection> http;
      };
      std::vector<Client> cs(clients);
      const int port = stack->gateway_port();
      for (int c = 0; c < clients; ++c) {
        testing::NewCitizen citizen;
        citizen.resident_id = ResidentId(c);
        citizen.phone = absl::StrFormat("1380000%04d", c);
        citizen.name = "测试";
        auto session = testing::RegisterAndSignIn(port, citizen);
        if (!session.ok()) Fail(session.status().ToString());
        cs[c].session = *std::move(session);
        cs[c].http = std::make_unique<testing::HttpConnection>(port);
        for (auto* slot : {&cs[c].form, &cs[c].licence}) {
          auto up = cs[c].http->Request("POST", "/api/v1/materials?fileName=scan.pdf",
                                        FakePdf(150 << 10), cs[c].session.headers());
          if (!up.ok() || up->status != 200) Fail("upload through the gateway");
          *slot = JsonField(up->body, "materialId");
        }
      }
      double intake_cpu = 0, gateway_cpu = 0, self = 0;
      Tally tally = Drive(
          clients,
          [&](int c, int64_t n, std::string* error) {
            const std::string body = absl::StrCat(
                R"({"implementationCode":")", intake::test::ImplementationCode(),
                R"(","catalogRevision":")", *revision,
                R"(","form":{"shop_name":"老街面馆","address":"广州市天河区天河路1号"},"materials":[)",
                R"({"guideMaterialId":"form","materialId":")", cs[c].form, R"("},)",
                R"({"guideMaterialId":"licence","materialId":")", cs[c].licence, R"("}]})");
            testing::Headers headers = cs[c].session.headers();
            headers.emplace_back("Content-Type", "application/json");
            headers.emplace_back("Idempotency-Key", absl::StrCat("h", c, "-", n));
            auto r = cs[c].http->Request("POST", "/api/v1/applications", body, headers);
            if (!r.ok()) {
              *error = r.status().ToString();
              return false;
            }
            if (r->status != 200) *error = absl::StrCat(r->status, " ", r->body);
            if (r->status == 200) acknowledged.fetch_add(1);
            return r->status == 200;
          },
          [&](bool start) {
            intake_cpu = CpuSeconds(intake_pid) - (start ? 0 : intake_cpu);
            gateway_cpu = CpuSeconds(gateway_pid) - (start ? 0 : gateway_cpu);
            self = CpuSeconds(getpid()) - (start ? 0 : self);
          });
      const double n = static_cast<double>(tally.latency_us.size());
      Report("gateway", tally, intake_cpu, gateway_cpu);
      ReportHandoffDrain("gateway");
      if (n > 0) Figure("gateway_load_generator_cpu_ms_per_submission", self * 1000 / n, "ms");
    } else {
      Fail(absl::StrCat("unknown phase ", phase));
    }
  }
  Note(absl::StrCat("hand-offs delivered to the receiver so far: ", sink.opened.load()));
  return any_errors ? 1 : 0;
}

}  // namespace
}  // namespace onewindow::bench

int main(int argc, char** argv) {
  onewindow::config::SkipLockOrderChecksInRelease();
  onewindow::config::ParseFlags(argc, argv,
                                "intake_bench: acknowledged submissions per second, gRPC and "
                                "through the gateway");
  return onewindow::bench::Main();
}
