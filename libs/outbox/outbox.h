#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "absl/base/thread_annotations.h"
#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/log/logger.h"
#include "libs/store/database.h"

namespace onewindow::outbox {

// The transactional outbox of DESIGN.md: a service writes its state change
// and the events announcing it in one transaction (Enqueue inside
// Database::Write), and the Relay delivers each event at least once, with
// back-off and jitter, to a receiver that is idempotent on the event id.

// The outbox table, to append to a service's migrations under its own
// version number.
store::Migration OutboxMigration(int version);
// Rebuilds that table without AUTOINCREMENT, keeping its events, to append
// after it. AUTOINCREMENT made every enqueue read and write sqlite_sequence
// (a fifth of Enqueue's instructions) and guarded nothing: a new event's
// sequence is still above every stored event's, which is all the order
// within an ordering key needs, and only the relay deletes events.
store::Migration OutboxPlainSequenceMigration(int version);

struct Event {
  // Unique per event; the receiver deduplicates on it.
  std::string event_id;
  // Which receiver gets it, e.g. "approval.open_case".
  std::string topic;
  // Events with the same ordering key are delivered in the order they were
  // enqueued (the later waits while an earlier one is retried); events with
  // different keys go out in parallel. Usually the aggregate id.
  std::string ordering_key;
  // Serialized request, opaque to the outbox.
  std::string payload;
};

// Records `event` inside the caller's write transaction. ALREADY_EXISTS if
// the event id was enqueued before.
absl::Status Enqueue(store::Connection& tx, const Event& event, absl::Time now);

struct PendingEvent {
  int64_t sequence = 0;
  Event event;
  int attempts = 0;  // Before this one.
  absl::Time enqueue_time;
};

// Delivers one event. OK means the receiver has applied it (or had already).
// Codes that mean "the receiver will never take this" (INVALID_ARGUMENT,
// NOT_FOUND, FAILED_PRECONDITION, PERMISSION_DENIED, UNIMPLEMENTED,
// OUT_OF_RANGE) park the event as dead for an operator; every other code is
// retried.
using Sender = std::function<absl::Status(const PendingEvent&)>;

// Delivers one event without holding a thread while it travels: starts the
// delivery and calls `done` exactly once, from any thread, with what a
// Sender would have returned. `done` may come after the relay stopped
// waiting (RelayOptions::send_timeout), so whatever the sender captures
// must outlive its calls, not only the relay. gRPC's callback stubs fit this, and a relay
// keeps a whole batch of them in flight at once.
using Done = std::function<void(absl::Status)>;
using AsyncSender = std::function<void(const PendingEvent&, Done done)>;

// Delivers several events of one topic in one exchange (one RPC carrying
// them all): starts it and calls `done` exactly once, from any thread, with
// one status per event in the order given, each meaning what a Sender's
// would. Per-event answers let one event be parked or retried without
// repeating the others. A receiver's round trip is then paid per batch, not
// per event, which is most of what a hand-off costs both sides.
using BatchDone = std::function<void(std::vector<absl::Status>)>;
using BatchSender = std::function<void(const std::vector<const PendingEvent*>&, BatchDone done)>;

struct RelayOptions {
  absl::Duration initial_backoff = absl::Milliseconds(200);
  absl::Duration max_backoff = absl::Seconds(60);
  // How often the relay looks even when nobody woke it (events enqueued by
  // another process, retries coming due).
  absl::Duration poll_interval = absl::Seconds(1);
  int batch_size = 256;
  // After a pass that emptied the queue, the least time before the next one
  // even when woken: under a stream of commits this gathers events into
  // batches instead of a pass (two transactions) per event.
  absl::Duration min_pass_interval = absl::Milliseconds(5);
  // Parallel sends within a batch (one per `events_per_sender` events).
  int concurrency = 8;
  int events_per_sender = 8;
  // Asynchronous sends outstanding at once (a batch counts as one).
  int max_in_flight = 256;
  // Most events a BatchSender gets in one exchange (at most
  // kMaxBatchEvents, which receivers accept).
  int events_per_batch = 64;
  // Transient failures before an event is parked as dead; 0 retries forever.
  int max_attempts = 0;
  // How long a pass waits for asynchronous senders to answer. Ours are gRPC
  // calls with 5 s deadlines, which always answer; a sender that never does
  // would otherwise stall delivery (and Stop) for good. Its events are then
  // retried like a transient failure, and an error is logged. Below the
  // deployments' 30 s shutdown grace, so Stop fits inside it.
  absl::Duration send_timeout = absl::Seconds(20);
};

class Relay {
 public:
  Relay(store::Database* db, RelayOptions options, log::Logger logger,
        prometheus::Registry* metrics);
  ~Relay();

  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;

  // Before Start: where events of `topic` go. Events of a topic nobody routes
  // wait in the table.
  void Route(std::string topic, Sender sender);
  void Route(std::string topic, AsyncSender sender);
  void RouteBatches(std::string topic, BatchSender sender);

  void Start();
  // Finishes the batch in flight and stops; undelivered events stay stored.
  void Stop();
  // Something was enqueued: deliver now rather than at the next poll.
  void Wake();

  // One pass: sends every due event (one per ordering key) and records the
  // outcomes. Returns how many were delivered. The background thread calls
  // this; tests call it directly with Start never called.
  absl::StatusOr<int> DeliverDue(absl::Time now);

  // Puts dead events of `topic` back in line (after an operator fixed the
  // cause). Returns how many.
  absl::StatusOr<int> RequeueDead(absl::string_view topic);

  // Stored events not yet delivered, dead ones included.
  absl::StatusOr<int64_t> Backlog() const;

 private:
  struct Outcome;
  // One of the three senders is set.
  struct Destination {
    Sender sender;
    AsyncSender async_sender;
    BatchSender batch_sender;
    // The topic's series, found once: a lookup by labels per event cost
    // more than the count.
    prometheus::Counter* delivered = nullptr;
    prometheus::Counter* transient_failures = nullptr;
    prometheus::Counter* permanent_failures = nullptr;
  };
  void AddRoute(std::string topic, Destination destination);
  void Send(std::shared_ptr<const std::vector<PendingEvent>> events,
            std::vector<Outcome>& outcomes);
  // The due events' query for the topics routed so far.
  void BuildDueQuery();
  void Run();
  absl::Duration Backoff(int attempts);
  void RefreshGauges();

  store::Database* const db_;
  const RelayOptions options_;
  const log::Logger logger_;
  std::map<std::string, Destination, std::less<>> senders_;
  std::string due_query_;

  prometheus::Family<prometheus::Counter>* delivered_;
  prometheus::Family<prometheus::Counter>* failures_;
  prometheus::Gauge* backlog_;
  prometheus::Gauge* dead_;
  prometheus::Histogram* latency_;

  absl::Mutex mu_;
  bool wake_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  absl::BitGen bitgen_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace onewindow::outbox
