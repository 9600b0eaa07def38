#pragma once

#include <google/protobuf/message.h>

#include <memory>
#include <optional>
#include <string>

#include <grpcpp/client_context.h>
#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>
#include <grpcpp/support/status.h>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/log/logger.h"
#include "libs/status/grpc_status.h"
#include "onewindow/auth/v1/principal.pb.h"

namespace onewindow::server {

// The metadata key carrying the signed principal token.
inline constexpr char kPrincipalHeader[] = "x-ow-principal";

// Turns a principal token into the principal it vouches for. libs/auth
// provides the HMAC implementation; the runner only needs this much.
class PrincipalVerifier {
 public:
  virtual ~PrincipalVerifier() = default;
  // UNAUTHENTICATED for a tampered, expired, unknown-key or revoked token.
  virtual absl::StatusOr<auth::v1::Principal> Verify(absl::string_view token) const = 0;
};

// What a caller is told of `status`: internal failures (INTERNAL, UNKNOWN,
// DATA_LOSS) are logged in full to `log` and answered "internal error", so
// no SQL, path or stack detail leaves the service; anything else as is.
absl::Status PublicStatus(const log::Logger& log, const absl::Status& status);

// What a handler knows about the call it serves: the request id, a logger
// bound to it, the verified caller (if any) and the deadline.
class Call {
 public:
  Call(std::string request_id, log::Logger logger, std::optional<auth::v1::Principal> principal,
       absl::Time deadline)
      : request_id_(std::move(request_id)),
        logger_(std::move(logger)),
        principal_(std::move(principal)),
        deadline_(deadline) {}

  const std::string& request_id() const { return request_id_; }
  const log::Logger& log() const { return logger_; }
  // nullptr for an anonymous call.
  const auth::v1::Principal* principal() const {
    return principal_.has_value() ? &*principal_ : nullptr;
  }
  // UNAUTHENTICATED when anonymous.
  absl::StatusOr<const auth::v1::Principal*> RequirePrincipal() const;
  absl::Time deadline() const { return deadline_; }

  // A context for a downstream call: carries the request id and the smaller
  // of our remaining budget and `timeout`.
  std::unique_ptr<grpc::ClientContext> Downstream(absl::Duration timeout) const;

 private:
  std::string request_id_;
  log::Logger logger_;
  std::optional<auth::v1::Principal> principal_;
  absl::Time deadline_;
};

// The edge between gRPC and a service's domain classes: resolves the request
// id (echoing it to the caller), verifies the principal token, runs the
// handler body and converts its absl::Status. Internal errors are logged in
// full and answered with a generic message so no internals leak.
class CallRunner {
 public:
  CallRunner(log::Logger logger, const PrincipalVerifier* verifier)
      : logger_(std::move(logger)), verifier_(verifier) {}

  // `request` (may be null: a client stream) names the call and its
  // records in the access log of staff, operator and admin calls.
  template <typename Fn>
  grpc::Status Run(grpc::ServerContext* context, const google::protobuf::Message* request,
                   Fn&& fn) const {
    absl::StatusOr<Call> call = Begin(context);
    if (!call.ok()) return Finish(context, call.status(), nullptr, request);
    absl::Status status = fn(static_cast<const Call&>(*call));
    return Finish(context, status, &*call, request);
  }

  // Ends an asynchronous call with a handler's status; call it once.
  using Done = absl::AnyInvocable<void(absl::Status)>;

  // Run for callback-API handlers whose work finishes later, on another
  // thread: `fn(call, done)` starts the work and whoever completes it calls
  // `done` with its status, which finishes the call. The Call stays valid
  // until `done` is called; the request and response belong to gRPC until
  // then too.
  grpc::ServerUnaryReactor* RunAsync(grpc::CallbackServerContext* context,
                                     const google::protobuf::Message* request,
                                     absl::AnyInvocable<void(const Call&, Done)> fn) const;

 private:
  // The call's request id, principal and deadline; an error if the token
  // does not verify or the caller has already gone.
  absl::StatusOr<Call> Begin(grpc::ServerContextBase* context) const;
  grpc::Status Finish(grpc::ServerContextBase* context, const absl::Status& status,
                      const Call* call, const google::protobuf::Message* request) const;

  log::Logger logger_;
  const PrincipalVerifier* verifier_;
};

}  // namespace onewindow::server
