#include "libs/outbox/outbox.h"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <utility>

#include <SQLiteCpp/Statement.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "libs/outbox/batch_receiver.h"
#include "libs/status/macros.h"
#include "libs/store/times.h"

namespace onewindow::outbox {
namespace {

bool IsPermanent(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kUnimplemented:
    case absl::StatusCode::kOutOfRange:
      return true;
    default:
      return false;
  }
}

template <typename Map>
std::string QuotedList(const Map& senders) {
  std::vector<std::string> quoted;
  for (const auto& [topic, unused] : senders) {
    std::string q = "'";
    for (char c : topic) q += c == '\'' ? std::string("''") : std::string(1, c);
    quoted.push_back(q + "'");
  }
  return absl::StrJoin(quoted, ",");
}

}  // namespace

store::Migration OutboxMigration(int version) {
  return {version, "outbox", R"sql(
CREATE TABLE outbox (
  sequence INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL UNIQUE,
  topic TEXT NOT NULL,
  ordering_key TEXT NOT NULL,
  payload BLOB NOT NULL,
  enqueue_time INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_time INTEGER NOT NULL,
  dead INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_by_key ON outbox(ordering_key, sequence);
CREATE INDEX outbox_due ON outbox(dead, next_attempt_time);
)sql"};
}

store::Migration OutboxPlainSequenceMigration(int version) {
  return {version, "outbox without AUTOINCREMENT", R"sql(
CREATE TABLE outbox_rebuilt (
  sequence INTEGER PRIMARY KEY,
  event_id TEXT NOT NULL UNIQUE,
  topic TEXT NOT NULL,
  ordering_key TEXT NOT NULL,
  payload BLOB NOT NULL,
  enqueue_time INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_time INTEGER NOT NULL,
  dead INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT ''
);
INSERT INTO outbox_rebuilt (sequence, event_id, topic, ordering_key, payload, enqueue_time,
                            attempts, next_attempt_time, dead, last_error)
  SELECT sequence, event_id, topic, ordering_key, payload, enqueue_time,
         attempts, next_attempt_time, dead, last_error FROM outbox ORDER BY sequence;
DROP TABLE outbox;
ALTER TABLE outbox_rebuilt RENAME TO outbox;
CREATE INDEX outbox_by_key ON outbox(ordering_key, sequence);
CREATE INDEX outbox_due ON outbox(dead, next_attempt_time);
)sql"};
}

absl::Status Enqueue(store::Connection& tx, const Event& event, absl::Time now) {
  if (event.event_id.empty()) return absl::InvalidArgumentError("outbox event: event_id is empty");
  if (event.topic.empty()) return absl::InvalidArgumentError("outbox event: topic is empty");
  auto insert = tx.Prepare(
      "INSERT INTO outbox (event_id, topic, ordering_key, payload, enqueue_time,"
      " next_attempt_time) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING");
  insert->bind(1, event.event_id);
  insert->bind(2, event.topic);
  insert->bind(3, event.ordering_key.empty() ? event.event_id : event.ordering_key);
  insert->bind(4, event.payload.data(), static_cast<int>(event.payload.size()));
  insert->bind(5, store::ToStoredTime(now));
  insert->bind(6, store::ToStoredTime(now));
  if (insert->exec() == 0) {
    return absl::AlreadyExistsError(absl::StrCat("outbox event ", event.event_id, " exists"));
  }
  return absl::OkStatus();
}

struct Relay::Outcome {
  absl::Status status;
  // False for an event the pass never handed to a sender (no room before
  // send_timeout): it stays due as it was, no attempt charged.
  bool attempted = true;
};

Relay::Relay(store::Database* db, RelayOptions options, log::Logger logger,
             prometheus::Registry* metrics)
    : db_(db), options_(options), logger_(std::move(logger)) {
  delivered_ = &prometheus::BuildCounter()
                    .Name("onewindow_outbox_delivered_total")
                    .Help("Events the outbox relay delivered, by topic.")
                    .Register(*metrics);
  failures_ = &prometheus::BuildCounter()
                   .Name("onewindow_outbox_failures_total")
                   .Help("Failed delivery attempts, by topic and kind (transient, permanent).")
                   .Register(*metrics);
  backlog_ = &prometheus::BuildGauge()
                  .Name("onewindow_outbox_backlog_events")
                  .Help("Events stored and not yet delivered (dead ones excluded).")
                  .Register(*metrics)
                  .Add({});
  dead_ = &prometheus::BuildGauge()
               .Name("onewindow_outbox_dead_events")
               .Help("Events parked after a permanent failure; need an operator.")
               .Register(*metrics)
               .Add({});
  latency_ =
      &prometheus::BuildHistogram()
           .Name("onewindow_outbox_delivery_latency_seconds")
           .Help("From enqueue to delivery.")
           .Register(*metrics)
           .Add({}, prometheus::Histogram::BucketBoundaries{0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                            0.5, 1, 2.5, 5, 10, 30, 60, 300});
}

Relay::~Relay() { Stop(); }

void Relay::Route(std::string topic, Sender sender) {
  Destination to;
  to.sender = std::move(sender);
  AddRoute(std::move(topic), std::move(to));
}

void Relay::Route(std::string topic, AsyncSender sender) {
  Destination to;
  to.async_sender = std::move(sender);
  AddRoute(std::move(topic), std::move(to));
}

void Relay::RouteBatches(std::string topic, BatchSender sender) {
  Destination to;
  to.batch_sender = std::move(sender);
  AddRoute(std::move(topic), std::move(to));
}

void Relay::AddRoute(std::string topic, Destination destination) {
  destination.delivered = &delivered_->Add({{"topic", topic}});
  destination.transient_failures = &failures_->Add({{"topic", topic}, {"kind", "transient"}});
  destination.permanent_failures = &failures_->Add({{"topic", topic}, {"kind", "permanent"}});
  senders_[std::move(topic)] = std::move(destination);
  BuildDueQuery();
}

void Relay::BuildDueQuery() {
  // Oldest due first, in the order of the outbox_due index, so a pass stops
  // after batch_size rows even behind a long backlog (ordering by sequence
  // made every pass sort the whole backlog). Events of one key still go in
  // sequence: only the earliest of each key is eligible.
  due_query_ = absl::StrCat(
      "SELECT o.sequence, o.event_id, o.topic, o.ordering_key, o.payload, o.attempts,"
      " o.enqueue_time FROM outbox o WHERE o.dead = 0 AND o.next_attempt_time <= ?"
      " AND o.topic IN (",
      QuotedList(senders_),
      ") AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.ordering_key = o.ordering_key"
      " AND p.sequence < o.sequence) ORDER BY o.next_attempt_time LIMIT ?");
}

void Relay::Start() {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "ow-relay");
    Run();
  });
}

void Relay::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void Relay::Wake() {
  absl::MutexLock lock(&mu_);
  wake_ = true;
}

absl::Duration Relay::Backoff(int attempts) {
  absl::Duration base = options_.initial_backoff;
  for (int i = 0; i < attempts && base < options_.max_backoff; ++i) base *= 2;
  base = std::min(base, options_.max_backoff);
  // Full jitter on half the delay: spreads retries of many events that
  // failed together without ever retrying sooner than half the back-off.
  absl::MutexLock lock(&mu_);
  return base / 2 + base / 2 * absl::Uniform(bitgen_, 0.0, 1.0);
}

absl::StatusOr<int> Relay::DeliverDue(absl::Time now) {
  if (senders_.empty()) return 0;
  // Shared: a sender still holding events after the pass gave up on it
  // (send_timeout) keeps them alive.
  auto events = std::make_shared<std::vector<PendingEvent>>();
  std::vector<PendingEvent>& batch = *events;
  // On a pooled reader, though its cache starts cold after every commit:
  // on the writer's warm connection the same read took as many
  // instructions and held off every grouped write meanwhile, and under a
  // stream of submissions the committer is the one stage that runs alone.
  RETURN_IF_ERROR(db_->Read([&](store::Connection& db) {
    auto select = db.Prepare(due_query_);
    select->bind(1, store::ToStoredTime(now));
    select->bind(2, options_.batch_size);
    while (select->executeStep()) {
      PendingEvent e;
      e.sequence = select->getColumn(0).getInt64();
      e.event.event_id = select->getColumn(1).getString();
      e.event.topic = select->getColumn(2).getString();
      e.event.ordering_key = select->getColumn(3).getString();
      const SQLite::Column payload = select->getColumn(4);
      e.event.payload.assign(static_cast<const char*>(payload.getBlob()),
                             static_cast<size_t>(payload.getBytes()));
      e.attempts = select->getColumn(5).getInt();
      e.enqueue_time = store::FromStoredTime(select->getColumn(6).getInt64());
      batch.push_back(std::move(e));
    }
    return absl::OkStatus();
  }));
  if (batch.empty()) return 0;

  std::vector<Outcome> outcomes(batch.size());
  Send(events, outcomes);
  const absl::Time done = absl::Now();
  int delivered = 0;
  // Grouped: the outcome shares its commit (and fsync) with the service's
  // own writes rather than adding one of its own.
  RETURN_IF_ERROR(db_->WriteGrouped([&](store::Connection& db) {
    auto remove = db.Prepare("DELETE FROM outbox WHERE sequence = ?");
    auto retry = db.Prepare(
        "UPDATE outbox SET attempts = attempts + 1, next_attempt_time = ?,"
        " last_error = ?, dead = ? WHERE sequence = ?");
    for (size_t i = 0; i < batch.size(); ++i) {
      const PendingEvent& e = batch[i];
      const absl::Status& s = outcomes[i].status;
      if (!outcomes[i].attempted) continue;
      if (s.ok()) {
        remove->bind(1, e.sequence);
        remove->exec();
        remove->reset();
        continue;
      }
      const int attempts = e.attempts + 1;
      const bool dead =
          IsPermanent(s.code()) || (options_.max_attempts > 0 && attempts >= options_.max_attempts);
      retry->bind(1, store::ToStoredTime(now + Backoff(e.attempts)));
      retry->bind(2, s.ToString());
      retry->bind(3, dead ? 1 : 0);
      retry->bind(4, e.sequence);
      retry->exec();
      retry->reset();
    }
    return absl::OkStatus();
  }));
  for (size_t i = 0; i < batch.size(); ++i) {
    const PendingEvent& e = batch[i];
    const absl::Status& s = outcomes[i].status;
    if (!outcomes[i].attempted) continue;
    // Only routed topics are read (the due query names them).
    const Destination& to = senders_.find(e.event.topic)->second;
    if (s.ok()) {
      ++delivered;
      to.delivered->Increment();
      latency_->Observe(absl::ToDoubleSeconds(done - e.enqueue_time));
      continue;
    }
    const bool permanent = IsPermanent(s.code());
    const bool dead =
        permanent || (options_.max_attempts > 0 && e.attempts + 1 >= options_.max_attempts);
    (permanent ? to.permanent_failures : to.transient_failures)->Increment();
    const std::string error = s.ToString();
    if (dead) {
      logger_.Error("outbox event parked as dead; requeue after fixing the cause",
                    {{"event_id", e.event.event_id},
                     {"topic", e.event.topic},
                     {"attempts", e.attempts + 1},
                     {"error", error}});
    } else {
      logger_.Warn("outbox delivery failed; will retry", {{"event_id", e.event.event_id},
                                                          {"topic", e.event.topic},
                                                          {"attempts", e.attempts + 1},
                                                          {"error", error}});
    }
  }
  return delivered;
}

namespace {

// What a pass's asynchronous sends report into. Shared with every callback,
// as is the batch, so a sender that answers after the pass gave up on it
// (see RelayOptions::send_timeout) finds both still there and changes
// nothing.
struct AsyncSends {
  explicit AsyncSends(std::shared_ptr<const std::vector<PendingEvent>> events, int limit)
      : batch(std::move(events)), limit(limit), statuses(batch->size()), answered(batch->size()) {}

  bool HasRoom() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { return in_flight < limit; }
  bool None() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { return in_flight == 0; }

  // Records event `i`'s outcome once; later reports (a sender answering
  // twice, or after the pass gave up) are ignored.
  void Answer(size_t i, absl::Status status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    if (answered[i]) return;
    answered[i] = 1;
    statuses[i] = std::move(status);
  }

  const std::shared_ptr<const std::vector<PendingEvent>> batch;
  const int limit;
  absl::Mutex mu;
  int in_flight ABSL_GUARDED_BY(mu) = 0;
  std::vector<absl::Status> statuses ABSL_GUARDED_BY(mu);
  // Not vector<bool>: one byte per event.
  std::vector<char> answered ABSL_GUARDED_BY(mu);
};

}  // namespace

void Relay::Send(std::shared_ptr<const std::vector<PendingEvent>> events,
                 std::vector<Outcome>& outcomes) {
  const std::vector<PendingEvent>& batch = *events;
  // Asynchronous destinations: everything in flight at once, up to
  // max_in_flight, and none waited for beyond send_timeout.
  const absl::Time give_up = absl::Now() + options_.send_timeout;
  auto sends = std::make_shared<AsyncSends>(events, std::max(1, options_.max_in_flight));
  std::vector<size_t> sent;
  auto take_room = [&] {
    absl::MutexLock lock(&sends->mu);
    if (!sends->mu.AwaitWithDeadline(absl::Condition(sends.get(), &AsyncSends::HasRoom), give_up)) {
      return false;
    }
    ++sends->in_flight;
    return true;
  };
  std::vector<size_t> blocking;
  // Per batched topic, the events waiting to fill an exchange.
  std::map<std::string, std::vector<size_t>, std::less<>> gathering;
  std::vector<size_t> unsent;
  auto send_batch = [&](const BatchSender& sender, std::vector<size_t> indices) {
    if (!take_room()) {
      unsent.insert(unsent.end(), indices.begin(), indices.end());
      return;
    }
    sent.insert(sent.end(), indices.begin(), indices.end());
    std::vector<const PendingEvent*> pointers;
    pointers.reserve(indices.size());
    for (size_t i : indices) pointers.push_back(&batch[i]);
    auto reported = std::make_shared<std::atomic<bool>>(false);
    BatchDone done = [sends, indices, reported](std::vector<absl::Status> statuses) {
      if (reported->exchange(true)) return;
      absl::MutexLock lock(&sends->mu);
      for (size_t k = 0; k < indices.size(); ++k) {
        sends->Answer(indices[k], statuses.size() == indices.size()
                                      ? std::move(statuses[k])
                                      : absl::InternalError(absl::StrCat(
                                            "batch sender answered ", statuses.size(),
                                            " outcomes for ", indices.size(), " events")));
      }
      --sends->in_flight;
    };
    try {
      sender(pointers, done);
    } catch (const std::exception& e) {
      done(std::vector<absl::Status>(
          indices.size(), absl::InternalError(absl::StrCat("sender threw: ", e.what()))));
    }
  };
  // Receivers refuse larger calls outright (batch_receiver.h).
  const size_t per_batch =
      static_cast<size_t>(std::clamp(options_.events_per_batch, 1, kMaxBatchEvents));
  for (size_t i = 0; i < batch.size(); ++i) {
    const Destination& to = senders_.find(batch[i].event.topic)->second;
    if (to.batch_sender) {
      std::vector<size_t>& waiting = gathering[batch[i].event.topic];
      waiting.push_back(i);
      if (waiting.size() >= per_batch) send_batch(to.batch_sender, std::exchange(waiting, {}));
      continue;
    }
    if (!to.async_sender) {
      blocking.push_back(i);
      continue;
    }
    if (!take_room()) {
      unsent.push_back(i);
      continue;
    }
    sent.push_back(i);
    // Once only: a sender that reported and then threw must not count its
    // event twice, or the pass could end while a call still refers to it.
    auto reported = std::make_shared<std::atomic<bool>>(false);
    Done done = [sends, i, reported](absl::Status status) {
      if (reported->exchange(true)) return;
      absl::MutexLock lock(&sends->mu);
      sends->Answer(i, std::move(status));
      --sends->in_flight;
    };
    try {
      to.async_sender(batch[i], done);
    } catch (const std::exception& e) {
      done(absl::InternalError(absl::StrCat("sender threw: ", e.what())));
    }
  }
  for (auto& [topic, waiting] : gathering) {
    if (!waiting.empty()) send_batch(senders_.find(topic)->second.batch_sender, std::move(waiting));
  }

  // Blocking destinations: a few threads, each taking events in turn.
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t n = next++; n < blocking.size(); n = next++) {
      const size_t i = blocking[n];
      const Sender& sender = senders_.find(batch[i].event.topic)->second.sender;
      try {
        outcomes[i].status = sender(batch[i]);
      } catch (const std::exception& e) {
        outcomes[i].status = absl::InternalError(absl::StrCat("sender threw: ", e.what()));
      }
    }
  };
  // Small batches go out on this thread: starting threads would cost more
  // than the sends.
  const int wanted = static_cast<int>((blocking.size() + options_.events_per_sender - 1) /
                                      std::max(1, options_.events_per_sender));
  const int workers = std::max(1, std::min(options_.concurrency, wanted));
  std::vector<std::thread> threads;
  for (int i = 1; i < workers; ++i) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();

  for (size_t i : unsent) {
    outcomes[i] = {absl::UnavailableError("not sent: no room before send_timeout"), false};
  }
  // Slow blocking senders must not eat the asynchronous ones' time: those
  // get a little more whatever the blocking ones took.
  const absl::Time wait_until =
      std::max(give_up, absl::Now() + std::min(options_.send_timeout, absl::Seconds(5)));
  absl::MutexLock lock(&sends->mu);
  sends->mu.AwaitWithDeadline(absl::Condition(sends.get(), &AsyncSends::None), wait_until);
  int abandoned = 0;
  for (size_t i : sent) {
    if (!sends->answered[i]) {
      // Retried like any transient failure; a late answer is ignored.
      sends->Answer(i, absl::DeadlineExceededError(
                           absl::StrCat("no answer from the sender within ",
                                        absl::FormatDuration(options_.send_timeout))));
      ++abandoned;
    }
    outcomes[i].status = sends->statuses[i];
  }
  if (abandoned > 0) {
    logger_.Error(
        "outbox sender never answered; its events will be retried",
        {{"events", abandoned}, {"timeout_seconds", absl::ToDoubleSeconds(options_.send_timeout)}});
  }
}

absl::StatusOr<int> Relay::RequeueDead(absl::string_view topic) {
  int changed = 0;
  RETURN_IF_ERROR(db_->Write([&](store::Connection& db) {
    SQLite::Statement update(db,
                             "UPDATE outbox SET dead = 0, attempts = 0, next_attempt_time = ?"
                             " WHERE dead = 1 AND topic = ?");
    update.bind(1, store::ToStoredTime(absl::Now()));
    update.bind(2, std::string(topic));
    changed = update.exec();
    return absl::OkStatus();
  }));
  Wake();
  return changed;
}

absl::StatusOr<int64_t> Relay::Backlog() const {
  int64_t n = 0;
  RETURN_IF_ERROR(db_->Read([&](store::Connection& db) {
    n = db.execAndGet("SELECT COUNT(*) FROM outbox").getInt64();
    return absl::OkStatus();
  }));
  return n;
}

void Relay::RefreshGauges() {
  (void)db_->Read([&](store::Connection& db) {
    SQLite::Statement count(db, "SELECT dead, COUNT(*) FROM outbox GROUP BY dead");
    double live = 0, dead = 0;
    while (count.executeStep()) {
      (count.getColumn(0).getInt() ? dead : live) = count.getColumn(1).getDouble();
    }
    backlog_->Set(live);
    dead_->Set(dead);
    return absl::OkStatus();
  });
}

void Relay::Run() {
  absl::Time last_gauges = absl::InfinitePast();
  while (true) {
    absl::StatusOr<int> delivered = DeliverDue(absl::Now());
    if (!delivered.ok()) {
      logger_.Warn("outbox pass failed", {{"error", delivered.status().ToString()}});
    }
    if (absl::Now() - last_gauges > absl::Seconds(1)) {
      RefreshGauges();
      last_gauges = absl::Now();
    }
    // A full batch means more is probably due: go again at once.
    const bool more = delivered.ok() && *delivered >= options_.batch_size;
    absl::MutexLock lock(&mu_);
    if (stop_) return;
    if (!more && options_.min_pass_interval > absl::ZeroDuration()) {
      mu_.AwaitWithTimeout(absl::Condition(&stop_), options_.min_pass_interval);
      if (stop_) return;
    }
    if (!more) {
      const absl::Duration wait = std::min(options_.poll_interval, options_.initial_backoff);
      mu_.AwaitWithTimeout(
          absl::Condition(
              +[](Relay* r) ABSL_EXCLUSIVE_LOCKS_REQUIRED(r->mu_) { return r->wake_ || r->stop_; },
              this),
          wake_ ? absl::ZeroDuration() : wait);
    }
    wake_ = false;
    if (stop_) return;
  }
}

}  // namespace onewindow::outbox
