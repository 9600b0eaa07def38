// catalog_import: loads JSON Lines of catalog messages into the catalog over
// gRPC.
//
//   OW_PRINCIPAL_KEYS=... catalog_import --catalog_addr=127.0.0.1:50051 --dir=DIR
//   OW_PRINCIPAL_KEYS=... catalog_import --regions=deploy/demo/regions.jsonl
//
// --dir loads regions.jsonl, departments.jsonl, basic_items.jsonl,
// implementations.jsonl and required_items.jsonl from DIR, in that order,
// skipping the ones that are absent (catalog_gen writes all five). Each line
// is one message in protobuf JSON: a Region, Department, BasicItem,
// Implementation, or SetRequiredItemsRequest. Regions and departments are
// sent parents first; everything goes in batches with several calls in
// flight. Progress (count, rate, ETA) goes to stderr; the summary, with every
// rejected line's number and reason, to stdout. Exit code 1 when anything
// was rejected or the import stopped, 2 for bad flags.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <google/protobuf/arena.h>

#include "absl/base/thread_annotations.h"
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "libs/auth/principal_verifier.h"
#include "libs/client/channels.h"
#include "libs/codes/region_code.h"
#include "libs/config/flags.h"
#include "libs/server/call.h"
#include "libs/status/proto_json.h"
#include "onewindow/catalog/v1/catalog.grpc.pb.h"
#include "tools/catalog_import/fast_json.h"
#include "tools/catalog_import/import_support.h"

ABSL_FLAG(std::string, dir, "", "Directory of .jsonl files to load (as catalog_gen writes them)");
ABSL_FLAG(std::string, regions, "", "A JSON Lines file of regions to load (before --dir)");
ABSL_FLAG(int, batch, 500, "Entries per import call");
ABSL_FLAG(int, max_batch_kb, 3072, "Most JSON per call, in KiB (the server takes 4 MiB messages)");
ABSL_FLAG(int, threads, 3, "Import calls in flight");
ABSL_FLAG(int, call_timeout_seconds, 120, "Deadline of each import call");
ABSL_FLAG(int, max_listed, 1000, "Rejected lines listed in the summary (all are counted)");

namespace onewindow::catalog_import {
namespace {

namespace v1 = catalog::v1;
using Stub = v1::CatalogService::Stub;

struct Rejection {
  std::string file;
  int64_t line = 0;
  std::string reason;
};

// Parses one line; protobuf's parser decides whenever the fast one declines,
// so results and error messages are protobuf's.
absl::Status ParseLine(absl::string_view line, google::protobuf::Message* message) {
  thread_local FastJsonParser fast;
  if (fast.Parse(line, message)) return absl::OkStatus();
  message->Clear();
  return status::JsonToMessage(line, message);
}

bool Skipped(absl::string_view line) { return line.empty() || line[0] == '#'; }

// Why a line is not a `message`, on one line: protobuf's JSON errors span
// several (the message, the text around the fault, a caret).
std::string BadJson(const google::protobuf::Message& message, absl::string_view error) {
  std::string out = absl::StrCat("bad JSON for ", message.GetDescriptor()->name(), ": ");
  bool space = false;
  for (char c : error) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = true;
      continue;
    }
    if (space && out.back() != ' ') out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

std::string StatusText(const grpc::Status& s) {
  static constexpr const char* kNames[] = {"OK",
                                           "CANCELLED",
                                           "UNKNOWN",
                                           "INVALID_ARGUMENT",
                                           "DEADLINE_EXCEEDED",
                                           "NOT_FOUND",
                                           "ALREADY_EXISTS",
                                           "PERMISSION_DENIED",
                                           "RESOURCE_EXHAUSTED",
                                           "FAILED_PRECONDITION",
                                           "ABORTED",
                                           "OUT_OF_RANGE",
                                           "UNIMPLEMENTED",
                                           "INTERNAL",
                                           "UNAVAILABLE",
                                           "DATA_LOSS",
                                           "UNAUTHENTICATED"};
  const int code = static_cast<int>(s.error_code());
  const char* name = code >= 0 && code < 17 ? kNames[code] : "UNKNOWN";
  return absl::StrCat(name, ": ", s.error_message());
}

// Codes after which no further call can succeed: stop instead of rejecting
// every remaining line with the same reason.
bool StopsImport(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::PERMISSION_DENIED:
    case grpc::StatusCode::UNIMPLEMENTED:
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::CANCELLED:
    case grpc::StatusCode::UNKNOWN:
      return true;
    default:
      return false;
  }
}

// Counters and rejections of one file, shared by the workers.
class FileImport {
 public:
  FileImport(std::string name, int64_t total, bool total_in_lines)
      : name_(std::move(name)), total_(total), total_in_lines_(total_in_lines) {}

  const std::string& name() const { return name_; }
  void Done(int64_t lines, int64_t bytes) {
    lines_ += lines;
    bytes_ += bytes;
  }
  void Accept(int64_t n) { accepted_ += n; }
  void Reject(int64_t line, std::string reason) {
    ++rejected_;
    absl::MutexLock lock(&mu_);
    rejections_.push_back({name_, line, std::move(reason)});
  }
  int64_t accepted() const { return accepted_; }
  int64_t rejected() const { return rejected_; }
  double Seconds() const { return absl::ToDoubleSeconds(absl::Now() - start_); }
  // The file's duration for the summary, from before it was read.
  void Finish(double seconds) { finished_seconds_ = seconds; }
  double finished_seconds() const { return finished_seconds_; }
  Progress Snapshot() const {
    Progress p;
    p.name = name_;
    p.lines = lines_;
    p.done = total_in_lines_ ? lines_.load() : bytes_.load();
    p.total = total_;
    p.seconds = Seconds();
    return p;
  }
  std::vector<Rejection> TakeRejections() {
    absl::MutexLock lock(&mu_);
    std::sort(rejections_.begin(), rejections_.end(),
              [](const Rejection& a, const Rejection& b) { return a.line < b.line; });
    return std::move(rejections_);
  }

 private:
  const std::string name_;
  const int64_t total_;
  const bool total_in_lines_;
  const absl::Time start_ = absl::Now();
  double finished_seconds_ = 0;
  std::atomic<int64_t> lines_{0}, bytes_{0}, accepted_{0}, rejected_{0};
  absl::Mutex mu_;
  std::vector<Rejection> rejections_ ABSL_GUARDED_BY(mu_);
};

// Redraws one file's progress on stderr: a bar a few times a second on a
// terminal, a plain line every few seconds otherwise (logs, CI).
class ProgressReporter {
 public:
  ProgressReporter(const FileImport* file, bool tty) : file_(file), tty_(tty) {
    thread_ = std::thread([this] { Loop(); });
  }
  ~ProgressReporter() {
    {
      absl::MutexLock lock(&mu_);
      stop_ = true;
    }
    thread_.join();
    Print(/*final=*/true);
  }

 private:
  void Loop() {
    const absl::Duration every = tty_ ? absl::Milliseconds(250) : absl::Seconds(5);
    mu_.Lock();
    while (!mu_.AwaitWithTimeout(absl::Condition(&stop_), every)) {
      mu_.Unlock();
      Print(/*final=*/false);
      mu_.Lock();
    }
    mu_.Unlock();
  }
  void Print(bool final) const {
    const std::string line = FormatProgress(file_->Snapshot(), tty_);
    if (tty_) {
      std::fprintf(stderr, "\r%s\033[K%s", line.c_str(), final ? "\n" : "");
    } else {
      std::fprintf(stderr, "%s\n", line.c_str());
    }
    std::fflush(stderr);
  }

  const FileImport* file_;
  const bool tty_;
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

// A fixed pool running tasks, with a bounded queue so a fast reader cannot
// hold a whole file in memory.
class WorkQueue {
 public:
  WorkQueue(int threads, size_t max_queued) : max_queued_(max_queued) {
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Run(); });
  }
  ~WorkQueue() {
    {
      absl::MutexLock lock(&mu_);
      stop_ = true;
    }
    for (std::thread& t : threads_) t.join();
  }
  void Submit(std::function<void()> task) {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(this, &WorkQueue::HasRoom));
    tasks_.push_back(std::move(task));
  }
  // Until every submitted task has finished.
  void Wait() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(this, &WorkQueue::Idle));
  }

 private:
  bool HasRoom() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return tasks_.size() < max_queued_; }
  bool Idle() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return tasks_.empty() && running_ == 0; }
  bool HasWork() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_ || !tasks_.empty(); }
  void Run() {
    for (;;) {
      std::function<void()> task;
      {
        absl::MutexLock lock(&mu_);
        mu_.Await(absl::Condition(this, &WorkQueue::HasWork));
        if (tasks_.empty()) return;
        task = std::move(tasks_.front());
        tasks_.pop_front();
        ++running_;
      }
      task();
      absl::MutexLock lock(&mu_);
      --running_;
    }
  }

  const size_t max_queued_;
  absl::Mutex mu_;
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  int running_ ABSL_GUARDED_BY(mu_) = 0;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

// Principal tokens for the calls, re-minted well before they expire.
class Tokens {
 public:
  explicit Tokens(auth::KeyRing keys) : signer_(std::move(keys)) {}
  absl::StatusOr<std::string> Get() {
    absl::MutexLock lock(&mu_);
    const absl::Time now = absl::Now();
    if (token_.empty() || now - minted_ > absl::Minutes(4)) {
      auth::v1::Principal admin;
      admin.set_kind(auth::v1::PLATFORM_ADMIN);
      admin.set_subject("tool:catalog_import");
      absl::StatusOr<std::string> token = signer_.Mint(admin, absl::Minutes(10), now);
      if (!token.ok()) return token.status();
      token_ = *std::move(token);
      minted_ = now;
    }
    return token_;
  }

 private:
  const auth::TokenSigner signer_;
  absl::Mutex mu_;
  std::string token_ ABSL_GUARDED_BY(mu_);
  absl::Time minted_ ABSL_GUARDED_BY(mu_);
};

// Lines read but not yet sent.
struct Batch {
  std::vector<std::string> lines;
  std::vector<int64_t> numbers;
  int64_t bytes = 0;  // including newlines and skipped lines, for progress
  int64_t skipped = 0;
};

// A parsed entry and the line it came from.
template <typename Message>
struct Entry {
  Message message;
  int64_t line = 0;
};

struct Options {
  size_t batch = 500;
  int64_t max_batch_bytes = 3 << 20;
  int threads = 3;
  absl::Duration call_timeout = absl::Seconds(120);
  bool tty = false;
};

class Importer {
 public:
  Importer(const Options& options, std::unique_ptr<Stub> stub, auth::KeyRing keys)
      : options_(options),
        stub_(std::move(stub)),
        tokens_(std::move(keys)),
        queue_(options.threads, static_cast<size_t>(options.threads) * 2) {}

  // False when the import had to stop (the reason is in stopped()). What a
  // file holds follows from its name, or `regions` for the --regions file
  // (named by its path in the summary, as --dir may hold a regions.jsonl too).
  bool ImportFile(const std::string& path, bool regions) {
    const std::string base = std::filesystem::path(path).filename().string();
    const std::string& name = regions ? path : base;
    std::error_code ec;
    const auto size = static_cast<int64_t>(std::filesystem::file_size(path, ec));
    if (ec) {
      Stop(absl::StrCat("cannot read ", path, ": ", ec.message()));
      return false;
    }
    if (regions || name == "regions.jsonl") {
      ImportRegions(path, name);
    } else if (name == "departments.jsonl") {
      ImportDepartments(path, name);
    } else if (name == "basic_items.jsonl") {
      Stream(path, name, size, [this](FileImport& f, Batch b) { SendBasicItems(f, std::move(b)); });
    } else if (name == "implementations.jsonl") {
      Stream(path, name, size,
             [this](FileImport& f, Batch b) { SendImplementations(f, std::move(b)); });
    } else if (name == "required_items.jsonl") {
      Stream(path, name, size, [this](FileImport& f, Batch b) { SendRequired(f, std::move(b)); });
    } else {
      Stop(absl::StrCat("do not know what ", name, " holds"));
    }
    return stopped().empty();
  }

  std::string stopped() {
    absl::MutexLock lock(&mu_);
    return stop_reason_;
  }

  // Prints the summary to stdout; the exit code.
  int Summarize(int max_listed) {
    int64_t accepted = 0, rejected = 0;
    std::vector<Rejection> all;
    for (auto& f : files_) {
      std::printf("%s: accepted %lld, rejected %lld in %.2f s (%.0f lines/s)\n", f->name().c_str(),
                  static_cast<long long>(f->accepted()), static_cast<long long>(f->rejected()),
                  f->finished_seconds(),
                  (f->accepted() + f->rejected()) / std::max(1e-9, f->finished_seconds()));
      accepted += f->accepted();
      rejected += f->rejected();
      for (Rejection& r : f->TakeRejections()) all.push_back(std::move(r));
    }
    std::printf("total: accepted %lld, rejected %lld\n", static_cast<long long>(accepted),
                static_cast<long long>(rejected));
    if (!all.empty()) {
      std::printf("rejected lines:\n");
      const size_t shown = std::min(all.size(), static_cast<size_t>(std::max(0, max_listed)));
      for (size_t i = 0; i < shown; ++i) {
        std::printf("  %s:%lld: %s\n", all[i].file.c_str(), static_cast<long long>(all[i].line),
                    all[i].reason.c_str());
      }
      if (shown < all.size()) {
        std::printf("  … and %zu more (raise --max_listed to list them)\n", all.size() - shown);
      }
    }
    const std::string why = stopped();
    if (!why.empty()) std::printf("import stopped: %s\n", why.c_str());
    std::fflush(stdout);
    return rejected == 0 && why.empty() ? 0 : 1;
  }

 private:
  void Stop(std::string reason) {
    absl::MutexLock lock(&mu_);
    if (stop_reason_.empty()) stop_reason_ = std::move(reason);
    stopping_ = true;
  }
  bool Stopping() const { return stopping_; }

  FileImport& NewFile(const std::string& name, int64_t total, bool in_lines) {
    files_.push_back(std::make_unique<FileImport>(name, total, in_lines));
    return *files_.back();
  }

  template <typename Request, typename Response>
  grpc::Status Call(grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                    const Request& request, Response* response) {
    absl::StatusOr<std::string> token = tokens_.Get();
    if (!token.ok()) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, std::string(token.status().message()));
    }
    grpc::ClientContext context;
    context.AddMetadata(server::kPrincipalHeader, *token);
    context.set_deadline(absl::ToChronoTime(absl::Now() + options_.call_timeout));
    return (stub_.get()->*method)(&context, request, response);
  }

  // A failed call: stop for good, or reject the lines it carried.
  void CallFailed(FileImport& file, const grpc::Status& s, const std::vector<int64_t>& lines) {
    if (StopsImport(s.error_code())) {
      Stop(absl::StrCat(file.name(), ": ", StatusText(s)));
      return;
    }
    for (int64_t line : lines) file.Reject(line, StatusText(s));
  }

  // Reads a whole small file (regions, departments) into parsed entries.
  template <typename Message>
  std::vector<Entry<Message>> Load(const std::string& path, FileImport** file_out,
                                   const std::string& name) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(in, line)) lines.push_back(std::move(line));
    FileImport& file = NewFile(name, static_cast<int64_t>(lines.size()), /*in_lines=*/true);
    *file_out = &file;
    std::vector<Entry<Message>> entries;
    for (size_t i = 0; i < lines.size(); ++i) {
      if (Skipped(lines[i])) {
        file.Done(1, 0);
        continue;
      }
      Entry<Message> e;
      e.line = static_cast<int64_t>(i) + 1;
      absl::Status s = ParseLine(lines[i], &e.message);
      if (!s.ok()) {
        file.Reject(e.line, BadJson(e.message, s.message()));
        file.Done(1, 0);
        continue;
      }
      entries.push_back(std::move(e));
    }
    return entries;
  }

  // Sends entries wave by wave: every batch of a wave runs in parallel, and a
  // wave starts only when the previous one has been stored.
  template <typename Message, typename Send>
  void SendWaves(FileImport& file, std::vector<Entry<Message>> entries,
                 const std::vector<int>& wave_of, Send send) {
    std::map<int, std::vector<Entry<Message>>> waves;
    for (size_t i = 0; i < entries.size(); ++i) waves[wave_of[i]].push_back(std::move(entries[i]));
    for (auto& [wave, members] : waves) {
      for (size_t i = 0; i < members.size() && !Stopping(); i += options_.batch) {
        auto begin = members.begin() + static_cast<std::ptrdiff_t>(i);
        auto end = members.begin() +
                   static_cast<std::ptrdiff_t>(std::min(members.size(), i + options_.batch));
        auto chunk = std::make_shared<std::vector<Entry<Message>>>(std::make_move_iterator(begin),
                                                                   std::make_move_iterator(end));
        queue_.Submit([&file, chunk, send] { send(file, std::move(*chunk)); });
      }
      queue_.Wait();
    }
  }

  static void Finish(FileImport& file, absl::Time start) {
    file.Finish(absl::ToDoubleSeconds(absl::Now() - start));
  }

  void ImportRegions(const std::string& path, const std::string& name) {
    const absl::Time start = absl::Now();
    FileImport* file = nullptr;
    auto entries = Load<v1::Region>(path, &file, name);
    {
      ProgressReporter progress(file, options_.tty);
      // Parents first: a region's level is its wave. Malformed codes go
      // first, where the catalog says what is wrong with them.
      std::vector<int> waves;
      for (const auto& e : entries) {
        absl::StatusOr<codes::RegionLevel> level = codes::LevelOf(e.message.code());
        waves.push_back(level.ok() ? static_cast<int>(*level) : -1);
      }
      SendWaves(*file, std::move(entries), waves,
                [this](FileImport& f, std::vector<Entry<v1::Region>> batch) {
                  SendRegions(f, std::move(batch));
                });
    }
    Finish(*file, start);
  }

  // ImportRegions takes a request whole or not at all: drop the entries the
  // error names, reject them with their part of it, and send the rest again.
  void SendRegions(FileImport& file, std::vector<Entry<v1::Region>> entries) {
    const int64_t count = static_cast<int64_t>(entries.size());
    for (int attempt = 0; !entries.empty() && !Stopping(); ++attempt) {
      v1::ImportRegionsRequest request;
      std::vector<std::string> codes;
      for (const auto& e : entries) {
        *request.add_regions() = e.message;
        codes.push_back(e.message.code());
      }
      v1::ImportRegionsResponse response;
      const grpc::Status s = Call(&Stub::ImportRegions, request, &response);
      if (s.ok()) {
        file.Accept(response.imported());
        break;
      }
      std::vector<int64_t> lines;
      for (const auto& e : entries) lines.push_back(e.line);
      const auto named = s.error_code() == grpc::StatusCode::INVALID_ARGUMENT
                             ? RegionErrors(s.error_message(), codes)
                             : std::vector<std::pair<int, std::string>>{};
      if (named.empty() || attempt >= 3) {
        CallFailed(file, s, lines);
        break;
      }
      std::map<int, std::string> reasons;
      for (const auto& [index, reason] : named) {
        std::string& r = reasons[index];
        absl::StrAppend(&r, r.empty() ? "" : "; ", reason);
      }
      std::vector<Entry<v1::Region>> rest;
      for (size_t i = 0; i < entries.size(); ++i) {
        auto it = reasons.find(static_cast<int>(i));
        if (it != reasons.end()) {
          file.Reject(entries[i].line, it->second);
        } else {
          rest.push_back(std::move(entries[i]));
        }
      }
      entries = std::move(rest);
    }
    file.Done(count, 0);
  }

  void ImportDepartments(const std::string& path, const std::string& name) {
    const absl::Time start = absl::Now();
    FileImport* file = nullptr;
    auto entries = Load<v1::Department>(path, &file, name);
    {
      ProgressReporter progress(file, options_.tty);
      std::vector<std::pair<std::string, std::string>> links;
      for (const auto& e : entries) {
        links.emplace_back(e.message.credit_code(), e.message.parent_credit_code());
      }
      SendWaves(*file, std::move(entries), DepartmentWaves(links),
                [this](FileImport& f, std::vector<Entry<v1::Department>> batch) {
                  v1::ImportDepartmentsRequest request;
                  std::vector<int64_t> lines;
                  for (auto& e : batch) {
                    *request.add_departments() = std::move(e.message);
                    lines.push_back(e.line);
                  }
                  v1::ImportResponse response;
                  const grpc::Status s = Call(&Stub::ImportDepartments, request, &response);
                  Answered(f, s, response, lines);
                  f.Done(static_cast<int64_t>(lines.size()), 0);
                });
    }
    Finish(*file, start);
  }

  // Counts an ImportResponse, mapping each rejection's index in the request
  // back to the line it came from.
  void Answered(FileImport& file, const grpc::Status& s, const v1::ImportResponse& response,
                const std::vector<int64_t>& lines) {
    if (!s.ok()) {
      CallFailed(file, s, lines);
      return;
    }
    file.Accept(response.accepted());
    for (const v1::ImportRejection& r : response.rejected()) {
      const bool known = r.index() >= 0 && r.index() < static_cast<int>(lines.size());
      std::string reason = r.key().empty() ? r.reason() : absl::StrCat(r.key(), ": ", r.reason());
      file.Reject(
          known ? lines[r.index()] : 0,
          known ? std::move(reason) : absl::StrCat("(entry ", r.index(), " of a batch) ", reason));
    }
  }

  // Reads a large file line by line and hands batches to the workers.
  void Stream(const std::string& path, const std::string& name, int64_t size,
              const std::function<void(FileImport&, Batch)>& send) {
    const absl::Time start = absl::Now();
    FileImport& file = NewFile(name, size, /*in_lines=*/false);
    {
      ProgressReporter progress(&file, options_.tty);
      std::ifstream in(path);
      std::string line;
      Batch batch;
      int64_t number = 0;
      auto flush = [&] {
        if (batch.lines.empty() && batch.bytes == 0) return;
        auto b = std::make_shared<Batch>(std::move(batch));
        batch = Batch();
        queue_.Submit([&file, b, &send] { send(file, std::move(*b)); });
      };
      while (!Stopping() && std::getline(in, line)) {
        ++number;
        batch.bytes += static_cast<int64_t>(line.size()) + 1;
        if (Skipped(line)) {
          ++batch.skipped;
          continue;
        }
        batch.lines.push_back(std::move(line));
        batch.numbers.push_back(number);
        if (batch.lines.size() >= options_.batch || batch.bytes >= options_.max_batch_bytes) {
          flush();
        }
      }
      flush();
      queue_.Wait();
    }
    Finish(file, start);
  }

  // Parses a batch into `request` (arena-allocated by the caller); the lines
  // of the entries that parsed, in request order.
  template <typename Request, typename Add, typename RemoveLast>
  std::vector<int64_t> ParseBatch(FileImport& file, const Batch& batch, Request* request, Add add,
                                  RemoveLast remove_last) {
    std::vector<int64_t> lines;
    lines.reserve(batch.lines.size());
    for (size_t i = 0; i < batch.lines.size(); ++i) {
      auto* message = add(request);
      absl::Status s = ParseLine(batch.lines[i], message);
      if (!s.ok()) {
        file.Reject(batch.numbers[i], BadJson(*message, s.message()));
        remove_last(request);
        continue;
      }
      lines.push_back(batch.numbers[i]);
    }
    return lines;
  }

  void SendBasicItems(FileImport& file, Batch batch) {
    google::protobuf::Arena arena;
    auto* request = google::protobuf::Arena::CreateMessage<v1::ImportBasicItemsRequest>(&arena);
    const std::vector<int64_t> lines = ParseBatch(
        file, batch, request, [](v1::ImportBasicItemsRequest* r) { return r->add_items(); },
        [](v1::ImportBasicItemsRequest* r) { r->mutable_items()->RemoveLast(); });
    if (!lines.empty() && !Stopping()) {
      v1::ImportResponse response;
      Answered(file, Call(&Stub::ImportBasicItems, *request, &response), response, lines);
    }
    file.Done(static_cast<int64_t>(batch.lines.size()) + batch.skipped, batch.bytes);
  }

  void SendImplementations(FileImport& file, Batch batch) {
    // One arena per batch: parsing a thousand guides allocates tens of
    // thousands of small objects, and the arena frees them at once.
    google::protobuf::Arena arena;
    auto* request =
        google::protobuf::Arena::CreateMessage<v1::ImportImplementationsRequest>(&arena);
    const std::vector<int64_t> lines = ParseBatch(
        file, batch, request,
        [](v1::ImportImplementationsRequest* r) { return r->add_implementations(); },
        [](v1::ImportImplementationsRequest* r) { r->mutable_implementations()->RemoveLast(); });
    if (!lines.empty() && !Stopping()) {
      v1::ImportResponse response;
      Answered(file, Call(&Stub::ImportImplementations, *request, &response), response, lines);
    }
    file.Done(static_cast<int64_t>(batch.lines.size()) + batch.skipped, batch.bytes);
  }

  // One SetRequiredItems call per line: each line is one body's whole list.
  void SendRequired(FileImport& file, Batch batch) {
    for (size_t i = 0; i < batch.lines.size() && !Stopping(); ++i) {
      v1::SetRequiredItemsRequest request;
      absl::Status parsed = ParseLine(batch.lines[i], &request);
      if (!parsed.ok()) {
        file.Reject(batch.numbers[i], BadJson(request, parsed.message()));
        continue;
      }
      v1::SetRequiredItemsResponse response;
      const grpc::Status s = Call(&Stub::SetRequiredItems, request, &response);
      if (s.ok()) {
        file.Accept(1);
      } else {
        CallFailed(file, s, {batch.numbers[i]});
      }
    }
    file.Done(static_cast<int64_t>(batch.lines.size()) + batch.skipped, batch.bytes);
  }

  const Options options_;
  std::unique_ptr<Stub> stub_;
  Tokens tokens_;
  absl::Mutex mu_;
  std::string stop_reason_ ABSL_GUARDED_BY(mu_);
  std::atomic<bool> stopping_{false};
  std::vector<std::unique_ptr<FileImport>> files_;
  WorkQueue queue_;  // last: its threads stop before the state they use goes
};

}  // namespace
}  // namespace onewindow::catalog_import

int main(int argc, char** argv) {
  using namespace onewindow;
  config::ParseFlags(argc, argv, "catalog_import [--dir=DIR] [--regions=FILE]");
  const std::string dir = absl::GetFlag(FLAGS_dir);
  const std::string regions = absl::GetFlag(FLAGS_regions);
  if (dir.empty() && regions.empty()) {
    std::fprintf(stderr, "catalog_import: --dir=DIR or --regions=FILE is required\n");
    return 2;
  }
  std::vector<std::string> paths;  // in load order; the first is --regions when given
  if (!regions.empty()) paths.push_back(regions);
  if (!dir.empty()) {
    if (!std::filesystem::is_directory(dir)) {
      std::fprintf(stderr, "catalog_import: %s is not a directory\n", dir.c_str());
      return 2;
    }
    for (const char* name : {"regions.jsonl", "departments.jsonl", "basic_items.jsonl",
                             "implementations.jsonl", "required_items.jsonl"}) {
      const std::string path = absl::StrCat(dir, "/", name);
      if (std::filesystem::exists(path)) paths.push_back(path);
    }
    if (paths.empty()) {
      std::fprintf(stderr, "catalog_import: no .jsonl files to load in %s\n", dir.c_str());
      return 2;
    }
  }
  auto keys = auth::KeyRingFromFlags();
  if (!keys.ok()) {
    std::fprintf(stderr, "catalog_import: %s\n", std::string(keys.status().message()).c_str());
    return 2;
  }
  catalog_import::Options options;
  options.batch = static_cast<size_t>(std::max(1, absl::GetFlag(FLAGS_batch)));
  options.max_batch_bytes = static_cast<int64_t>(std::max(1, absl::GetFlag(FLAGS_max_batch_kb)))
                            << 10;
  options.threads = std::clamp(absl::GetFlag(FLAGS_threads), 1, 64);
  options.call_timeout = absl::Seconds(std::max(1, absl::GetFlag(FLAGS_call_timeout_seconds)));
  options.tty = ::isatty(2) != 0;
  catalog_import::Importer importer(
      options,
      catalog::v1::CatalogService::NewStub(client::MakeChannel(absl::GetFlag(FLAGS_catalog_addr))),
      *std::move(keys));
  for (size_t i = 0; i < paths.size(); ++i) {
    if (!importer.ImportFile(paths[i], /*regions=*/i == 0 && !regions.empty())) break;
  }
  return importer.Summarize(absl::GetFlag(FLAGS_max_listed));
}
