#include "libs/auth/revocation.h"

#include <grpcpp/client_context.h>

#include <algorithm>

#include "absl/time/clock.h"
#include "libs/server/call.h"

namespace onewindow::auth {

absl::Status RevocationList::Check(absl::string_view token_id) const {
  absl::ReaderMutexLock lock(&mu_);
  if (!loaded_) {
    return absl::UnavailableError(
        "API token revocations not loaded yet from identity; try again shortly");
  }
  if (revoked_.contains(token_id)) return absl::UnauthenticatedError("token revoked");
  return absl::OkStatus();
}

void RevocationList::Replace(const std::vector<std::string>& ids) {
  absl::flat_hash_set<std::string> next(ids.begin(), ids.end());
  absl::MutexLock lock(&mu_);
  revoked_.swap(next);
  loaded_ = true;
}

bool RevocationList::loaded() const {
  absl::ReaderMutexLock lock(&mu_);
  return loaded_;
}

RevocationPoller::RevocationPoller(RevocationList* list,
                                   std::shared_ptr<grpc::Channel> identity_channel,
                                   const TokenSigner* signer, std::string service_name,
                                   absl::Duration interval, log::Logger logger)
    : list_(list),
      identity_(identity::v1::IdentityService::NewStub(std::move(identity_channel))),
      signer_(signer),
      service_name_(std::move(service_name)),
      interval_(interval),
      logger_(std::move(logger)) {}

RevocationPoller::~RevocationPoller() { Stop(); }

void RevocationPoller::Start() {
  thread_ = std::thread([this] {
    bool healthy = true;
    do {
      const bool ok = PollOnce();
      if (ok != healthy) {
        healthy = ok;
        if (ok) {
          logger_.Info("api token revocations refreshed again");
        } else {
          logger_.Warn("cannot refresh api token revocations; keeping the last list");
        }
      }
      // Until a first list came, API tokens are refused: asked again soon.
    } while (!stop_.WaitForNotificationWithTimeout(
        list_->loaded() ? interval_ : std::min(interval_, absl::Seconds(1))));
  });
}

void RevocationPoller::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

bool RevocationPoller::PollOnce() {
  static constexpr absl::Duration kTimeout = absl::Seconds(3);
  v1::Principal self;
  self.set_kind(v1::SERVICE);
  self.set_subject(service_name_);
  absl::StatusOr<std::string> token = signer_->Mint(self, absl::Minutes(1), absl::Now());
  if (!token.ok()) return false;
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + kTimeout));
  context.AddMetadata(server::kPrincipalHeader, *token);
  identity::v1::ListRevokedApiTokensResponse response;
  if (!identity_->ListRevokedApiTokens(&context, {}, &response).ok()) return false;
  list_->Replace({response.token_ids().begin(), response.token_ids().end()});
  return true;
}

}  // namespace onewindow::auth
