// loadgen: a mixed workload against the gateway, as a portal's visitors and
// a department's system make it: mostly searches and guide reads, some
// sign-ins and "who am I", applications with their uploads, decisions by a
// department over approval's gRPC API (with its API token), and complaints.
//
//   loadgen --start_stack --duration=10           # starts its own stack: one command
//   loadgen --gateway=127.0.0.1:8080 --duration=60 --connections=64
//           --mix=search:70,guide:20,login:3,me:3,submit:2,decide:1,complain:1
//           --grpc=127.0.0.1:50053 --token=$OW_TOKEN --department=<credit code>
//
// Each of --connections virtual users keeps one keep-alive connection and
// runs operations back to back (closed loop). Before the clock starts it
// prepares what it needs through the gateway: registers --citizens citizens
// (valid resident ID numbers), finds search words, regions and items by
// searching, and tries one submission and one complaint. An operation whose
// route or service is missing (no route, 501, 503, UNIMPLEMENTED) is
// reported as skipped rather than failed. A progress line goes to stderr
// every second; at the end stdout gets a table per endpoint (requests,
// rate, p50, p99 of successful answers, errors, 429s), `note:` lines on
// what went wrong, and `figure: loadgen.<endpoint>.<metric> <value> <unit>`
// lines. The gateway's rate limits throttle a single client address: lift
// them for load runs (README, "Load generator"); 429s are counted apart
// from errors, and a throttled user waits as Retry-After says (at most
// 1 s). Exit status: 0 after a run (whatever its errors), 1 when it could
// not run, 2 for bad flags.
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "libs/client/channels.h"
#include "libs/config/flags.h"
#include "tools/loadgen/demo_stack.h"
#include "tools/loadgen/desk.h"
#include "tools/loadgen/plan.h"
#include "tools/loadgen/report.h"
#include "tools/loadgen/workload.h"

ABSL_FLAG(std::string, gateway, "127.0.0.1:8080", "The gateway's HTTP address, host:port");
ABSL_FLAG(std::string, grpc, "",
          "approval's gRPC address for decisions (default: --approval_addr)");
ABSL_FLAG(std::string, token, "",
          "A department API token for decisions (OW_TOKEN); --start_stack issues one");
ABSL_FLAG(std::string, department, "",
          "Credit code of the body citizens apply to (the token's department, so decisions "
          "have work); default: the body with the most online items found");
ABSL_FLAG(std::string, mix, onewindow::loadgen::kDefaultMix,
          "Operation weights: search, guide, login, me, submit, decide, complain");
ABSL_FLAG(double, duration, 10, "Seconds of load");
ABSL_FLAG(int, connections, 32, "Virtual users, each with one keep-alive connection");
ABSL_FLAG(int, threads, 1, "Client threads driving the connections");
ABSL_FLAG(uint64_t, seed, 1, "Seed of the choices and of the citizens' identities");
ABSL_FLAG(int, citizens, 64, "Citizens to register (or reuse) before the run");
ABSL_FLAG(int, timeout_ms, 10000, "Deadline of each request");
ABSL_FLAG(int, upload_bytes, 16 * 1024, "Size of each material uploaded with an application");
ABSL_FLAG(bool, start_stack, false,
          "Start redis-server, the built backends and a gateway on free ports with a "
          "synthetic catalog, and run against them");
ABSL_FLAG(int64_t, stack_implementations, 5000, "--start_stack: implementations to load");
ABSL_FLAG(bool, stack_default_limits, false,
          "--start_stack: keep the gateway's default rate limits (to see 429s)");
ABSL_FLAG(std::vector<std::string>, stack_backends, {},
          "--start_stack: backends to start, comma-separated (default: every one built)");
ABSL_FLAG(std::vector<std::string>, stack_gateway_flags, {},
          "--start_stack: extra gateway flags, comma-separated");

namespace onewindow::loadgen {
namespace {

namespace net = boost::asio;

void Say(const std::string& text) {
  std::fprintf(stderr, "loadgen: %s\n", text.c_str());
  std::fflush(stderr);
}

[[noreturn]] void Fail(const std::string& why) {
  Say(why);
  std::exit(1);
}

absl::StatusOr<net::ip::tcp::endpoint> Resolve(const std::string& address) {
  const size_t colon = address.rfind(':');
  int port = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(address.substr(colon + 1), &port) ||
      port <= 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("--gateway: \"", address, "\" is not host:port"));
  }
  std::string host = address.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  net::io_context io;
  net::ip::tcp::resolver resolver(io);
  boost::system::error_code ec;
  auto results = resolver.resolve(host, std::to_string(port), ec);
  if (ec || results.empty()) {
    return absl::UnavailableError(
        absl::StrCat("--gateway: cannot resolve ", host, ": ", ec.message()));
  }
  return results.begin()->endpoint();
}

// Which endpoints an operation measures, to carry its skip reason over.
std::vector<Endpoint> EndpointsOf(Op op) {
  switch (op) {
    case Op::kSearch:
      return {Endpoint::kSearch};
    case Op::kGuide:
      return {Endpoint::kGuide};
    case Op::kLogin:
      return {Endpoint::kLogin};
    case Op::kMe:
      return {Endpoint::kMe};
    case Op::kSubmit:
      return {Endpoint::kUpload, Endpoint::kSubmit};
    case Op::kDecide:
      return {Endpoint::kQueue, Endpoint::kDecide};
    case Op::kComplain:
      return {Endpoint::kComplain};
  }
  return {};
}

// Sets up decisions: approval's address and a token, checked by listing
// the queue once.
std::unique_ptr<Desk> PrepareDesk(Plan* plan, const DemoStack* stack,
                                  std::chrono::milliseconds timeout) {
  if (!plan->runs(Op::kDecide)) return nullptr;
  std::string address = absl::GetFlag(FLAGS_grpc);
  std::string token = absl::GetFlag(FLAGS_token);
  if (stack != nullptr) {
    if (!stack->has("approval")) {
      plan->Skip(Op::kDecide, "service not available: approval is not running");
      return nullptr;
    }
    if (address.empty()) address = stack->Address("approval");
    if (token.empty() && !plan->department.empty()) {
      absl::StatusOr<std::string> issued = stack->IssueDepartmentToken(plan->department);
      if (!issued.ok()) {
        plan->Skip(Op::kDecide, std::string(issued.status().message()));
        return nullptr;
      }
      token = *issued;
    }
  }
  if (address.empty()) address = absl::GetFlag(FLAGS_approval_addr);
  if (token.empty()) {
    plan->Skip(Op::kDecide, "no --token (a department API token) given");
    return nullptr;
  }
  auto desk = std::make_unique<Desk>(client::MakeChannel(address), token, timeout);
  if (absl::Status s = desk->Probe(); !s.ok()) {
    const bool missing =
        s.code() == absl::StatusCode::kUnimplemented || s.code() == absl::StatusCode::kUnavailable;
    plan->Skip(Op::kDecide, absl::StrCat(missing ? "service not available: " : "probe failed: ",
                                         "ListQueue at ", address, ": ", s.message()));
    return nullptr;
  }
  if (stack == nullptr && absl::GetFlag(FLAGS_department).empty()) {
    Say(absl::StrCat("decisions: approval at ", address,
                     ", the token's department; citizens "
                     "apply to ",
                     plan->department,
                     ": pass --department=<the token's credit code> "
                     "so the queue gets work"));
  } else {
    Say(absl::StrCat("decisions: approval at ", address, ", department ", plan->department));
  }
  return desk;
}

int Main() {
  absl::StatusOr<Mix> mix = Mix::Parse(absl::GetFlag(FLAGS_mix));
  if (!mix.ok()) {
    Say(std::string(mix.status().message()));
    return 2;
  }
  const std::chrono::milliseconds timeout(std::max(100, absl::GetFlag(FLAGS_timeout_ms)));
  const uint64_t seed = absl::GetFlag(FLAGS_seed);

  std::unique_ptr<DemoStack> stack;
  net::ip::tcp::endpoint gateway;
  if (absl::GetFlag(FLAGS_start_stack)) {
    DemoStackOptions options;
    options.implementations = absl::GetFlag(FLAGS_stack_implementations);
    options.seed = seed;
    options.lift_limits = !absl::GetFlag(FLAGS_stack_default_limits);
    options.gateway_flags = absl::GetFlag(FLAGS_stack_gateway_flags);
    options.backends = absl::GetFlag(FLAGS_stack_backends);
    absl::StatusOr<std::unique_ptr<DemoStack>> started = DemoStack::Start(options, Say);
    if (!started.ok()) Fail(absl::StrCat("cannot start the stack: ", started.status().message()));
    stack = *std::move(started);
    gateway = net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"),
                                     static_cast<unsigned short>(stack->gateway_port()));
  } else {
    absl::StatusOr<net::ip::tcp::endpoint> resolved = Resolve(absl::GetFlag(FLAGS_gateway));
    if (!resolved.ok()) Fail(std::string(resolved.status().message()));
    gateway = *resolved;
  }

  PrepareOptions prepare;
  prepare.gateway_ip = gateway.address().to_string();
  prepare.gateway_port = gateway.port();
  prepare.seed = seed;
  prepare.citizens = std::max(1, absl::GetFlag(FLAGS_citizens));
  prepare.department = absl::GetFlag(FLAGS_department);
  prepare.upload_bytes = std::max(64, absl::GetFlag(FLAGS_upload_bytes));
  prepare.mix = *mix;
  const absl::Time prepare_start = absl::Now();
  absl::StatusOr<Plan> prepared = Prepare(prepare, Say);
  // From here on return rather than exit, so a stack we started is stopped
  // and its directory removed.
  if (!prepared.ok()) {
    Say(std::string(prepared.status().message()));
    return 1;
  }
  Plan plan = *std::move(prepared);
  std::unique_ptr<Desk> desk = PrepareDesk(&plan, stack.get(), timeout);

  Mix effective = *mix;
  for (int i = 0; i < kOpCount; ++i) {
    const auto op = static_cast<Op>(i);
    if (plan.runs(op)) continue;
    effective.Disable(op);
    if (mix->weight(op) > 0) Say(absl::StrCat(OpName(op), " skipped: ", plan.skipped[i]));
  }
  if (effective.empty()) {
    Say("nothing in the mix can run (see the reasons above)");
    return 1;
  }
  Say(absl::StrCat("prepared in ",
                   absl::StrFormat("%.1f s", absl::ToDoubleSeconds(absl::Now() - prepare_start)),
                   "; running ", effective.ToString(), " on ", absl::GetFlag(FLAGS_connections),
                   " connections for ", absl::GetFlag(FLAGS_duration), " s"));

  WorkloadOptions options;
  options.gateway = gateway;
  options.connections = std::max(1, absl::GetFlag(FLAGS_connections));
  options.threads = std::max(1, absl::GetFlag(FLAGS_threads));
  options.duration = absl::Seconds(std::max(0.1, absl::GetFlag(FLAGS_duration)));
  options.timeout = timeout;
  options.seed = seed;
  options.upload_bytes = prepare.upload_bytes;
  options.run_id = absl::StrCat(absl::Hex(absl::ToUnixNanos(absl::Now())));
  options.mix = effective;

  auto workload = std::make_unique<Workload>(plan, options, desk.get());
  const bool tty = ::isatty(STDERR_FILENO) != 0;
  uint64_t last_requests = 0;
  double last_elapsed = 0;
  RunResult result = workload->Run([&](double elapsed, const Progress& p) {
    const uint64_t requests = p.requests.load();
    const double now_rate = (requests - last_requests) / std::max(1e-9, elapsed - last_elapsed);
    last_requests = requests;
    last_elapsed = elapsed;
    std::fprintf(stderr,
                 "%sloadgen [%5.1fs] %llu requests  %.1f/s (now %.0f/s)  errors %llu  "
                 "429s %llu%s",
                 tty ? "\r" : "", elapsed, static_cast<unsigned long long>(requests),
                 requests / std::max(1e-9, elapsed), now_rate,
                 static_cast<unsigned long long>(p.errors.load()),
                 static_cast<unsigned long long>(p.throttled.load()), tty ? "   " : "\n");
    std::fflush(stderr);
  });
  if (tty) std::fprintf(stderr, "\n");

  ReportInput report;
  report.stats = &result.stats;
  report.seconds = result.seconds;
  for (int i = 0; i < kOpCount; ++i) {
    const auto op = static_cast<Op>(i);
    for (Endpoint e : EndpointsOf(op)) {
      report.wanted[static_cast<size_t>(e)] = mix->weight(op) > 0;
      report.skipped[static_cast<size_t>(e)] = plan.skipped[i];
    }
  }
  std::printf("%s", FormatTable(report).c_str());
  for (const std::string& line : NoteLines(report)) std::printf("%s\n", line.c_str());
  for (const std::string& line : FigureLines(report)) std::printf("%s\n", line.c_str());
  std::fflush(stdout);
  if (!result.drained) {
    // gRPC completions may still arrive: leave without tearing anything down.
    Say("requests were still in flight after the grace period");
    std::_Exit(0);
  }
  return 0;
}

}  // namespace
}  // namespace onewindow::loadgen

int main(int argc, char** argv) {
  onewindow::config::ParseFlags(
      argc, argv,
      "loadgen [--start_stack] [--gateway=host:port] [--duration=S] [--connections=N] "
      "[--mix=search:70,guide:20,...] [--grpc=host:port --token=T --department=CODE]");
  return onewindow::loadgen::Main();
}
