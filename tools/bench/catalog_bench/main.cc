// catalog_bench: loads a synthetic province into a catalog and measures it
// over gRPC. A benchmark program, not a test: it prints figures, one per line,
//
//   figure: <name> <value> <unit>
//
// and judges nothing. Without --catalog_addr it starts its own catalog (on a
// free port, with a fresh data directory), generates --implementations with
// catalog_gen and loads them with catalog_import, timing the import; then it
// measures search latency for 2- and 4-character queries, with and without a
// village region filter (so all five levels apply), at 1 and 8 clients;
// get-implementation latency; the catalog's resident memory; and the time
// from SIGTERM to SERVING again after a restart.
//
//   catalog_bench                                   # 1,000,000 implementations
//   catalog_bench --implementations=20000 --queries=500
//   catalog_bench --catalog_addr=127.0.0.1:50051    # a catalog already loaded
#include <signal.h>
#include <unistd.h>

#include <dirent.h>
#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "libs/client/channels.h"
#include "libs/client/health.h"
#include "libs/config/flags.h"
#include "libs/status/proto_json.h"
#include "libs/testing/bench_output.h"
#include "libs/testing/grpc_context.h"
#include "libs/testing/process.h"
#include "libs/testing/stack.h"
#include "onewindow/catalog/v1/catalog.grpc.pb.h"
#include "tools/catalog_gen/catalog_data.h"

ABSL_FLAG(int64_t, implementations, 1000000, "Implementations to generate and load");
ABSL_FLAG(int, queries, 2000, "Queries measured per search class (and gets)");
ABSL_FLAG(int, warmup, 300, "Queries run per class before measuring");
ABSL_FLAG(uint64_t, seed, 1, "Seed for the generator and the query mix");
ABSL_FLAG(int, import_threads, 3, "catalog_import --threads");
ABSL_FLAG(std::string, gen_bin, "", "catalog_gen binary (default: the build tree's)");
ABSL_FLAG(std::string, import_bin, "", "catalog_import binary (default: the build tree's)");
ABSL_FLAG(std::vector<std::string>, catalog_flags, {},
          "Extra flags for the catalog the bench starts, comma-separated");
ABSL_FLAG(int, catalog_pid, 0,
          "With --catalog_addr: the catalog's pid for its memory (default: found by port)");

namespace onewindow::bench {
namespace {

namespace v1 = catalog::v1;
using Clock = std::chrono::steady_clock;

using testing::Fail;
using testing::Figure;
using testing::Note;
using testing::Percentile;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// Runs a program to its end, its output going to `log`, and returns how
// long it took. Callers read the outcome from the log.
double RunToEnd(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                const std::string& log) {
  const auto start = Clock::now();
  if (absl::StatusOr<int> exit_code = testing::RunToExit(argv, env, log, absl::InfiniteDuration());
      !exit_code.ok()) {
    Fail(absl::StrCat("cannot start ", argv[0], ": ", exit_code.status().message()));
  }
  return Seconds(start);
}

// --- The catalog process: pid by listening port, resident memory ---------

int PortOf(const std::string& address) {
  int port = 0;
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || !absl::SimpleAtoi(address.substr(colon + 1), &port)) return 0;
  return port;
}

// The pid of the local process listening on `port` (0 when none is visible):
// the socket's inode from /proc/net/tcp*, then the process holding it.
int PidListeningOn(int port) {
  std::set<std::string> inodes;
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::vector<std::string> f = absl::StrSplit(line, ' ', absl::SkipEmpty());
      if (f.size() < 10 || f[3] != "0A") continue;  // 0A: LISTEN
      const size_t colon = f[1].rfind(':');
      if (colon == std::string::npos) continue;
      if (std::stoi(f[1].substr(colon + 1), nullptr, 16) == port) inodes.insert(f[9]);
    }
  }
  if (inodes.empty()) return 0;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return 0;
  int found = 0;
  while (dirent* e = readdir(proc)) {
    int pid = 0;
    if (!absl::SimpleAtoi(e->d_name, &pid)) continue;
    const std::string fd_dir = absl::StrCat("/proc/", pid, "/fd");
    DIR* fds = opendir(fd_dir.c_str());
    if (fds == nullptr) continue;
    while (dirent* fd = readdir(fds)) {
      char target[128];
      const std::string link = absl::StrCat(fd_dir, "/", fd->d_name);
      const ssize_t n = readlink(link.c_str(), target, sizeof(target) - 1);
      if (n <= 0) continue;
      target[n] = '\0';
      absl::string_view t(target);
      if (absl::ConsumePrefix(&t, "socket:[") && absl::ConsumeSuffix(&t, "]") &&
          inodes.count(std::string(t)) > 0) {
        found = pid;
        break;
      }
    }
    closedir(fds);
    if (found != 0) break;
  }
  closedir(proc);
  return found;
}

// VmRSS of `pid` in MiB, or -1.
double ResidentMiB(int pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    absl::string_view v(line);
    if (!absl::ConsumePrefix(&v, "VmRSS:")) continue;
    v = absl::StripAsciiWhitespace(v);
    absl::ConsumeSuffix(&v, " kB");
    double kb = 0;
    if (absl::SimpleAtod(v, &kb)) return kb / 1024.0;
  }
  return -1;
}

// --- Queries ---------------------------------------------------------------

struct Query {
  std::string q;
  std::string region;  // empty: no region filter
};

struct Latencies {
  std::vector<double> ms;
  int errors = 0;
  int empty = 0;
  double wall_seconds = 0;
};

class Bench {
 public:
  explicit Bench(std::string address) : address_(std::move(address)) {}

  std::unique_ptr<v1::CatalogService::Stub> NewStub() const {
    // A channel per client: eight clients are eight connections, as eight
    // gateway replicas would be.
    client::ChannelOptions options;
    options.default_timeout = absl::Seconds(5);
    return v1::CatalogService::NewStub(client::MakeChannel(address_, options));
  }

  // Villages to filter by: random walks down the tree, so the picks follow
  // the catalog actually loaded (including towns directly under Dongguan).
  std::vector<std::string> Villages(int count, std::mt19937_64& rng) {
    auto stub = NewStub();
    std::vector<std::string> out;
    for (int attempt = 0; attempt < count * 4 && static_cast<int>(out.size()) < count; ++attempt) {
      std::string code = "440000000000";
      for (int depth = 0; depth < 5; ++depth) {
        v1::ListChildRegionsRequest request;
        request.set_code(code);
        v1::ListRegionsResponse response;
        const auto context = testing::TokenContext(/*token=*/"", absl::Seconds(5));
        if (!stub->ListChildRegions(context.get(), request, &response).ok() ||
            response.regions().empty()) {
          break;
        }
        const v1::Region& child = response.regions(
            static_cast<int>(rng() % static_cast<uint64_t>(response.regions_size())));
        code = child.code();
        if (child.level() == v1::VILLAGE) {
          out.push_back(code);
          break;
        }
      }
    }
    return out;
  }

  // Runs `queries` from `clients` threads, each with its own connection.
  Latencies Search(const std::vector<Query>& queries, int clients,
                   std::vector<std::string>* codes_seen = nullptr) {
    std::vector<Latencies> per(clients);
    std::vector<std::vector<std::string>> codes(clients);
    const auto start = Clock::now();
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) {
      threads.emplace_back([&, c] {
        auto stub = NewStub();
        for (size_t i = c; i < queries.size(); i += clients) {
          v1::SearchItemsRequest request;
          request.set_q(queries[i].q);
          request.set_region_code(queries[i].region);
          request.set_page_size(20);
          v1::SearchItemsResponse response;
          const auto context = testing::TokenContext(/*token=*/"", absl::Seconds(5));
          const auto t = Clock::now();
          const grpc::Status s = stub->SearchItems(context.get(), request, &response);
          per[c].ms.push_back(Seconds(t) * 1000);
          if (!s.ok()) {
            ++per[c].errors;
          } else if (response.items().empty()) {
            ++per[c].empty;
          } else if (codes_seen != nullptr && codes[c].size() < 20000) {
            for (const auto& item : response.items())
              codes[c].push_back(item.implementation_code());
          }
        }
      });
    }
    for (auto& t : threads) t.join();
    Latencies all;
    all.wall_seconds = Seconds(start);
    for (int c = 0; c < clients; ++c) {
      all.ms.insert(all.ms.end(), per[c].ms.begin(), per[c].ms.end());
      all.errors += per[c].errors;
      all.empty += per[c].empty;
      if (codes_seen != nullptr) {
        codes_seen->insert(codes_seen->end(), codes[c].begin(), codes[c].end());
      }
    }
    return all;
  }

  // The words that find something without filters; a benchmark of searches
  // that cannot match would measure the empty path only.
  std::vector<std::string> Matching(const std::vector<std::string>& words,
                                    std::vector<std::string>* dropped) {
    auto stub = NewStub();
    std::vector<std::string> out;
    for (const std::string& word : words) {
      v1::SearchItemsRequest request;
      request.set_q(word);
      request.set_page_size(1);
      v1::SearchItemsResponse response;
      const auto context = testing::TokenContext(/*token=*/"", absl::Seconds(5));
      if (stub->SearchItems(context.get(), request, &response).ok() && !response.items().empty()) {
        out.push_back(word);
      } else {
        dropped->push_back(word);
      }
    }
    return out;
  }

  Latencies Get(const std::vector<std::string>& codes) {
    auto stub = NewStub();
    Latencies out;
    const auto start = Clock::now();
    for (const std::string& code : codes) {
      v1::GetImplementationRequest request;
      request.set_implementation_code(code);
      v1::Implementation response;
      const auto context = testing::TokenContext(/*token=*/"", absl::Seconds(5));
      const auto t = Clock::now();
      if (!stub->GetImplementation(context.get(), request, &response).ok()) ++out.errors;
      out.ms.push_back(Seconds(t) * 1000);
    }
    out.wall_seconds = Seconds(start);
    return out;
  }

 private:
  std::string address_;
};

void Report(const std::string& name, const Latencies& l, int clients) {
  Figure(name + ".p50", Percentile(l.ms, 0.50), "ms");
  Figure(name + ".p99", Percentile(l.ms, 0.99), "ms");
  Figure(name + ".max", Percentile(l.ms, 1.0), "ms");
  if (clients > 1) Figure(name + ".throughput", l.ms.size() / l.wall_seconds, "queries/s");
  if (l.errors > 0) Figure(name + ".errors", l.errors, "calls");
  if (l.empty > 0) Figure(name + ".empty_results", 100.0 * l.empty / l.ms.size(), "%");
}

// Search words: the catalog's own 2- and 4-character words, and as many
// again cut from real item names, so every query can match something.
std::vector<std::string> Words(int chars, const std::vector<std::string>& names,
                               std::mt19937_64& rng) {
  std::vector<std::string> words = catalog_gen::QueryWords(chars);
  const size_t curated = words.size();
  static const std::set<std::string> kPunctuation = {"（", "）", "、", "，", "(", ")", "·"};
  for (int attempt = 0; attempt < 1000 && words.size() < curated * 2 && !names.empty(); ++attempt) {
    const auto chars_of = catalog_gen::Utf8Chars(names[rng() % names.size()]);
    if (static_cast<int>(chars_of.size()) < chars) continue;
    const size_t at = rng() % (chars_of.size() - chars + 1);
    std::string word;
    bool clean = true;
    for (int k = 0; k < chars; ++k) {
      clean = clean && kPunctuation.count(chars_of[at + k]) == 0 && chars_of[at + k].size() == 3;
      word += chars_of[at + k];
    }
    if (clean) words.push_back(word);
  }
  return words;
}

std::vector<Query> Mix(const std::vector<std::string>& words,
                       const std::vector<std::string>& villages, bool with_region, int count,
                       std::mt19937_64& rng) {
  std::vector<Query> out;
  for (int i = 0; i < count; ++i) {
    Query q;
    q.q = words[rng() % words.size()];
    if (with_region) q.region = villages[rng() % villages.size()];
    out.push_back(std::move(q));
  }
  return out;
}

// The basic item names the catalog was generated from, for query words.
std::vector<std::string> ItemNames(const std::string& path) {
  std::vector<std::string> names;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    v1::BasicItem item;
    if (status::JsonToMessage(line, &item).ok()) names.push_back(item.name());
  }
  return names;
}

// "implementations.jsonl: accepted 1000000, rejected 0 in 43.1 s (23201 lines/s)"
bool ImportLine(const std::string& log, const std::string& file, long long* accepted,
                long long* rejected, double* seconds) {
  std::istringstream in(log);
  std::string line;
  const std::string format = file + ": accepted %lld, rejected %lld in %lf s";
  while (std::getline(in, line)) {
    if (std::sscanf(line.c_str(), format.c_str(), accepted, rejected, seconds) == 3) return true;
  }
  return false;
}

int Main() {
  const int64_t implementations = absl::GetFlag(FLAGS_implementations);
  const int queries = std::max(10, absl::GetFlag(FLAGS_queries));
  const int warmup = std::max(0, absl::GetFlag(FLAGS_warmup));
  std::mt19937_64 rng(absl::GetFlag(FLAGS_seed));

  testing::TempDir tmp;
  std::unique_ptr<testing::Stack> stack;
  std::string address = absl::GetFlag(FLAGS_catalog_addr);
  const bool own = address.empty();
  std::vector<std::string> names;

  if (own) {
    const std::string gen = absl::GetFlag(FLAGS_gen_bin).empty()
                                ? absl::StrCat(OW_BINARY_DIR, "/tools/catalog_gen/catalog_gen")
                                : absl::GetFlag(FLAGS_gen_bin);
    const std::string import =
        absl::GetFlag(FLAGS_import_bin).empty()
            ? absl::StrCat(OW_BINARY_DIR, "/tools/catalog_import/catalog_import")
            : absl::GetFlag(FLAGS_import_bin);
    const std::string data = absl::StrCat(tmp.path(), "/province");
    const double gen_seconds = RunToEnd(
        {gen, absl::StrCat("--out=", data), absl::StrCat("--implementations=", implementations),
         absl::StrCat("--seed=", absl::GetFlag(FLAGS_seed))},
        {}, absl::StrCat(tmp.path(), "/gen.log"));
    const std::string gen_log = testing::ReadFile(absl::StrCat(tmp.path(), "/gen.log"));
    if (gen_log.find("wrote ") == std::string::npos)
      Fail(absl::StrCat("catalog_gen failed:\n", gen_log));
    Figure("generate.seconds", gen_seconds, "s");
    names = ItemNames(absl::StrCat(data, "/basic_items.jsonl"));

    testing::StackOptions options;
    options.backends = {"catalog"};
    options.gateway = false;
    options.redis = false;
    options.extra_flags["catalog"] = absl::GetFlag(FLAGS_catalog_flags);
    absl::StatusOr<std::unique_ptr<testing::Stack>> started = testing::Stack::Start(options);
    if (!started.ok()) Fail(absl::StrCat("cannot start the catalog: ", started.status().message()));
    stack = *std::move(started);
    address = stack->Address("catalog");

    const std::string import_log = absl::StrCat(tmp.path(), "/import.log");
    const double import_seconds = RunToEnd(
        {import, absl::StrCat("--catalog_addr=", address), absl::StrCat("--dir=", data),
         absl::StrCat("--threads=", absl::GetFlag(FLAGS_import_threads)), "--max_listed=20"},
        {{"OW_PRINCIPAL_KEYS", stack->principal_keys()}}, import_log);
    const std::string log = testing::ReadFile(import_log);
    long long accepted = 0, rejected = 0;
    double seconds = 0;
    if (!ImportLine(log, "implementations.jsonl", &accepted, &rejected, &seconds)) {
      Fail(absl::StrCat("catalog_import did not load implementations:\n", log.substr(0, 4000)));
    }
    if (rejected > 0) Note(absl::StrCat("catalog_import rejected lines:\n", log.substr(0, 4000)));
    Figure("import.seconds", import_seconds, "s");
    Figure("import.implementations", static_cast<double>(accepted), "implementations");
    Figure("import.rate", accepted / std::max(1e-9, seconds), "implementations/s");
  } else {
    Note(absl::StrCat("measuring the catalog at ", address, " as loaded; no import, no restart"));
  }

  Bench bench(address);
  std::vector<std::string> villages = bench.Villages(32, rng);
  if (villages.empty()) Fail("no village found under 440000000000: is the catalog loaded?");
  Note(absl::StrCat(villages.size(), " villages for the region filter, e.g. ", villages[0]));

  std::vector<std::string> dropped;
  const std::vector<std::string> two = bench.Matching(Words(2, names, rng), &dropped);
  const std::vector<std::string> four = bench.Matching(Words(4, names, rng), &dropped);
  if (two.empty() || four.empty()) Fail("no query word finds anything: is the catalog loaded?");
  Note(absl::StrCat(two.size(), " 2-character and ", four.size(), " 4-character query words (e.g. ",
                    two[0], ", ", four[0], "); ", dropped.size(),
                    " found nothing and were left out"));
  struct Class {
    std::string name;
    const std::vector<std::string>* words;
    bool region;
  };
  const std::vector<Class> classes = {{"search.2char.all", &two, false},
                                      {"search.2char.village", &two, true},
                                      {"search.4char.all", &four, false},
                                      {"search.4char.village", &four, true}};

  // Warm-up: every class once over, and implementation codes for the gets.
  std::vector<std::string> codes;
  for (const Class& c : classes) {
    bench.Search(Mix(*c.words, villages, c.region, warmup, rng), 1, &codes);
  }
  if (codes.empty()) Fail("searches found nothing: is the catalog loaded?");
  std::shuffle(codes.begin(), codes.end(), rng);
  bench.Get(std::vector<std::string>(codes.begin(),
                                     codes.begin() + std::min<size_t>(codes.size(), warmup)));

  double slowest = 0;
  for (int clients : {1, 8}) {
    for (const Class& c : classes) {
      const Latencies l = bench.Search(Mix(*c.words, villages, c.region, queries, rng), clients);
      Report(absl::StrCat(c.name, ".", clients, clients == 1 ? "client" : "clients"), l, clients);
      slowest = std::max(slowest, Percentile(l.ms, 1.0));
    }
  }
  Figure("search.slowest", slowest, "ms");

  std::vector<std::string> gets;
  for (int i = 0; i < queries; ++i) gets.push_back(codes[rng() % codes.size()]);
  Report("get_implementation.1client", bench.Get(gets), 1);

  const int pid = absl::GetFlag(FLAGS_catalog_pid) != 0 ? absl::GetFlag(FLAGS_catalog_pid)
                                                        : PidListeningOn(PortOf(address));
  if (pid > 0) {
    Figure("catalog.rss", ResidentMiB(pid), "MiB");
  } else {
    Note("catalog pid not found (not local?): resident memory not measured");
  }

  if (stack != nullptr) {
    // SIGTERM, wait for the exit, start again on the same data, and time
    // until health says SERVING.
    const auto t0 = Clock::now();
    stack->Stop("catalog", SIGTERM);
    const double stop = Seconds(t0);
    const auto t1 = Clock::now();
    absl::Status restarted = stack->Restart("catalog");
    if (!restarted.ok()) {
      // The stack gives up after 30 s; keep waiting to report the real time.
      auto channel = client::MakeChannel(address);
      while (Seconds(t1) < 600 &&
             !client::CheckHealth(channel.get(), "", absl::Milliseconds(500)).ok()) {
        absl::SleepFor(absl::Milliseconds(50));
      }
    }
    const double start = Seconds(t1);
    Figure("restart.stop", stop, "s");
    Figure("restart.start_to_serving", start, "s");
    Figure("restart.sigterm_to_serving", stop + start, "s");
    const Latencies after = bench.Search(Mix(two, villages, true, 20, rng), 1);
    Figure("restart.first_searches.max", Percentile(after.ms, 1.0), "ms");
    if (after.errors > 0) Figure("restart.first_searches.errors", after.errors, "calls");
  }
  return 0;
}

}  // namespace
}  // namespace onewindow::bench

int main(int argc, char** argv) {
  // Empty unless given (flag or OW_CATALOG_ADDR): then the bench starts its own.
  absl::SetFlag(&FLAGS_catalog_addr, "");
  onewindow::config::SkipLockOrderChecksInRelease();
  onewindow::config::ParseFlags(argc, argv,
                                "catalog_bench [--implementations=N] [--queries=M] "
                                "[--catalog_addr=host:port]");
  return onewindow::bench::Main();
}
