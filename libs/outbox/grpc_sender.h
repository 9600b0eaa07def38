#pragma once

#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include <google/protobuf/arena.h>
#include <grpcpp/client_context.h>
#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "libs/outbox/outbox.h"
#include "libs/status/grpc_status.h"
#include "onewindow/api/v1/handoff.pb.h"

namespace onewindow::outbox {

// What the relay makes of a receiver's answer: the status as is, except
// that a receiver saying "already have it" has applied it.
inline absl::Status DeliveryOutcome(const grpc::Status& status) {
  if (status.error_code() == grpc::ALREADY_EXISTS) return absl::OkStatus();
  return status::FromGrpcStatus(status);
}

// An asynchronous sender of `Request`s parsed from each event's payload, for
// a unary method on gRPC's callback API. `context()` makes the call's client
// context (deadline, credentials); `start(context, request, reply, on_done)`
// begins the call, typically `stub->async()->Method(...)`. The call's state
// lives until its completion has reported the outcome.
template <typename Request, typename Reply, typename Start>
AsyncSender GrpcSender(const char* what,
                       std::function<std::unique_ptr<grpc::ClientContext>()> context, Start start) {
  return [what, context = std::move(context), start = std::move(start)](const PendingEvent& e,
                                                                        Done done) {
    struct Exchange {
      std::unique_ptr<grpc::ClientContext> context;
      Request request;
      Reply reply;
    };
    auto exchange = std::make_shared<Exchange>();
    if (!exchange->request.ParseFromString(e.event.payload)) {
      return done(absl::InvalidArgumentError(absl::StrCat("unparsable ", what, " payload")));
    }
    exchange->context = context();
    start(exchange->context.get(), &exchange->request, &exchange->reply,
          [exchange, done](grpc::Status status) { done(DeliveryOutcome(status)); });
  };
}

// What the relay makes of a batch method's answer, one status per event:
// a failed call fails every event alike; otherwise each result counts as
// DeliveryOutcome counts a single call's status.
std::vector<absl::Status> BatchOutcomes(const grpc::Status& status,
                                        const api::v1::HandoffResults& reply, size_t events);

// Runs `single` for each event and reports all outcomes at once: a batch
// sent one event at a time.
void SendEachAlone(const AsyncSender& single, const std::vector<const PendingEvent*>& events,
                   BatchDone done);

// An asynchronous batch sender for a receiver's batch method: `Request`
// holds the single method's requests in a repeated field, which `add`
// (`Item* add(Request*)`) appends to, and the method answers
// api::v1::HandoffResults. `start(context, request, reply, on_done)` begins
// the call. A receiver without the batch method (an older build, during a
// rolling upgrade) answers UNIMPLEMENTED; the events then go through
// `single` one by one instead of being parked as undeliverable.
template <typename Request, typename Add, typename Start>
BatchSender GrpcBatchSender(std::function<std::unique_ptr<grpc::ClientContext>()> context, Add add,
                            Start start, AsyncSender single) {
  return
      [context = std::move(context), add = std::move(add), start = std::move(start),
       single = std::move(single)](const std::vector<const PendingEvent*>& events, BatchDone done) {
        // The batch's messages live on one arena: parsing up to
        // kMaxBatchEvents payloads into it and freeing them costs a few
        // blocks rather than an allocation per field of every event.
        struct Exchange {
          std::unique_ptr<grpc::ClientContext> context;
          google::protobuf::Arena arena;
          Request* request = google::protobuf::Arena::CreateMessage<Request>(&arena);
          api::v1::HandoffResults* reply =
              google::protobuf::Arena::CreateMessage<api::v1::HandoffResults>(&arena);
          // The relay keeps the events themselves until `done` has run.
          std::vector<const PendingEvent*> events;
        };
        auto exchange = std::make_shared<Exchange>();
        for (const PendingEvent* e : events) {
          if (!add(exchange->request)->ParseFromString(e->event.payload)) {
            // One unparsable payload must not hold the others back: they go
            // alone, and its own sender parks it.
            return SendEachAlone(single, events, std::move(done));
          }
        }
        exchange->events = events;
        exchange->context = context();
        start(exchange->context.get(), exchange->request, exchange->reply,
              [exchange, single, done = std::move(done)](grpc::Status status) mutable {
                if (status.error_code() == grpc::UNIMPLEMENTED) {
                  return SendEachAlone(single, exchange->events, std::move(done));
                }
                done(BatchOutcomes(status, *exchange->reply, exchange->events.size()));
              });
      };
}

}  // namespace onewindow::outbox
