#pragma once

#include <functional>
#include <memory>
#include <utility>

#include <grpcpp/client_context.h>
#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libs/outbox/outbox.h"
#include "libs/status/grpc_status.h"

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

}  // namespace onewindow::outbox
