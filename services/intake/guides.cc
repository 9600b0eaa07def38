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

std::optional<Guide> CatalogGuides::Cached(const std::string& implementation_code, int64_t revision,
                                           absl::Time now) {
  absl::MutexLock lock(&mu_);
  auto it = cache_.find(Key(implementation_code, revision));
  if (it != cache_.end() && now - it->second.fetched < ttl_) return it->second.guide;
  return std::nullopt;
}

absl::StatusOr<Guide> CatalogGuides::Settle(const std::string& implementation_code,
                                            int64_t revision, absl::Time fetched_at,
                                            const grpc::Status& status,
                                            std::shared_ptr<catalog::v1::Implementation> fetched) {
  if (!status.ok()) {
    absl::Status error = status::FromGrpcStatus(status);
    // The catalog's own words: they say which of code and revision is wrong.
    if (error.code() == absl::StatusCode::kNotFound ||
        error.code() == absl::StatusCode::kInvalidArgument) {
      return error;
    }
    return absl::UnavailableError(absl::StrCat("catalog: ", error.message()));
  }
  Guide guide = std::move(fetched);
  absl::MutexLock lock(&mu_);
  if (cache_.size() >= kMaxEntries) cache_.clear();
  cache_[Key(implementation_code, revision)] = Entry{guide, fetched_at};
  return guide;
}

absl::StatusOr<Guide> CatalogGuides::Get(const std::string& implementation_code, int64_t revision) {
  const absl::Time now = absl::Now();
  if (std::optional<Guide> cached = Cached(implementation_code, revision, now)) return *cached;
  catalog::v1::GetImplementationRequest request;
  request.set_implementation_code(implementation_code);
  request.set_revision(revision);
  auto fetched = std::make_shared<catalog::v1::Implementation>();
  const grpc::Status status =
      stub_->GetImplementation(credentials_->Context(timeout_).get(), request, fetched.get());
  return Settle(implementation_code, revision, now, status, std::move(fetched));
}

void CatalogGuides::GetAsync(const std::string& implementation_code, int64_t revision,
                             GuideDone done) {
  const absl::Time now = absl::Now();
  if (std::optional<Guide> cached = Cached(implementation_code, revision, now)) {
    return done(*std::move(cached));
  }
  // The call's state lives until its completion has answered.
  struct Fetch {
    std::unique_ptr<grpc::ClientContext> context;
    catalog::v1::GetImplementationRequest request;
    std::shared_ptr<catalog::v1::Implementation> reply;
    GuideDone done;
  };
  auto fetch = std::make_shared<Fetch>();
  fetch->context = credentials_->Context(timeout_);
  fetch->request.set_implementation_code(implementation_code);
  fetch->request.set_revision(revision);
  fetch->reply = std::make_shared<catalog::v1::Implementation>();
  fetch->done = std::move(done);
  stub_->async()->GetImplementation(
      fetch->context.get(), &fetch->request, fetch->reply.get(),
      [this, fetch, implementation_code, revision, now](grpc::Status status) {
        fetch->done(Settle(implementation_code, revision, now, status, fetch->reply));
      });
}

}  // namespace onewindow::intake
