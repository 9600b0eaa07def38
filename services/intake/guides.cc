#include "services/intake/guides.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/status/grpc_status.h"

namespace onewindow::intake {
namespace {

// Bounds memory if someone submits against endless made-up codes: NOT_FOUND
// answers are not cached, and a full cache starts over.
constexpr size_t kMaxEntries = 100000;

}  // namespace

absl::StatusOr<Guide> CatalogGuides::Get(const std::string& implementation_code, int64_t revision) {
  const Key key(implementation_code, revision);
  const absl::Time now = absl::Now();
  {
    absl::MutexLock lock(&mu_);
    auto it = cache_.find(key);
    if (it != cache_.end() && now - it->second.fetched < ttl_) return it->second.guide;
  }
  catalog::v1::GetImplementationRequest request;
  request.set_implementation_code(implementation_code);
  request.set_revision(revision);
  auto fetched = std::make_shared<catalog::v1::Implementation>();
  const grpc::Status status =
      stub_->GetImplementation(credentials_->Context(timeout_).get(), request, fetched.get());
  if (!status.ok()) {
    absl::Status error = status::FromGrpcStatus(status);
    if (error.code() == absl::StatusCode::kNotFound ||
        error.code() == absl::StatusCode::kInvalidArgument) {
      return absl::NotFoundError(error.message());
    }
    return absl::UnavailableError(absl::StrCat("catalog: ", error.message()));
  }
  Guide guide = std::move(fetched);
  absl::MutexLock lock(&mu_);
  if (cache_.size() >= kMaxEntries) cache_.clear();
  cache_[key] = Entry{guide, now};
  return guide;
}

}  // namespace onewindow::intake
