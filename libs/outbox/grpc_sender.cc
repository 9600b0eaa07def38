#include "libs/outbox/grpc_sender.h"

#include <atomic>

namespace onewindow::outbox {

std::vector<absl::Status> BatchOutcomes(const grpc::Status& status,
                                        const api::v1::HandoffResults& reply, size_t events) {
  // Not DeliveryOutcome: "already have it" speaks for one event, never for
  // a whole call.
  if (!status.ok()) return std::vector<absl::Status>(events, status::FromGrpcStatus(status));
  if (static_cast<size_t>(reply.results_size()) != events) {
    // A receiver that miscounts cannot be trusted about any one event:
    // retry them all, which its idempotence makes safe.
    return std::vector<absl::Status>(
        events, absl::InternalError(absl::StrCat("receiver answered ", reply.results_size(),
                                                 " results for ", events, " events")));
  }
  std::vector<absl::Status> outcomes;
  outcomes.reserve(events);
  for (const api::v1::HandoffResult& r : reply.results()) {
    const auto code = static_cast<grpc::StatusCode>(r.code());
    outcomes.push_back(DeliveryOutcome(grpc::Status(code, r.message())));
  }
  return outcomes;
}

void SendEachAlone(const AsyncSender& single, const std::vector<const PendingEvent*>& events,
                   BatchDone done) {
  struct Gather {
    absl::Mutex mu;
    std::vector<absl::Status> outcomes ABSL_GUARDED_BY(mu);
    size_t outstanding ABSL_GUARDED_BY(mu);
    BatchDone done;
  };
  if (events.empty()) return done({});
  auto gather = std::make_shared<Gather>();
  {
    absl::MutexLock lock(&gather->mu);
    gather->outcomes.resize(events.size());
    gather->outstanding = events.size();
  }
  gather->done = std::move(done);
  for (size_t i = 0; i < events.size(); ++i) {
    // Once only, as a Done promises: a second report would count down for
    // an event still in flight.
    auto reported = std::make_shared<std::atomic<bool>>(false);
    single(*events[i], [gather, i, reported](absl::Status status) {
      if (reported->exchange(true)) return;
      std::vector<absl::Status> all;
      {
        absl::MutexLock lock(&gather->mu);
        gather->outcomes[i] = std::move(status);
        if (--gather->outstanding > 0) return;
        all = std::move(gather->outcomes);
      }
      gather->done(std::move(all));
    });
  }
}

}  // namespace onewindow::outbox
