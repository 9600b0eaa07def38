// gateway_bench: what the gateway costs. One catalog GET,
//
//   GET /api/v1/regions/440100000000   (public route, CatalogService/GetRegion)
//
// is driven through the gateway over --connections keep-alive HTTP/1.1
// connections (an asynchronous Beast client, each connection sending its next
// request as soon as the last answer arrived), and then, in the same run, the
// same request goes straight to catalog over gRPC with as many calls
// outstanding. For each phase: requests/s and p50/p99 latency, and CPU time
// per request of every process involved, read from /proc/<pid>/stat before
// and after the measured window. A benchmark program, not a test: it prints
// figures, one per line,
//
//   figure: <name> <value> <unit>
//
// It starts its own redis-server, catalog and gateway (build tree binaries,
// free ports, --log_level=warn, per-client rate limit lifted). Errors (non-200
// answers, non-OK statuses, broken connections) are printed as figures and
// make it exit 1: figures from a run with errors are not to be quoted.
//
//   gateway_bench                                  # 10 s per phase, 64 connections
//   gateway_bench --seconds=3 --connections=32
//   gateway_bench --gateway_flags=--io_threads=1   # extra gateway flags
//   gateway_bench --phases=direct --seconds=30      # one phase, e.g. under perf
#include <sys/resource.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/client_context.h>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "libs/client/channels.h"
#include "libs/config/flags.h"
#include "libs/testing/bench_output.h"
#include "libs/testing/demo_regions.h"
#include "libs/testing/grpc_context.h"
#include "libs/testing/http_client.h"
#include "libs/testing/process_cpu.h"
#include "libs/testing/stack.h"
#include "onewindow/catalog/v1/catalog.grpc.pb.h"

ABSL_FLAG(double, seconds, 10, "Measured seconds per phase (gateway, then direct gRPC)");
ABSL_FLAG(double, warmup_seconds, 1, "Unmeasured load before each phase's window");
ABSL_FLAG(int, connections, 64,
          "Keep-alive HTTP connections to the gateway; also the gRPC calls kept outstanding");
ABSL_FLAG(int, client_threads, 1, "io_context threads of the HTTP load generator");
ABSL_FLAG(std::string, grpc_client, "callback",
          "Direct phase client: 'callback' (calls outstanding on the callback API) or "
          "'sync' (one thread per call with a blocking stub)");
ABSL_FLAG(std::vector<std::string>, phases, std::vector<std::string>({"gateway", "direct"}),
          "Phases to run, in this order: gateway, direct (one alone, e.g. to profile it)");
ABSL_FLAG(std::string, region, "440100000000", "Region code requested");
ABSL_FLAG(std::vector<std::string>, gateway_flags, {},
          "Extra flags for the gateway, comma-separated");
ABSL_FLAG(std::vector<std::string>, catalog_flags, {}, "Extra flags for catalog, comma-separated");

namespace onewindow::bench {
namespace {

namespace v1 = catalog::v1;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr char kRequestId[] = "gateway-bench";
// A call slower than this counts as an error rather than holding the drain.
constexpr absl::Duration kCallTimeout = absl::Seconds(5);

using testing::Fail;
using testing::Figure;
using testing::Note;
using testing::ProcessCpuSeconds;

// What one connection (or one chain of gRPC calls) saw. Touched by one
// thread at a time: a connection's handlers run one after another.
struct Tally {
  std::vector<uint32_t> latency_us;  // measured window only
  uint64_t completed = 0;            // measured window only, errors included
  uint64_t errors = 0;               // whole run: non-200 / non-OK answers
  uint64_t transport_errors = 0;     // whole run: broken connections, failed connects
  uint64_t reconnects = 0;           // whole run: the server closed a keep-alive connection
  std::map<std::string, uint64_t> error_kinds;

  void Merge(const Tally& o) {
    latency_us.insert(latency_us.end(), o.latency_us.begin(), o.latency_us.end());
    completed += o.completed;
    errors += o.errors;
    transport_errors += o.transport_errors;
    reconnects += o.reconnects;
    for (const auto& [k, n] : o.error_kinds) error_kinds[k] += n;
  }
};

uint32_t MicrosSince(Clock::time_point start) {
  return static_cast<uint32_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count());
}

// A load generator: keeps its requests outstanding from Start() until
// Drain(); counts what completes while recording.
class Driver {
 public:
  virtual ~Driver() = default;
  virtual void Start() = 0;
  // Stops issuing and waits until nothing is in flight. False if the grace
  // period ended first.
  virtual bool Drain(absl::Duration grace) = 0;
  virtual Tally Collect() const = 0;
  void Record(bool on) { recording_.store(on, std::memory_order_relaxed); }

 protected:
  bool recording() const { return recording_.load(std::memory_order_relaxed); }
  bool stopping() const { return stopping_.load(std::memory_order_relaxed); }
  std::atomic<bool> recording_{false};
  std::atomic<bool> stopping_{false};
};

// --- HTTP through the gateway -------------------------------------------

class HttpDriver : public Driver {
 public:
  HttpDriver(int port, const std::string& target, int connections, int threads)
      : endpoint_(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)),
        // Serialized once: the generator shares the machine with what it
        // measures, so it does as little per request as it can.
        request_(absl::StrCat("GET ", target,
                              " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n"
                              "User-Agent: gateway_bench\r\nX-Request-Id: ",
                              kRequestId, "\r\n\r\n")) {
    for (int i = 0; i < std::max(1, threads); ++i) {
      ios_.push_back(std::make_unique<net::io_context>(1));
    }
    for (int i = 0; i < connections; ++i) {
      conns_.push_back(std::make_unique<Conn>(this, *ios_[i % ios_.size()]));
    }
  }

  ~HttpDriver() override {
    for (auto& io : ios_) io->stop();
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

  void Start() override {
    live_ = static_cast<int>(conns_.size());
    for (auto& c : conns_) net::post(c->io, [conn = c.get()] { conn->Connect(); });
    for (auto& io : ios_) threads_.emplace_back([io = io.get()] { io->run(); });
  }

  bool Drain(absl::Duration grace) override {
    stopping_.store(true);
    const absl::Time deadline = absl::Now() + grace;
    while (live_.load() > 0 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(5));
    const bool drained = live_.load() == 0;
    for (auto& io : ios_) io->stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
    return drained;
  }

  Tally Collect() const override {
    Tally all;
    for (const auto& c : conns_) all.Merge(c->tally);
    return all;
  }

 private:
  struct Conn {
    Conn(HttpDriver* d, net::io_context& context) : driver(d), io(context), socket(io), timer(io) {}

    void Connect() {
      if (driver->stopping()) return Retire();
      socket = tcp::socket(io);
      socket.async_connect(driver->endpoint_, [this](beast::error_code ec) {
        if (ec) return Broken("connect", ec);
        socket.set_option(tcp::no_delay(true), ec);
        Send();
      });
    }

    void Send() {
      if (driver->stopping()) return Retire();
      sent = Clock::now();
      net::async_write(socket, net::buffer(driver->request_), [this](beast::error_code ec, size_t) {
        if (ec) return Broken("write", ec);
        parser.emplace();
        parser->body_limit(1 << 20);
        http::async_read(socket, buffer, *parser,
                         [this](beast::error_code ec, size_t) { OnRead(ec); });
      });
    }

    void OnRead(beast::error_code ec) {
      if (ec) return Broken("read", ec);
      const uint32_t us = MicrosSince(sent);
      const auto& res = parser->get();
      if (driver->recording()) {
        ++tally.completed;
        tally.latency_us.push_back(us);
      }
      if (res.result_int() != 200) {
        ++tally.errors;
        ++tally.error_kinds[absl::StrCat("HTTP ", res.result_int())];
      }
      if (!res.keep_alive()) {
        ++tally.reconnects;
        beast::error_code ignored;
        socket.close(ignored);
        return Connect();
      }
      Send();
    }

    // A broken connection: counted, then a fresh one after a pause (so a
    // dead gateway does not turn the generator into a busy loop).
    void Broken(const char* what, beast::error_code ec) {
      if (driver->stopping()) return Retire();
      ++tally.transport_errors;
      ++tally.error_kinds[absl::StrCat(what, ": ", ec.message())];
      beast::error_code ignored;
      socket.close(ignored);
      timer.expires_after(std::chrono::milliseconds(50));
      timer.async_wait([this](beast::error_code) { Connect(); });
    }

    void Retire() {
      beast::error_code ignored;
      socket.close(ignored);
      driver->live_.fetch_sub(1);
    }

    HttpDriver* driver;
    net::io_context& io;
    tcp::socket socket;
    net::steady_timer timer;
    beast::flat_buffer buffer;
    std::optional<http::response_parser<http::string_body>> parser;
    Clock::time_point sent;
    Tally tally;
  };

  const tcp::endpoint endpoint_;
  const std::string request_;
  std::vector<std::unique_ptr<net::io_context>> ios_;
  std::vector<std::unique_ptr<Conn>> conns_;
  std::vector<std::thread> threads_;
  std::atomic<int> live_{0};
};

// --- gRPC straight to catalog --------------------------------------------

std::unique_ptr<grpc::ClientContext> DirectContext() {
  testing::CallOptions options;
  options.timeout = kCallTimeout;
  // The gateway sends one too; the same metadata keeps the calls alike.
  options.request_id = kRequestId;
  return testing::CallContext(options);
}

void Count(Tally* tally, const grpc::Status& status, uint32_t us, bool recording) {
  if (recording) {
    ++tally->completed;
    tally->latency_us.push_back(us);
  }
  if (!status.ok()) {
    ++tally->errors;
    ++tally->error_kinds[absl::StrCat("gRPC code ", static_cast<int>(status.error_code()), ": ",
                                      status.error_message())];
  }
}

// Calls kept outstanding on the callback API: each completion starts the
// next call of its chain, on whichever gRPC thread ran the completion.
class GrpcCallbackDriver : public Driver {
 public:
  GrpcCallbackDriver(v1::CatalogService::Stub* stub, v1::GetRegionRequest request, int calls)
      : stub_(stub), request_(std::move(request)), slots_(static_cast<size_t>(calls)) {}

  void Start() override {
    live_ = static_cast<int>(slots_.size());
    for (Slot& s : slots_) Issue(&s);
  }

  bool Drain(absl::Duration grace) override {
    stopping_.store(true);
    std::unique_lock<std::mutex> lock(mu_);
    return done_.wait_for(lock, absl::ToChronoSeconds(grace), [this] { return live_ == 0; });
  }

  Tally Collect() const override {
    Tally all;
    for (const Slot& s : slots_) all.Merge(s.tally);
    return all;
  }

 private:
  struct Slot {
    std::unique_ptr<grpc::ClientContext> context;
    // The context of the call whose completion is running: freed one call
    // later rather than from inside its own callback.
    std::unique_ptr<grpc::ClientContext> previous;
    v1::Region response;
    Clock::time_point sent;
    Tally tally;
  };

  void Issue(Slot* s) {
    // A channel that fails every call at once would recurse here; such a run
    // is void anyway, so a chain with that many errors stops.
    if (stopping() || s->tally.errors > 1000) {
      std::lock_guard<std::mutex> lock(mu_);
      if (--live_ == 0) done_.notify_all();
      return;
    }
    s->previous = std::move(s->context);
    s->context = DirectContext();
    s->response.Clear();
    s->sent = Clock::now();
    stub_->async()->GetRegion(s->context.get(), &request_, &s->response,
                              [this, s](grpc::Status status) {
                                Count(&s->tally, status, MicrosSince(s->sent), recording());
                                Issue(s);
                              });
  }

  v1::CatalogService::Stub* stub_;
  const v1::GetRegionRequest request_;
  std::vector<Slot> slots_;
  std::mutex mu_;
  std::condition_variable done_;
  int live_ = 0;  // guarded by mu_
};

// One thread per outstanding call, each with a blocking stub call in a loop.
class GrpcSyncDriver : public Driver {
 public:
  GrpcSyncDriver(v1::CatalogService::Stub* stub, v1::GetRegionRequest request, int calls)
      : stub_(stub), request_(std::move(request)), tallies_(static_cast<size_t>(calls)) {}

  ~GrpcSyncDriver() override {
    stopping_.store(true);
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

  void Start() override {
    for (Tally& tally : tallies_) {
      threads_.emplace_back([this, &tally] {
        v1::Region response;
        while (!stopping()) {
          auto context = DirectContext();
          const Clock::time_point sent = Clock::now();
          const grpc::Status status = stub_->GetRegion(context.get(), request_, &response);
          Count(&tally, status, MicrosSince(sent), recording());
        }
      });
    }
  }

  bool Drain(absl::Duration) override {
    // Every call has a deadline: the joins end.
    stopping_.store(true);
    for (auto& t : threads_) t.join();
    threads_.clear();
    return true;
  }

  Tally Collect() const override {
    Tally all;
    for (const Tally& t : tallies_) all.Merge(t);
    return all;
  }

 private:
  v1::CatalogService::Stub* stub_;
  const v1::GetRegionRequest request_;
  std::vector<Tally> tallies_;
  std::vector<std::thread> threads_;
};

// --- CPU accounting ------------------------------------------------------

double SelfCpuSeconds() {
  struct rusage u {};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// All cores together, in clock ticks: {busy, total}, from the first line of
// /proc/stat.
std::pair<double, double> MachineTicks() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  in >> cpu;
  double busy = 0, total = 0;
  for (int i = 0; i < 8; ++i) {
    double v = 0;
    if (!(in >> v)) break;
    total += v;
    if (i != 3 && i != 4) busy += v;  // idle and iowait
  }
  return {busy, total};
}

struct CpuSnapshot {
  std::map<std::string, double> processes;
  double self = 0;
  std::pair<double, double> machine;
};

CpuSnapshot TakeCpu(const std::map<std::string, pid_t>& pids) {
  CpuSnapshot s;
  for (const auto& [name, pid] : pids) s.processes[name] = ProcessCpuSeconds(pid);
  s.self = SelfCpuSeconds();
  s.machine = MachineTicks();
  return s;
}

struct Window {
  double seconds = 0;
  std::map<std::string, double> cpu;  // process name (and "bench") -> CPU seconds used
  double machine_busy = 0;            // share of all cores busy, 0..1
  double outside = 0;                 // share of all cores used by other processes, 0..1
  Tally tally;
};

// Warm-up, then the measured window with CPU read at both ends, then drain.
Window Run(Driver* driver, const std::map<std::string, pid_t>& pids) {
  const double warmup = std::max(0.0, absl::GetFlag(FLAGS_warmup_seconds));
  const double seconds = std::max(0.1, absl::GetFlag(FLAGS_seconds));
  driver->Start();
  absl::SleepFor(absl::Seconds(warmup));
  const CpuSnapshot before = TakeCpu(pids);
  const Clock::time_point t0 = Clock::now();
  driver->Record(true);
  absl::SleepFor(absl::Seconds(seconds));
  driver->Record(false);
  const Clock::time_point t1 = Clock::now();
  const CpuSnapshot after = TakeCpu(pids);
  if (!driver->Drain(absl::Seconds(15))) Note("requests still in flight 15 s after the window");

  Window w;
  w.seconds = std::chrono::duration<double>(t1 - t0).count();
  for (const auto& [name, value] : after.processes) {
    const double was = before.processes.at(name);
    w.cpu[name] = value < 0 || was < 0 ? -1 : value - was;
  }
  w.cpu["bench"] = after.self - before.self;
  const double total = after.machine.second - before.machine.second;
  w.machine_busy = total > 0 ? (after.machine.first - before.machine.first) / total : 0;
  // What the stack and the bench did not use went to someone else.
  double ours = 0;
  for (const auto& [name, cpu] : w.cpu) ours += std::max(0.0, cpu);
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  w.outside = total > 0
                  ? std::max(0.0, (after.machine.first - before.machine.first) / ticks - ours) /
                        (total / ticks)
                  : 0;
  w.tally = driver->Collect();
  return w;
}

// Milliseconds, nearest rank, as every benchmark here reports them.
double PercentileMs(const std::vector<uint32_t>& us, double p) {
  return testing::Percentile(std::vector<double>(us.begin(), us.end()), p) / 1000.0;
}

double Rps(const Window& w) { return w.tally.completed / std::max(1e-9, w.seconds); }

// Throughput, latency and errors of one phase.
void Report(const std::string& prefix, Window* w) {
  Tally& t = w->tally;
  Figure(absl::StrCat(prefix, "_requests_per_second"), Rps(*w), "req/s");
  Figure(absl::StrCat(prefix, "_p50_ms"), PercentileMs(t.latency_us, 0.50), "ms");
  Figure(absl::StrCat(prefix, "_p99_ms"), PercentileMs(t.latency_us, 0.99), "ms");
  Figure(absl::StrCat(prefix, "_max_ms"), PercentileMs(t.latency_us, 1.0), "ms");
  Figure(absl::StrCat(prefix, "_requests"), static_cast<double>(t.completed), "requests");
  Figure(absl::StrCat(prefix, "_errors"), static_cast<double>(t.errors + t.transport_errors),
         "errors");
  if (t.reconnects > 0) {
    Note(absl::StrCat(prefix, ": the server closed ", t.reconnects, " keep-alive connections"));
  }
  for (const auto& [kind, n] : t.error_kinds) {
    Note(absl::StrCat(prefix, " error: ", kind, " x", n));
  }
  Figure(absl::StrCat(prefix, "_machine_cpu_busy"), 100 * w->machine_busy, "%");
  Figure(absl::StrCat(prefix, "_machine_cpu_outside_bench"), 100 * w->outside, "%");
  if (w->outside > 0.05) {
    Note(absl::StrCat(prefix, ": other processes took ", static_cast<int>(100 * w->outside),
                      "% of the machine during the window: its figures are disturbed"));
  }
}

// CPU-µs per request of one process in a window. A process whose
// /proc/<pid>/stat could not be read ends the run: a CPU figure without it
// would understate the path.
double CpuPerRequest(const Window& w, const std::string& name) {
  const double cpu = w.cpu.at(name);
  if (cpu < 0) Fail(absl::StrCat("cannot read the CPU time of ", name));
  return 1e6 * cpu / std::max<uint64_t>(1, w.tally.completed);
}

int Main() {
  const int connections = std::max(1, absl::GetFlag(FLAGS_connections));
  const std::string region = absl::GetFlag(FLAGS_region);
  const std::string target = absl::StrCat("/api/v1/regions/", region);
  const std::string grpc_client = absl::GetFlag(FLAGS_grpc_client);
  if (grpc_client != "callback" && grpc_client != "sync") {
    Fail("--grpc_client must be callback or sync");
  }
  bool run_gateway = false;
  bool run_direct = false;
  for (const std::string& phase : absl::GetFlag(FLAGS_phases)) {
    if (phase == "gateway") {
      run_gateway = true;
    } else if (phase == "direct") {
      run_direct = true;
    } else {
      Fail(absl::StrCat("--phases: unknown phase ", phase, " (gateway, direct)"));
    }
  }

  testing::StackOptions options;
  options.backends = {"catalog"};
  options.gateway = true;
  options.redis = true;
  // Access logs at info would measure the log writer.
  options.extra_flags["catalog"] = {"--log_level=warn"};
  options.extra_flags["gateway"] = {"--log_level=warn", "--rate_per_client=1e9",
                                    "--burst_per_client=1e9"};
  for (const auto& f : absl::GetFlag(FLAGS_catalog_flags))
    options.extra_flags["catalog"].push_back(f);
  for (const auto& f : absl::GetFlag(FLAGS_gateway_flags))
    options.extra_flags["gateway"].push_back(f);
  absl::StatusOr<std::unique_ptr<testing::Stack>> started = testing::Stack::Start(options);
  if (!started.ok()) Fail(absl::StrCat("cannot start the stack: ", started.status().message()));
  const std::unique_ptr<testing::Stack> stack = *std::move(started);
  const std::map<std::string, pid_t> pids = {{"gateway", stack->pid("gateway")},
                                             {"catalog", stack->pid("catalog")},
                                             {"redis", stack->pid("redis")}};

  // The same channel configuration the gateway uses towards catalog.
  auto stub = v1::CatalogService::NewStub(client::MakeChannel(stack->Address("catalog")));
  if (absl::Status s = testing::ImportDemoRegions(*stack); !s.ok()) {
    Fail(absl::StrCat("ImportRegions: ", s.ToString()));
  }

  // Both paths answer the region before anything is timed.
  v1::GetRegionRequest request;
  request.set_code(region);
  {
    v1::Region region_reply;
    auto context = DirectContext();
    const grpc::Status s = stub->GetRegion(context.get(), request, &region_reply);
    if (!s.ok()) Fail(absl::StrCat("GetRegion straight to catalog: ", s.error_message()));
    auto r = testing::HttpGet(stack->gateway_port(), target);
    if (!r.ok()) Fail(absl::StrCat("GET ", target, ": ", r.status().message()));
    if (r->status != 200 || !absl::StrContains(r->body, region_reply.name())) {
      Fail(absl::StrCat("GET ", target, " answered ", r->status, ": ", r->body));
    }
    Note(absl::StrCat("GET ", target, " -> 200, ", r->body.size(), " body bytes: ", r->body));
  }
  Note(absl::StrCat(std::thread::hardware_concurrency(), " cores; ", connections,
                    " connections on ", absl::GetFlag(FLAGS_client_threads),
                    " client thread(s); direct: ", connections, " outstanding calls (", grpc_client,
                    "); ", absl::GetFlag(FLAGS_warmup_seconds), " s warm-up + ",
                    absl::GetFlag(FLAGS_seconds), " s per phase"));
  Note(absl::StrCat("gateway flags: ", absl::StrJoin(options.extra_flags["gateway"], " ")));

  Note(absl::StrCat("pids: gateway ", pids.at("gateway"), ", catalog ", pids.at("catalog"),
                    ", redis ", pids.at("redis"), ", bench ", ::getpid()));

  uint64_t errors = 0;
  std::optional<Window> gateway;
  if (run_gateway) {
    HttpDriver driver(stack->gateway_port(), target, connections,
                      absl::GetFlag(FLAGS_client_threads));
    gateway = Run(&driver, pids);
    Report("gateway", &*gateway);
    const double gw = CpuPerRequest(*gateway, "gateway");
    const double catalog = CpuPerRequest(*gateway, "catalog");
    const double redis = CpuPerRequest(*gateway, "redis");
    Figure("cpu_us_per_request_gateway_process", gw, "us");
    Figure("cpu_us_per_request_catalog_via_gateway", catalog, "us");
    Figure("cpu_us_per_request_redis_via_gateway", redis, "us");
    Figure("cpu_us_per_request_gateway_path", gw + catalog + redis, "us");
    // The load generator shares the cores: what it took, for context.
    Figure("cpu_us_per_request_bench_http_client", CpuPerRequest(*gateway, "bench"), "us");
    errors += gateway->tally.errors + gateway->tally.transport_errors;
  }

  std::optional<Window> direct;
  if (run_direct) {
    std::unique_ptr<Driver> driver;
    if (grpc_client == "sync") {
      driver = std::make_unique<GrpcSyncDriver>(stub.get(), request, connections);
    } else {
      driver = std::make_unique<GrpcCallbackDriver>(stub.get(), request, connections);
    }
    direct = Run(driver.get(), pids);
    Report("direct_grpc", &*direct);
    Figure("cpu_us_per_request_direct", CpuPerRequest(*direct, "catalog"), "us");
    Figure("cpu_us_per_request_bench_grpc_client", CpuPerRequest(*direct, "bench"), "us");
    errors += direct->tally.errors + direct->tally.transport_errors;
  }

  if (gateway.has_value() && direct.has_value()) {
    Figure("gateway_overhead_ratio", Rps(*direct) / std::max(1e-9, Rps(*gateway)), "x");
    const double path = CpuPerRequest(*gateway, "gateway") + CpuPerRequest(*gateway, "catalog") +
                        CpuPerRequest(*gateway, "redis");
    Figure("cpu_ratio", path / std::max(1e-9, CpuPerRequest(*direct, "catalog")), "x");
  }

  if (errors > 0) {
    std::printf("ERRORS: %llu requests failed (see the notes above): do not quote these figures\n",
                static_cast<unsigned long long>(errors));
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace onewindow::bench

int main(int argc, char** argv) {
  onewindow::config::SkipLockOrderChecksInRelease();
  onewindow::config::ParseFlags(argc, argv,
                                "gateway_bench [--seconds=10] [--connections=64] "
                                "[--warmup_seconds=1] [--grpc_client=callback|sync]");
  return onewindow::bench::Main();
}
