#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/server/service_credentials.h"
#include "onewindow/catalog/v1/catalog.grpc.pb.h"

namespace onewindow::intake {

using Guide = std::shared_ptr<const catalog::v1::Implementation>;

// Where intake reads the guide an application is checked against.
class GuideSource {
 public:
  virtual ~GuideSource() = default;
  // The implementation at `revision` (0: the current one). NOT_FOUND when
  // the item or the revision does not exist; UNAVAILABLE when the catalog
  // cannot be asked.
  virtual absl::StatusOr<Guide> Get(const std::string& implementation_code, int64_t revision) = 0;

  // Get without blocking the caller's thread on the catalog: `done` runs
  // at once when no call is needed, otherwise when the call completes, on
  // gRPC's thread. Sources that never block keep this default.
  using GuideDone = absl::AnyInvocable<void(absl::StatusOr<Guide>)>;
  virtual void GetAsync(const std::string& implementation_code, int64_t revision, GuideDone done) {
    done(Get(implementation_code, revision));
  }
};

// The catalog over gRPC, cached. A published revision never changes, but
// withdrawing an item marks every revision of it, so entries are refreshed
// after `ttl`; a withdrawal therefore reaches submissions within that time.
// "Current revision" lookups are cached the same way.
class CatalogGuides final : public GuideSource {
 public:
  CatalogGuides(std::unique_ptr<catalog::v1::CatalogService::StubInterface> stub,
                server::ServiceCredentials* credentials, absl::Duration ttl = absl::Seconds(30),
                absl::Duration timeout = absl::Seconds(3))
      : stub_(std::move(stub)), credentials_(credentials), ttl_(ttl), timeout_(timeout) {}

  absl::StatusOr<Guide> Get(const std::string& implementation_code, int64_t revision) override;
  void GetAsync(const std::string& implementation_code, int64_t revision, GuideDone done) override;

 private:
  // The cached guide, if fresh.
  std::optional<Guide> Cached(const std::string& implementation_code, int64_t revision,
                              absl::Time now);
  // What a GetImplementation call's outcome means for a submission; caches
  // a fetched guide.
  absl::StatusOr<Guide> Settle(const std::string& implementation_code, int64_t revision,
                               absl::Time fetched_at, const grpc::Status& status,
                               std::shared_ptr<catalog::v1::Implementation> fetched);

  struct Entry {
    Guide guide;
    absl::Time fetched;
  };
  using Key = std::pair<std::string, int64_t>;

  std::unique_ptr<catalog::v1::CatalogService::StubInterface> stub_;
  server::ServiceCredentials* credentials_;
  const absl::Duration ttl_;
  const absl::Duration timeout_;
  absl::Mutex mu_;
  absl::flat_hash_map<Key, Entry> cache_ ABSL_GUARDED_BY(mu_);
};

}  // namespace onewindow::intake
