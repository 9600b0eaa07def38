#include "tools/loadgen/workload.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <random>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tools/loadgen/http_conn.h"
#include "tools/loadgen/requests.h"

namespace onewindow::loadgen {

namespace net = boost::asio;

// One virtual user: a connection, maybe a session, and the operation it is
// in the middle of. Everything runs on its io_context's thread; gRPC
// completions are posted back there.
class Workload::User {
 public:
  User(Workload* w, net::io_context& io, RunStats* stats, int index)
      : w_(w),
        io_(io),
        stats_(stats),
        index_(index),
        rng_(w->options_.seed * 1000003u + static_cast<uint64_t>(index)),
        conn_(io, w->options_.gateway, w->options_.timeout),
        pause_(io) {}

  void Start() {
    net::post(io_, [this] { Next(); });
  }

 private:
  using Then = std::function<void()>;

  void Next() {
    if (w_->stopping()) {
      conn_.Close();
      w_->live_.fetch_sub(1);
      return;
    }
    switch (w_->options_.mix.Pick(Unit())) {
      case Op::kSearch:
        return Search();
      case Op::kGuide:
        return Guide();
      case Op::kLogin:
        return Login([this] { Next(); });
      case Op::kMe:
        return WithSession([this] { Me(); });
      case Op::kSubmit:
        return WithSession([this] { Submit(); });
      case Op::kDecide:
        return Decide();
      case Op::kComplain:
        return WithSession([this] { Complain(); });
    }
  }

  double Unit() { return std::uniform_real_distribution<double>(0, 1)(rng_); }
  template <typename T>
  const T& Any(const std::vector<T>& v) {
    return v[static_cast<size_t>(rng_() % v.size())];
  }
  std::string Key() { return absl::StrCat("lg-", w_->options_.run_id, "-", index_, "-", ++keys_); }

  // Sends, records the answer under `endpoint`, then `then(answer, ok)`.
  void Http(Endpoint endpoint, HttpCall call,
            std::function<void(const HttpAnswer&, bool ok)> then) {
    conn_.Send(std::move(call), [this, endpoint, then = std::move(then)](HttpAnswer answer) {
      const bool ok = Record(endpoint, answer);
      // A session that ended (idle timeout, Redis restarted): sign in again
      // before the next operation that needs one.
      if (answer.status == 401) session_ = Session{};
      if (answer.status != 0 && answer.status != 429) return then(answer, ok);
      // Throttled: wait as told (at most a second), as a well-behaved client
      // does. No connection: pause, or a gateway that is down turns every
      // user into a busy loop of failed connects.
      int64_t pause_ms = 50;
      if (answer.status == 429) {
        int64_t seconds = 1;
        if (!absl::SimpleAtoi(answer.retry_after, &seconds)) seconds = 1;
        pause_ms = std::clamp<int64_t>(seconds * 1000, 50, 1000);
      }
      pause_.expires_after(std::chrono::milliseconds(pause_ms));
      pause_.async_wait([this, answer = std::move(answer), then](boost::system::error_code) {
        then(answer, false);
      });
    });
  }

  bool Record(Endpoint endpoint, const HttpAnswer& answer) {
    const bool ok = answer.status >= 200 && answer.status < 300;
    if (!w_->recording()) return ok;
    EndpointStats& s = stats_->at(endpoint);
    ++s.requests;
    w_->progress_.requests.fetch_add(1, std::memory_order_relaxed);
    if (ok) {
      ++s.ok;
      s.latency.Record(answer.micros);
    } else if (answer.status == 429) {
      ++s.throttled;
      w_->progress_.throttled.fetch_add(1, std::memory_order_relaxed);
    } else {
      s.AddError(answer.status == 0 ? absl::StrCat("transport: ", answer.transport_error)
                                    : DescribeAnswer(answer.status, answer.body));
      w_->progress_.errors.fetch_add(1, std::memory_order_relaxed);
    }
    return ok;
  }

  void Search() {
    const std::vector<std::string>& regions = w_->plan_.regions;
    // Half the searches filter by a region, as a citizen's portal does.
    const std::string& region = !regions.empty() && Unit() < 0.5 ? Any(regions) : kNoRegion;
    Http(Endpoint::kSearch, SearchCall(Any(w_->plan_.words), region),
         [this](const HttpAnswer&, bool) { Next(); });
  }

  void Guide() {
    Http(Endpoint::kGuide, GuideCall(Any(w_->plan_.guide_codes)),
         [this](const HttpAnswer&, bool) { Next(); });
  }

  // Signs in as one of the citizens (a new session each time, as after a
  // browser restart), then `then`; on failure the operation ends.
  void Login(Then then) {
    Http(Endpoint::kLogin, LoginCall(Any(w_->plan_.citizens)),
         [this, then = std::move(then)](const HttpAnswer& answer, bool ok) {
           if (!ok) return Next();
           absl::StatusOr<Session> session = SessionFrom(answer.set_cookie, answer.body);
           if (!session.ok()) {
             if (w_->recording()) {
               stats_->at(Endpoint::kLogin).AddError(std::string(session.status().message()));
             }
             return Next();
           }
           session_ = *std::move(session);
           then();
         });
  }

  void WithSession(Then then) {
    if (session_.valid()) return then();
    Login(std::move(then));
  }

  void Me() {
    Http(Endpoint::kMe, MeCall(session_), [this](const HttpAnswer&, bool) { Next(); });
  }

  // Uploads one file per required material, then submits.
  void Submit() {
    submitting_ = &Any(w_->plan_.submit_items);
    material_ids_.clear();
    UploadNext();
  }

  void UploadNext() {
    if (material_ids_.size() >= submitting_->required_materials.size()) {
      Http(Endpoint::kSubmit, SubmitCall(session_, *submitting_, material_ids_, Key()),
           [this](const HttpAnswer&, bool) { Next(); });
      return;
    }
    const std::string name =
        absl::StrCat(submitting_->required_materials[material_ids_.size()], ".pdf");
    Http(Endpoint::kUpload, UploadCall(session_, name, w_->pdf_),
         [this](const HttpAnswer& answer, bool ok) {
           if (!ok) return Next();
           absl::StatusOr<std::string> id = MaterialIdFrom(answer.body);
           if (!id.ok()) {
             if (w_->recording()) {
               stats_->at(Endpoint::kUpload).AddError(std::string(id.status().message()));
             }
             return Next();
           }
           material_ids_.push_back(*std::move(id));
           UploadNext();
         });
  }

  void Complain() {
    Http(Endpoint::kComplain, ComplainCall(session_, Any(w_->plan_.submit_items), Key()),
         [this](const HttpAnswer&, bool) { Next(); });
  }

  // A task from the shared pool (listing the queue when it is empty), then
  // its approval.
  void Decide() {
    if (std::optional<std::string> task = w_->desk_->Take()) return Approve(*task);
    w_->desk_->Refill([this](Desk::Result r) {
      net::post(io_, [this, r = std::move(r)] {
        RecordGrpc(Endpoint::kQueue, r);
        std::optional<std::string> task = r.status.ok() ? w_->desk_->Take() : std::nullopt;
        if (!task.has_value()) {
          if (r.status.ok() && w_->recording()) ++stats_->at(Endpoint::kDecide).idle;
          return Next();
        }
        Approve(*task);
      });
    });
  }

  void Approve(const std::string& task_id) {
    w_->desk_->Approve(task_id, Key(), [this](Desk::Result r) {
      net::post(io_, [this, r = std::move(r)] {
        RecordGrpc(Endpoint::kDecide, r);
        Next();
      });
    });
  }

  void RecordGrpc(Endpoint endpoint, const Desk::Result& r) {
    if (!w_->recording()) return;
    EndpointStats& s = stats_->at(endpoint);
    ++s.requests;
    w_->progress_.requests.fetch_add(1, std::memory_order_relaxed);
    switch (r.status.error_code()) {
      case grpc::StatusCode::OK:
        ++s.ok;
        s.latency.Record(r.micros);
        return;
      case grpc::StatusCode::RESOURCE_EXHAUSTED:
        ++s.throttled;
        w_->progress_.throttled.fetch_add(1, std::memory_order_relaxed);
        return;
      case grpc::StatusCode::FAILED_PRECONDITION:
        // Decided (or claimed) by someone else since it was listed.
        if (endpoint == Endpoint::kDecide) {
          ++s.conflicts;
          return;
        }
        break;
      default:
        break;
    }
    std::string message = r.status.error_message();
    if (message.size() > 160) message.resize(160);
    s.AddError(absl::StrCat("gRPC code ", static_cast<int>(r.status.error_code()), ": ", message));
    w_->progress_.errors.fetch_add(1, std::memory_order_relaxed);
  }

  static inline const std::string kNoRegion;

  Workload* const w_;
  net::io_context& io_;
  RunStats* const stats_;
  const int index_;
  std::mt19937_64 rng_;
  HttpConn conn_;
  net::steady_timer pause_;
  Session session_;
  uint64_t keys_ = 0;
  const SubmitItem* submitting_ = nullptr;
  std::vector<std::string> material_ids_;
};

Workload::Workload(const Plan& plan, WorkloadOptions options, Desk* desk)
    : plan_(plan), options_(std::move(options)), desk_(desk), pdf_(PdfBody(options_.upload_bytes)) {
  const int threads = std::max(1, options_.threads);
  for (int i = 0; i < threads; ++i) {
    ios_.push_back(std::make_unique<net::io_context>(1));
    stats_.push_back(std::make_unique<RunStats>());
  }
  for (int i = 0; i < std::max(1, options_.connections); ++i) {
    const size_t t = static_cast<size_t>(i) % ios_.size();
    users_.push_back(std::make_unique<User>(this, *ios_[t], stats_[t].get(), i));
  }
}

Workload::~Workload() {
  // Sockets before the io_contexts they belong to.
  users_.clear();
}

RunResult Workload::Run(const std::function<void(double, const Progress&)>& tick) {
  using Clock = std::chrono::steady_clock;
  live_ = static_cast<int>(users_.size());
  for (auto& u : users_) u->Start();
  std::vector<std::thread> threads;
  for (auto& io : ios_) threads.emplace_back([io = io.get()] { io->run(); });

  recording_ = true;
  const Clock::time_point start = Clock::now();
  const Clock::time_point end = start + absl::ToChronoNanoseconds(options_.duration);
  for (int second = 1;; ++second) {
    const Clock::time_point next = start + std::chrono::seconds(second);
    std::this_thread::sleep_until(std::min(next, end));
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    if (Clock::now() >= end) break;
    tick(elapsed, progress_);
  }
  recording_ = false;
  RunResult result;
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  tick(result.seconds, progress_);

  // Users finish the operation they are in (every request has a deadline)
  // and stop.
  stopping_ = true;
  const Clock::time_point grace = Clock::now() + options_.timeout + std::chrono::seconds(5);
  while (live_.load() > 0 && Clock::now() < grace) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  result.drained = live_.load() == 0;
  for (auto& io : ios_) io->stop();
  for (auto& t : threads) t.join();
  for (const auto& s : stats_) result.stats.Merge(*s);
  return result;
}

}  // namespace onewindow::loadgen
