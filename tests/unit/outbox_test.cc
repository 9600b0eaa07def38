#include "libs/outbox/outbox.h"

#include <SQLiteCpp/Statement.h>

#include <catch2/catch.hpp>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/outbox/batch_receiver.h"
#include "libs/outbox/grpc_sender.h"
#include "libs/outbox/notify_sender.h"
#include "libs/testing/process.h"

namespace onewindow::outbox {
namespace {

struct Fixture {
  Fixture() {
    auto opened = store::Database::Open({absl::StrCat(dir.path(), "/o.db")}, Migrations());
    REQUIRE(opened.ok());
    db = std::move(*opened);
  }

  // As services declare them; `upgraded` false stops before the rebuild.
  static std::vector<store::Migration> Migrations(bool upgraded = true) {
    std::vector<store::Migration> m = {{1, "things", "CREATE TABLE things (id TEXT PRIMARY KEY)"},
                                       OutboxMigration(2)};
    if (upgraded) m.push_back(OutboxPlainSequenceMigration(3));
    return m;
  }

  // A state change and its event in one transaction, as services do it.
  absl::Status Change(const std::string& id, const std::string& key, bool fail_after = false) {
    return db->Write([&](store::Connection& tx) -> absl::Status {
      SQLite::Statement insert(tx, "INSERT INTO things (id) VALUES (?)");
      insert.bind(1, id);
      insert.exec();
      absl::Status s = Enqueue(tx, {id, "receiver", key, "payload-" + id}, absl::Now());
      if (!s.ok()) return s;
      if (fail_after) return absl::InternalError("crash before commit");
      return absl::OkStatus();
    });
  }

  RelayOptions Options() {
    RelayOptions o;
    o.initial_backoff = absl::Milliseconds(10);
    o.max_backoff = absl::Milliseconds(40);
    return o;
  }

  // Each call is an hour after the previous one: far enough that every
  // back-off has passed. (Back-off counts from the pass's own time.)
  absl::Time Later() { return later += absl::Hours(1); }

  testing::TempDir dir;
  std::unique_ptr<store::Database> db;
  prometheus::Registry registry;
  absl::Time later = absl::Now();
};

TEST_CASE("an event enqueued with its change is delivered once with its payload") {
  Fixture f;
  REQUIRE(f.Change("a", "k").ok());
  Relay relay(f.db.get(), f.Options(), log::Logger::Stderr("test"), &f.registry);
  std::vector<std::string> got;
  relay.Route("receiver", [&](const PendingEvent& e) {
    got.push_back(e.event.event_id + "=" + e.event.payload);
    return absl::OkStatus();
  });
  CHECK(*relay.DeliverDue(f.Later()) == 1);
  CHECK(*relay.DeliverDue(f.Later()) == 0);
  CHECK(got == std::vector<std::string>{"a=payload-a"});
  CHECK(*relay.Backlog() == 0);
}

TEST_CASE("a rolled-back change leaves no event behind") {
  Fixture f;
  CHECK(!f.Change("a", "k", /*fail_after=*/true).ok());
  Relay relay(f.db.get(), f.Options(), log::Logger::Stderr("test"), &f.registry);
  CHECK(*relay.Backlog() == 0);
}

TEST_CASE("the same event id cannot be enqueued twice") {
  Fixture f;
  REQUIRE(f.Change("a", "k").ok());
  absl::Status again = f.db->Write([](store::Connection& tx) {
    return Enqueue(tx, {"a", "receiver", "k", "x"}, absl::Now());
  });
  CHECK(again.code() == absl::StatusCode::kAlreadyExists);
}

TEST_CASE("a receiver outage is retried with back-off until it recovers") {
  Fixture f;
  REQUIRE(f.Change("a", "k").ok());
  RelayOptions options = f.Options();
  options.initial_backoff = absl::Minutes(1);
  options.max_backoff = absl::Minutes(10);
  Relay relay(f.db.get(), options, log::Logger::Stderr("test"), &f.registry);
  int calls = 0;
  relay.Route("receiver", [&](const PendingEvent& e) {
    ++calls;
    CHECK(e.attempts == calls - 1);
    return calls < 4 ? absl::UnavailableError("receiver down") : absl::OkStatus();
  });
  // Not due again before its back-off has passed.
  CHECK(*relay.DeliverDue(absl::Now()) == 0);
  CHECK(*relay.DeliverDue(absl::Now()) == 0);
  CHECK(calls == 1);
  for (int i = 0; i < 3; ++i) relay.DeliverDue(f.Later()).IgnoreError();
  CHECK(calls == 4);
  CHECK(*relay.Backlog() == 0);
}

TEST_CASE("a permanent refusal parks the event as dead until it is requeued") {
  Fixture f;
  REQUIRE(f.Change("a", "k").ok());
  Relay relay(f.db.get(), f.Options(), log::Logger::Stderr("test"), &f.registry);
  bool accept = false;
  int calls = 0;
  relay.Route("receiver", [&](const PendingEvent&) {
    ++calls;
    return accept ? absl::OkStatus() : absl::InvalidArgumentError("bad payload");
  });
  CHECK(*relay.DeliverDue(f.Later()) == 0);
  CHECK(*relay.DeliverDue(f.Later()) == 0);
  CHECK(calls == 1);
  CHECK(*relay.Backlog() == 1);  // Kept, not lost.
  accept = true;
  CHECK(*relay.RequeueDead("receiver") == 1);
  CHECK(*relay.DeliverDue(f.Later()) == 1);
  CHECK(*relay.Backlog() == 0);
}

TEST_CASE("deliveries and failures are counted by topic, every routed topic from the start") {
  Fixture f;
  REQUIRE(f.Change("a", "a").ok());
  REQUIRE(f.Change("b", "b").ok());
  Relay relay(f.db.get(), f.Options(), log::Logger::Stderr("test"), &f.registry);
  int calls_for_a = 0;
  relay.Route("receiver", [&](const PendingEvent& e) {
    if (e.event.event_id == "b") return absl::InvalidArgumentError("refused");
    return ++calls_for_a == 1 ? absl::UnavailableError("down") : absl::OkStatus();
  });
  relay.Route("idle", [](const PendingEvent&) { return absl::OkStatus(); });
  REQUIRE(*relay.DeliverDue(f.Later()) == 0);
  REQUIRE(*relay.DeliverDue(f.Later()) == 1);

  std::map<std::string, double> counted;
  for (const auto& family : f.registry.Collect()) {
    if (!absl::StartsWith(family.name, "onewindow_outbox_") ||
        family.type != prometheus::MetricType::Counter) {
      continue;
    }
    for (const auto& metric : family.metric) {
      std::string name = family.name;
      for (const auto& label : metric.label)
        absl::StrAppend(&name, " ", label.name, "=", label.value);
      counted[name] = metric.counter.value;
    }
  }
  CHECK(counted == std::map<std::string, double>{
                       {"onewindow_outbox_delivered_total topic=idle", 0},
                       {"onewindow_outbox_delivered_total topic=receiver", 1},
                       {"onewindow_outbox_failures_total kind=permanent topic=idle", 0},
                       {"onewindow_outbox_failures_total kind=permanent topic=receiver", 1},
                       {"onewindow_outbox_failures_total kind=transient topic=idle", 0},
                       {"onewindow_outbox_failures_total kind=transient topic=receiver", 1},
                   });
}

TEST_CASE("a notification's params are cut to what notification takes, whole characters kept") {
  notification::v1::Event event;
  std::string long_text;
  while (long_text.size() < kMaxNotifyParamBytes + 10) long_text += "办";
  (*event.mutable_params())["reply"] = long_text;
  (*event.mutable_params())["number"] = "SQ20261203-000001";
  FitNotifyParams(&event);
  const std::string& reply = event.params().at("reply");
  CHECK(reply.size() <= kMaxNotifyParamBytes);
  CHECK(reply.size() > kMaxNotifyParamBytes - 6);
  CHECK(absl::EndsWith(reply, "办…"));
  CHECK(absl::StartsWith(long_text, reply.substr(0, reply.size() - 3)));
  CHECK(event.params().at("number") == "SQ20261203-000001");
}

TEST_CASE("events with one ordering key wait for the earlier one, other keys go on") {
  Fixture f;
  REQUIRE(f.Change("a1", "a").ok());
  REQUIRE(f.Change("a2", "a").ok());
  REQUIRE(f.Change("b1", "b").ok());
  Relay relay(f.db.get(), f.Options(), log::Logger::Stderr("test"), &f.registry);
  std::mutex mu;
  std::vector<std::string> delivered;
  bool a1_fails = true;
  relay.Route("receiver", [&](const PendingEvent& e) {
    std::lock_guard<std::mutex> lock(mu);
    if (e.event.event_id == "a1" && a1_fails) return absl::UnavailableError("down");
    delivered.push_back(e.event.event_id);
    return absl::OkStatus();
  });
  CHECK(*relay.DeliverDue(f.Later()) == 1);
  CHECK(delivered == std::vector<std::string>{"b1"});
  a1_fails = false;
  relay.DeliverDue(f.Later()).IgnoreError();
  relay.DeliverDue(f.Later()).IgnoreError();
  CHECK(delivered == std::vector<std::string>{"b1", "a1", "a2"});
}

TEST_CASE("an outbox rebuilt without AUTOINCREMENT keeps its events, their order and state") {
  Fixture f;
  const std::string path = absl::StrCat(f.dir.path(), "/old.db");
  auto old = store::Database::Open({path}, Fixture::Migrations(/*upgraded=*/false));
  REQUIRE(old.ok());
  f.db = std::move(*old);
  {
    for (const auto& [id, key] : std::vector<std::pair<std::string, std::string>>{
             {"a1", "a"}, {"a2", "a"}, {"b1", "b"}, {"d1", "d"}}) {
      REQUIRE(f.Change(id, key).ok());
    }
    Relay relay(f.db.get(), f.Options(), log::Logger::Stderr("test"), &f.registry);
    relay.Route("receiver", [&](const PendingEvent& e) {
      if (e.event.event_id == "a1") return absl::UnavailableError("down");
      if (e.event.event_id == "d1") return absl::InvalidArgumentError("bad payload");
      return absl::OkStatus();
    });
    CHECK(*relay.DeliverDue(f.Later()) == 1);  // b1
  }
  f.db.reset();

  auto upgraded = store::Database::Open({path}, Fixture::Migrations());
  REQUIRE(upgraded.ok());
  f.db = std::move(*upgraded);
  std::string table_sql, indexes;
  std::vector<std::string> stored;
  REQUIRE(
      f.db->Read([&](store::Connection& db) {
            table_sql =
                db.execAndGet("SELECT sql FROM sqlite_master WHERE name = 'outbox'").getString();
            indexes = db.execAndGet(
                            "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master"
                            " WHERE type = 'index' AND tbl_name = 'outbox' AND sql IS NOT NULL"
                            " ORDER BY name)")
                          .getString();
            SQLite::Statement rows(db,
                                   "SELECT event_id, attempts, dead FROM outbox ORDER BY sequence");
            while (rows.executeStep()) {
              stored.push_back(absl::StrCat(rows.getColumn(0).getString(), ":",
                                            rows.getColumn(1).getInt(), ":",
                                            rows.getColumn(2).getInt()));
            }
            return absl::OkStatus();
          })
          .ok());
  CHECK_FALSE(absl::StrContains(table_sql, "AUTOINCREMENT"));
  CHECK(indexes == "outbox_by_key,outbox_due");
  CHECK(stored == std::vector<std::string>{"a1:1:0", "a2:0:0", "d1:1:1"});
  // Still one event per id, and a new one goes after those stored.
  CHECK(f.db->Write([](store::Connection& tx) {
              return Enqueue(tx, {"a2", "receiver", "a", "x"}, absl::Now());
            })
            .code() == absl::StatusCode::kAlreadyExists);
  REQUIRE(f.Change("a3", "a").ok());

  Relay relay(f.db.get(), f.Options(), log::Logger::Stderr("test"), &f.registry);
  std::vector<std::string> delivered;
  relay.Route("receiver", [&](const PendingEvent& e) {
    delivered.push_back(e.event.event_id);
    return absl::OkStatus();
  });
  for (int i = 0; i < 3; ++i) relay.DeliverDue(f.Later()).IgnoreError();
  CHECK(delivered == std::vector<std::string>{"a1", "a2", "a3"});
  CHECK(*relay.Backlog() == 1);  // d1 stays parked.
  CHECK(*relay.RequeueDead("receiver") == 1);
  CHECK(*relay.DeliverDue(f.Later()) == 1);
}

TEST_CASE("a started relay delivers in the background and stops cleanly") {
  Fixture f;
  Relay relay(f.db.get(), f.Options(), log::Logger::Stderr("test"), &f.registry);
  std::atomic<int> delivered{0};
  relay.Route("receiver", [&](const PendingEvent&) {
    ++delivered;
    return absl::OkStatus();
  });
  relay.Start();
  for (int i = 0; i < 300; ++i) REQUIRE(f.Change(absl::StrCat("e", i), absl::StrCat(i % 7)).ok());
  relay.Wake();
  const absl::Time give_up = absl::Now() + absl::Seconds(20);
  while (delivered < 300 && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(10));
  relay.Stop();
  CHECK(delivered == 300);
  CHECK(*relay.Backlog() == 0);
}

TEST_CASE(
    "a batch sender gets its events in exchanges of at most events_per_batch, each event keeping "
    "its own outcome") {
  Fixture f;
  for (int i = 0; i < 10; ++i) REQUIRE(f.Change(absl::StrCat("e", i), absl::StrCat("k", i)).ok());
  RelayOptions options = f.Options();
  options.events_per_batch = 4;
  Relay relay(f.db.get(), options, log::Logger::Stderr("test"), &f.registry);
  std::vector<size_t> exchanges;
  std::vector<std::string> offered;
  relay.RouteBatches(
      "receiver", [&](const std::vector<const PendingEvent*>& events, BatchDone done) {
        exchanges.push_back(events.size());
        std::vector<absl::Status> outcomes;
        for (const PendingEvent* e : events) {
          offered.push_back(e->event.event_id);
          if (e->event.event_id == "e3") {
            outcomes.push_back(absl::InvalidArgumentError("never"));
          } else if (e->event.event_id == "e5" && e->attempts == 0) {
            outcomes.push_back(absl::UnavailableError("later"));
          } else {
            outcomes.push_back(absl::OkStatus());
          }
        }
        // Answered from another thread, as a gRPC completion would be.
        std::thread([done = std::move(done), outcomes = std::move(outcomes)]() mutable {
          done(std::move(outcomes));
        }).detach();
      });
  CHECK(*relay.DeliverDue(f.Later()) == 8);
  CHECK(exchanges == std::vector<size_t>{4, 4, 2});
  CHECK(offered.size() == 10);
  // e5 comes again; e3 is parked.
  offered.clear();
  CHECK(*relay.DeliverDue(f.Later()) == 1);
  CHECK(offered == std::vector<std::string>{"e5"});
  CHECK(*relay.Backlog() == 1);
}

TEST_CASE("a batch sender answering the wrong number of outcomes has the whole exchange retried") {
  Fixture f;
  for (int i = 0; i < 3; ++i) REQUIRE(f.Change(absl::StrCat("e", i), absl::StrCat("k", i)).ok());
  Relay relay(f.db.get(), f.Options(), log::Logger::Stderr("test"), &f.registry);
  bool miscount = true;
  relay.RouteBatches("receiver",
                     [&](const std::vector<const PendingEvent*>& events, BatchDone done) {
                       done(std::vector<absl::Status>(miscount ? 1 : events.size()));
                     });
  CHECK(*relay.DeliverDue(f.Later()) == 0);
  CHECK(*relay.Backlog() == 3);
  miscount = false;
  CHECK(*relay.DeliverDue(f.Later()) == 3);
  CHECK(*relay.Backlog() == 0);
}

TEST_CASE("a sender that never answers costs a pass its timeout, and its events are retried") {
  Fixture f;
  for (int i = 0; i < 3; ++i) REQUIRE(f.Change(absl::StrCat("e", i), absl::StrCat("k", i)).ok());
  RelayOptions options = f.Options();
  options.send_timeout = absl::Milliseconds(200);
  options.events_per_batch = 2;
  Relay relay(f.db.get(), options, log::Logger::Stderr("test"), &f.registry);
  // Kept, not called: the sender "forgets" to answer, holding its events.
  std::vector<std::pair<BatchDone, std::vector<const PendingEvent*>>> forgotten;
  bool answer = false;
  relay.RouteBatches("receiver",
                     [&](const std::vector<const PendingEvent*>& events, BatchDone done) {
                       if (answer) return done(std::vector<absl::Status>(events.size()));
                       forgotten.emplace_back(std::move(done), events);
                     });
  auto pass = relay.DeliverDue(f.Later());
  REQUIRE(pass.ok());
  CHECK(*pass == 0);
  REQUIRE(forgotten.size() == 2);
  CHECK(*relay.Backlog() == 3);
  // Answering after the pass gave up changes nothing, and the events the
  // sender held are still there to read.
  for (auto& [done, events] : forgotten) {
    for (const PendingEvent* e : events) CHECK(absl::StartsWith(e->event.event_id, "e"));
    done(std::vector<absl::Status>(events.size()));
  }
  CHECK(*relay.Backlog() == 3);
  answer = true;
  CHECK(*relay.DeliverDue(f.Later()) == 3);
  CHECK(*relay.Backlog() == 0);
}

TEST_CASE("a single-event sender that never answers is retried too") {
  Fixture f;
  REQUIRE(f.Change("e0", "k0").ok());
  RelayOptions options = f.Options();
  options.send_timeout = absl::Milliseconds(100);
  Relay relay(f.db.get(), options, log::Logger::Stderr("test"), &f.registry);
  std::vector<Done> forgotten;
  relay.Route("receiver", AsyncSender([&](const PendingEvent&, Done done) {
                forgotten.push_back(std::move(done));
              }));
  CHECK(*relay.DeliverDue(f.Later()) == 0);
  REQUIRE(forgotten.size() == 1);
  forgotten[0](absl::OkStatus());
  CHECK(*relay.Backlog() == 1);
}

TEST_CASE("events a stuck sender left no room for are not charged an attempt") {
  Fixture f;
  REQUIRE(f.Change("e0", "k0").ok());
  REQUIRE(f.Change("e1", "k1").ok());
  RelayOptions options = f.Options();
  options.send_timeout = absl::Milliseconds(100);
  options.max_in_flight = 1;
  Relay relay(f.db.get(), options, log::Logger::Stderr("test"), &f.registry);
  std::vector<Done> forgotten;
  std::map<std::string, int> attempts_seen;
  bool answer = false;
  relay.Route("receiver", AsyncSender([&](const PendingEvent& e, Done done) {
                if (!answer) return forgotten.push_back(std::move(done));
                attempts_seen[e.event.event_id] = e.attempts;
                done(absl::OkStatus());
              }));
  // e0 takes the only slot and is never answered; e1 never goes out.
  CHECK(*relay.DeliverDue(f.Later()) == 0);
  CHECK(forgotten.size() == 1);
  answer = true;
  CHECK(*relay.DeliverDue(f.Later()) == 2);
  CHECK(attempts_seen == std::map<std::string, int>{{"e0", 1}, {"e1", 0}});
}

TEST_CASE("a batch receiver answers every event in order, waiting for those that finish later") {
  api::v1::HandoffResults results;
  std::vector<std::thread> late;
  ApplyEach(
      4,
      [&](size_t i, Done done) {
        if (i % 2 == 0) {
          done(i == 2 ? absl::NotFoundError("no such application") : absl::OkStatus());
          return;
        }
        late.emplace_back([i, done = std::move(done)] {
          absl::SleepFor(absl::Milliseconds(20));
          done(i == 3 ? absl::FailedPreconditionError("decided") : absl::OkStatus());
          done(absl::InternalError("reported twice"));  // Ignored.
        });
      },
      log::Logger::Stderr("test"), &results);
  for (auto& t : late) t.join();
  REQUIRE(results.results_size() == 4);
  CHECK(results.results(0).code() == 0);
  CHECK(results.results(1).code() == 0);
  CHECK(results.results(2).code() == static_cast<int>(absl::StatusCode::kNotFound));
  CHECK(results.results(2).message() == "no such application");
  CHECK(results.results(3).code() == static_cast<int>(absl::StatusCode::kFailedPrecondition));
}

TEST_CASE(
    "a batch receiver answers an event's internal failure without its detail, and one that "
    "throws") {
  api::v1::HandoffResults results;
  ApplyEach(
      3,
      [&](size_t i, Done done) {
        if (i == 0) return done(absl::InternalError("disk I/O error in /var/lib/ow/intake.db"));
        if (i == 1) throw std::runtime_error("bug");
        done(absl::OkStatus());
      },
      log::Logger::Stderr("test", log::Level::kError), &results);
  REQUIRE(results.results_size() == 3);
  CHECK(results.results(0).code() == static_cast<int>(absl::StatusCode::kInternal));
  CHECK(results.results(0).message() == "internal error");
  CHECK(results.results(1).code() == static_cast<int>(absl::StatusCode::kInternal));
  CHECK(results.results(1).message() == "internal error");
  CHECK(results.results(2).code() == 0);
}

TEST_CASE("a batch receiver past its deadline answers the events it has not started") {
  api::v1::HandoffResults results;
  int started = 0;
  ApplyEach(
      5,
      [&](size_t, Done done) {
        ++started;
        absl::SleepFor(absl::Milliseconds(40));  // A slow lookup before the write.
        done(absl::OkStatus());
      },
      log::Logger::Stderr("test"), &results, absl::Now() + absl::Milliseconds(60));
  CHECK(started == 2);
  REQUIRE(results.results_size() == 5);
  CHECK(results.results(1).code() == 0);
  CHECK(results.results(2).code() == static_cast<int>(absl::StatusCode::kDeadlineExceeded));
  CHECK(results.results(4).code() == static_cast<int>(absl::StatusCode::kDeadlineExceeded));
}

TEST_CASE("a batch of none or of too many events is refused naming the field") {
  CHECK(CheckBatchSize("cases", 0).code() == absl::StatusCode::kInvalidArgument);
  CHECK(CheckBatchSize("cases", kMaxBatchEvents).ok());
  const absl::Status too_many = CheckBatchSize("cases", kMaxBatchEvents + 1);
  CHECK(too_many.code() == absl::StatusCode::kInvalidArgument);
  CHECK(too_many.message().find("cases") != absl::string_view::npos);
}

TEST_CASE(
    "a batch call's answer becomes one outcome per event, already-applied counting as delivered") {
  api::v1::HandoffResults reply;
  reply.add_results();
  reply.add_results()->set_code(grpc::ALREADY_EXISTS);
  api::v1::HandoffResult* refused = reply.add_results();
  refused->set_code(grpc::INVALID_ARGUMENT);
  refused->set_message("bad");
  std::vector<absl::Status> outcomes = BatchOutcomes(grpc::Status::OK, reply, 3);
  REQUIRE(outcomes.size() == 3);
  CHECK(outcomes[0].ok());
  CHECK(outcomes[1].ok());
  CHECK(outcomes[2].code() == absl::StatusCode::kInvalidArgument);

  outcomes = BatchOutcomes(grpc::Status(grpc::UNAVAILABLE, "down"), {}, 2);
  REQUIRE(outcomes.size() == 2);
  CHECK(outcomes[1].code() == absl::StatusCode::kUnavailable);

  outcomes = BatchOutcomes(grpc::Status::OK, reply, 5);
  REQUIRE(outcomes.size() == 5);
  CHECK(outcomes[0].code() == absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace onewindow::outbox
