#include "libs/server/call.h"

#include <grpcpp/support/time.h>

#include <memory>

#include "absl/time/clock.h"
#include "libs/server/access_log.h"
#include "libs/server/request_id.h"

namespace onewindow::server {

absl::StatusOr<const auth::v1::Principal*> Call::RequirePrincipal() const {
  if (!principal_.has_value()) return absl::UnauthenticatedError("sign-in required");
  return &*principal_;
}

std::unique_ptr<grpc::ClientContext> Call::Downstream(absl::Duration timeout) const {
  auto context = std::make_unique<grpc::ClientContext>();
  const absl::Time deadline = std::min(deadline_, absl::Now() + timeout);
  context->set_deadline(absl::ToChronoTime(deadline));
  context->AddMetadata(kRequestIdHeader, request_id_);
  return context;
}

absl::StatusOr<Call> CallRunner::Begin(grpc::ServerContextBase* context) const {
  std::string request_id = IncomingRequestId(*context);
  if (request_id.empty()) request_id = NewRequestId();
  context->AddInitialMetadata(kRequestIdHeader, request_id);
  log::Logger logger = logger_.WithRequestId(request_id);

  std::optional<auth::v1::Principal> principal;
  const auto& metadata = context->client_metadata();
  auto it = metadata.find(kPrincipalHeader);
  if (it != metadata.end()) {
    if (verifier_ == nullptr) {
      return absl::UnauthenticatedError("this server accepts no principal tokens");
    }
    absl::StatusOr<auth::v1::Principal> verified =
        verifier_->Verify(absl::string_view(it->second.data(), it->second.size()));
    if (!verified.ok()) {
      logger.Info("principal rejected", {{"reason", std::string(verified.status().message())}});
      return verified.status();
    }
    principal = *std::move(verified);
  }
  if (context->IsCancelled()) return absl::CancelledError("call cancelled");
  absl::Time deadline = absl::InfiniteFuture();
  const auto raw_deadline = context->deadline();
  if (raw_deadline != std::chrono::system_clock::time_point::max()) {
    deadline = absl::FromChrono(raw_deadline);
  }
  return Call(std::move(request_id), std::move(logger), std::move(principal), deadline);
}

absl::Status PublicStatus(const log::Logger& log, const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kDataLoss:
      log.Error("internal error", {{"error", status.ToString()}});
      return absl::InternalError("internal error");
    default:
      return status;
  }
}

grpc::Status CallRunner::Finish(grpc::ServerContextBase* context, const absl::Status& status,
                                const Call* call, const google::protobuf::Message* request) const {
  (void)context;
  const absl::Status answer = PublicStatus(call != nullptr ? call->log() : logger_, status);
  if (call != nullptr && call->principal() != nullptr && IsBodyAccess(*call->principal())) {
    LogAccess(call->log(), *call->principal(), request, answer.code());
  }
  return status::ToGrpcStatus(answer);
}

grpc::ServerUnaryReactor* CallRunner::RunAsync(
    grpc::CallbackServerContext* context, const google::protobuf::Message* request,
    absl::AnyInvocable<void(const Call&, Done)> fn) const {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<Call> begun = Begin(context);
  if (!begun.ok()) {
    reactor->Finish(Finish(context, begun.status(), nullptr, request));
    return reactor;
  }
  auto call = std::make_shared<const Call>(*std::move(begun));
  const Call& ref = *call;
  // The request belongs to gRPC until the reactor finishes, after this.
  fn(ref, [this, context, reactor, request, call = std::move(call)](absl::Status status) {
    reactor->Finish(Finish(context, status, call.get(), request));
  });
  return reactor;
}

}  // namespace onewindow::server
