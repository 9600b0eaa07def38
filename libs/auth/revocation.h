#pragma once

#include <grpcpp/channel.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "libs/auth/token.h"
#include "libs/log/logger.h"
#include "onewindow/identity/v1/identity.grpc.pb.h"

namespace onewindow::auth {

// API token ids that identity has revoked. Backends consult it on every call
// carrying an API token, so a revocation takes effect within one poll.
class RevocationList {
 public:
  // OK; UNAUTHENTICATED ("token revoked") for a revoked id; UNAVAILABLE
  // until a list has been loaded since this process started, since a token
  // revoked before then cannot be told from a good one.
  absl::Status Check(absl::string_view token_id) const;
  void Replace(const std::vector<std::string>& ids);
  bool loaded() const;

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_set<std::string> revoked_ ABSL_GUARDED_BY(mu_);
  bool loaded_ ABSL_GUARDED_BY(mu_) = false;
};

// Refreshes a RevocationList from identity's ListRevokedApiTokens every
// `interval` (well under the 60 s promise), and every second until the
// first list came. When identity cannot be reached the last list stays in
// force.
class RevocationPoller {
 public:
  // `identity_channel` reaches identity; identity itself passes its
  // server's in-process channel.
  RevocationPoller(RevocationList* list, std::shared_ptr<grpc::Channel> identity_channel,
                   const TokenSigner* signer, std::string service_name, absl::Duration interval,
                   log::Logger logger);
  ~RevocationPoller();
  void Start();
  void Stop();
  // One refresh now; returns whether it succeeded.
  bool PollOnce();

 private:
  RevocationList* list_;
  std::unique_ptr<identity::v1::IdentityService::Stub> identity_;
  const TokenSigner* signer_;
  std::string service_name_;
  absl::Duration interval_;
  log::Logger logger_;
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace onewindow::auth
