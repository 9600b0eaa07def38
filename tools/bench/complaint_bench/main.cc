// complaint_bench: work orders accepted per second from a simulated 12345
// hotline, and dispatch-queue listing latency with a large store. A
// benchmark program, not a test: it prints figures,
//
//   figure: <name> <value> <unit>
//
// and judges nothing. It preloads a fresh complaint store in this process
// through complaint's own row store (--orders in all, --queue_share of them
// still waiting for dispatch), starts the complaint binary on it, then over
// gRPC:
//   - --tickets hotline tickets from --streams concurrent streams on one
//     channel, each IngestHotlineTicket acknowledged only once its group
//     commit is on disk (its WAL synced); a repeated ticket id is sent
//     now and then to exercise idempotency;
//   - --listings dispatch-queue listings (50 per page) by a dispatcher:
//     the first page and pages at random depths (keyset tokens), p50/p99.
//
//   complaint_bench                                   # 1,000,000 orders
//   complaint_bench --orders=20000 --tickets=4000 --listings=300   # seconds
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <random>
#include <thread>
#include <vector>

#include <grpcpp/client_context.h>

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
#include "libs/codes/credit_code.h"
#include "libs/config/flags.h"
#include "libs/testing/bench_output.h"
#include "libs/testing/grpc_context.h"
#include "libs/testing/principals.h"
#include "libs/testing/process.h"
#include "onewindow/complaint/v1/complaint.grpc.pb.h"
#include "tools/bench/complaint_bench/preload.h"

ABSL_FLAG(int64_t, orders, 1000000, "Work orders preloaded into the store");
ABSL_FLAG(double, queue_share, 0.02, "Share of preloaded orders waiting for dispatch");
ABSL_FLAG(int, tickets, 20000, "Hotline tickets ingested for the throughput figure");
ABSL_FLAG(int, streams, 16, "Concurrent hotline streams");
ABSL_FLAG(int, listings, 2000, "Dispatch-queue listings measured per kind");
ABSL_FLAG(std::string, dir, "", "Where the store goes (default: a temp directory, removed)");

namespace onewindow::bench {
namespace {

namespace v1 = complaint::v1;
using SteadyClock = std::chrono::steady_clock;

using testing::Fail;
using testing::Figure;
using testing::Percentile;

double Millis(SteadyClock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

// Ingests wait for their group commit's fsync: a loaded disk takes its time.
std::unique_ptr<grpc::ClientContext> Context(const std::string& token) {
  return testing::TokenContext(token, absl::Seconds(30));
}

int64_t DirBytes(const std::string& path) {
  int64_t total = 0;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    struct stat st;
    if (::stat(absl::StrCat(path, suffix).c_str(), &st) == 0) total += st.st_size;
  }
  return total;
}

void MeasureIngest(v1::ComplaintService::Stub* stub, const std::string& token) {
  const int tickets = absl::GetFlag(FLAGS_tickets);
  const int streams = std::max(1, absl::GetFlag(FLAGS_streams));
  std::atomic<int> next{0};
  std::atomic<int> failures{0};
  std::vector<std::vector<double>> latencies(streams);
  auto ticket = [](int i) {
    v1::IngestHotlineTicketRequest t;
    t.set_hotline_id("bench12345");
    // Every 50th ticket repeats an earlier id, as a hotline retrying would.
    t.set_hotline_ticket_id(absl::StrCat("B-", i % 50 == 49 ? i - 1 : i));
    t.set_kind(i % 4 == 0 ? v1::CONSULTATION : v1::COMPLAINT);
    t.set_title("市民来电反映小区供水水压不足");
    t.set_description("来电人称近一周每天早晚高峰水压明显不足，高层住户无法正常用水，请尽快处理。");
    t.set_caller_phone(absl::StrFormat("138%08d", i));
    t.mutable_location()->set_region_code("440106001001");
    return t;
  };
  // Warm-up: connections, statement caches.
  for (int i = 0; i < 100; ++i) {
    v1::WorkOrder out;
    auto t = ticket(tickets + 1000 + i);
    if (!stub->IngestHotlineTicket(Context(token).get(), t, &out).ok()) Fail("warm-up failed");
  }
  const auto start = SteadyClock::now();
  std::vector<std::thread> threads;
  for (int s = 0; s < streams; ++s) {
    threads.emplace_back([&, s] {
      while (true) {
        const int i = next.fetch_add(1);
        if (i >= tickets) return;
        const v1::IngestHotlineTicketRequest t = ticket(i);
        v1::WorkOrder out;
        const auto t0 = SteadyClock::now();
        grpc::Status status = stub->IngestHotlineTicket(Context(token).get(), t, &out);
        latencies[s].push_back(Millis(SteadyClock::now() - t0));
        if (!status.ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  if (failures > 0) Fail(absl::StrCat(failures.load(), " ingests failed"));
  Figure("hotline_ingest_streams", streams, "streams");
  Figure("hotline_ingest_throughput", tickets / seconds, "orders/s");
  Figure("hotline_ingest_latency_p50", Percentile(all, 0.50), "ms");
  Figure("hotline_ingest_latency_p99", Percentile(all, 0.99), "ms");
}

void MeasureQueue(v1::ComplaintService::Stub* stub, const std::string& token) {
  const int listings = absl::GetFlag(FLAGS_listings);
  // Walk the whole queue once for tokens at every depth.
  std::vector<std::string> tokens;
  v1::ListDispatchQueueRequest request;
  request.set_page_size(50);
  int64_t queued = 0;
  do {
    v1::ListWorkOrdersResponse page;
    grpc::Status s = stub->ListDispatchQueue(Context(token).get(), request, &page);
    if (!s.ok()) Fail(absl::StrCat("queue walk: ", s.error_message()));
    queued += page.work_orders_size();
    if (!page.next_page_token().empty()) tokens.push_back(page.next_page_token());
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  Figure("dispatch_queue_length", static_cast<double>(queued), "orders");

  std::mt19937 rng(3);
  auto measure = [&](const std::string& name, bool deep) {
    std::vector<double> ms;
    for (int i = 0; i < listings; ++i) {
      v1::ListDispatchQueueRequest r;
      r.set_page_size(50);
      if (deep && !tokens.empty()) r.set_page_token(tokens[rng() % tokens.size()]);
      v1::ListWorkOrdersResponse page;
      const auto t0 = SteadyClock::now();
      grpc::Status s = stub->ListDispatchQueue(Context(token).get(), r, &page);
      ms.push_back(Millis(SteadyClock::now() - t0));
      if (!s.ok() || page.work_orders_size() == 0)
        Fail(absl::StrCat(name, ": ", s.error_message()));
    }
    Figure(absl::StrCat(name, "_p50"), Percentile(ms, 0.50), "ms");
    Figure(absl::StrCat(name, "_p99"), Percentile(ms, 0.99), "ms");
  };
  measure("dispatch_queue_first_page", false);
  measure("dispatch_queue_deep_page", true);
}

int Run() {
  const int64_t orders = absl::GetFlag(FLAGS_orders);
  testing::TempDir temp;
  const std::string root =
      absl::GetFlag(FLAGS_dir).empty() ? temp.path() : absl::GetFlag(FLAGS_dir);
  const std::string data_dir = absl::StrCat(root, "/complaint");
  ::mkdir(root.c_str(), 0700);
  ::mkdir(data_dir.c_str(), 0700);
  const std::string db_path = absl::StrCat(data_dir, "/complaint.db");

  // 1. Preload.
  PreloadSpec spec;
  spec.path = db_path;
  spec.orders = orders;
  spec.queue_share = absl::GetFlag(FLAGS_queue_share);
  spec.now = absl::Now();
  const auto load_start = SteadyClock::now();
  absl::StatusOr<Preloaded> preloaded = Preload(spec);
  if (!preloaded.ok()) Fail(absl::StrCat("preload: ", preloaded.status().ToString()));
  const double load_seconds =
      std::chrono::duration<double>(SteadyClock::now() - load_start).count();
  Figure("complaint_preload_orders", static_cast<double>(orders), "orders");
  Figure("complaint_preload_rate", orders / load_seconds, "orders/s");
  Figure("complaint_store_size", DirBytes(db_path) / 1048576.0, "MiB");

  // 2. Start complaint on it.
  const std::string keys = absl::StrCat("bench:", absl::Base64Escape(auth::RandomBytes(32)));
  auto ring = auth::KeyRing::Parse(keys);
  if (!ring.ok()) Fail(ring.status().ToString());
  auth::TokenSigner signer(*ring);
  const std::string first17 = "11440100999999MB2";
  const std::string centre = first17 + codes::CreditCodeCheckChar(first17);
  const int port = testing::FreePort();
  testing::ChildProcess complaint;
  const std::string log = absl::StrCat(root, "/complaint.log");
  // Nothing listens on the notification address: events (there are few:
  // hotline callers have no account) wait in the outbox.
  if (auto s = complaint.Start(
          {absl::StrCat(OW_BINARY_DIR, "/services/complaint/complaint"),
           absl::StrCat("--listen=127.0.0.1:", port),
           absl::StrCat("--metrics_listen=127.0.0.1:", testing::FreePort()),
           absl::StrCat("--data_dir=", data_dir), "--drain_seconds=3", "--log_level=warn",
           absl::StrCat("--calendar_dir=", OW_SOURCE_DIR, "/deploy/calendar"),
           absl::StrCat("--dispatch_departments=", centre),
           absl::StrCat("--notification_addr=127.0.0.1:", testing::FreePort()),
           absl::StrCat("--identity_addr=127.0.0.1:", testing::FreePort())},
          {{"OW_PRINCIPAL_KEYS", keys}}, log);
      !s.ok()) {
    Fail(s.ToString());
  }
  auto channel = client::MakeChannel(absl::StrCat("127.0.0.1:", port));
  const absl::Time ready_by = absl::Now() + absl::Seconds(120);
  while (!client::CheckHealth(channel.get(), "", absl::Milliseconds(500)).ok()) {
    if (absl::Now() > ready_by || !complaint.running()) {
      Fail(absl::StrCat("complaint did not start:\n", testing::ReadFile(log)));
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  auto stub = v1::ComplaintService::NewStub(channel);
  const auth::v1::Principal hotline = testing::MakePrincipal(auth::v1::SERVICE, "bench12345");
  const auth::v1::Principal dispatcher =
      testing::StaffPrincipal("dispatcher-1", centre, {"complaint_handler"});
  const std::string hotline_token = *signer.Mint(hotline, absl::Hours(2), absl::Now());
  const std::string dispatcher_token = *signer.Mint(dispatcher, absl::Hours(2), absl::Now());

  // 3. Measure.
  MeasureQueue(stub.get(), dispatcher_token);
  MeasureIngest(stub.get(), hotline_token);
  complaint.Stop(SIGTERM);
  return 0;
}

}  // namespace
}  // namespace onewindow::bench

int main(int argc, char** argv) {
  onewindow::config::SkipLockOrderChecksInRelease();
  onewindow::config::ParseFlags(argc, argv, "complaint_bench: hotline ingest and dispatch queue");
  return onewindow::bench::Run();
}
