#include <catch2/catch.hpp>

#include "absl/strings/match.h"
#include "services/gateway/http_errors.h"

namespace onewindow::gateway {
namespace {

TEST_CASE("an overloaded backend is a 503 to the client, not a 429") {
  const absl::Status exhausted = absl::ResourceExhaustedError("Server Threadpool Exhausted");
  const absl::Status shown = PublicUpstreamError("catalog", exhausted);
  CHECK(shown.code() == absl::StatusCode::kUnavailable);
  CHECK(HttpStatusFor(shown.code()) == 503);
  CHECK(shown.message() == "catalog unavailable");
}

TEST_CASE("transport failures never show internal addresses") {
  const absl::Status shown =
      PublicUpstreamError("intake", absl::UnavailableError("failed to connect to 10.0.0.7:50052"));
  CHECK(shown.message() == "intake unavailable");
  const absl::Status late =
      PublicUpstreamError("intake", absl::DeadlineExceededError("Deadline Exceeded"));
  CHECK(HttpStatusFor(late.code()) == 504);
  CHECK_FALSE(absl::StrContains(late.message(), "10.0.0.7"));
}

TEST_CASE("a backend's own answers pass to the client unchanged") {
  const absl::Status quota = absl::ResourceExhaustedError("too many logins for this account");
  CHECK(PublicUpstreamError("identity", quota) == quota);
  const absl::Status invalid = absl::InvalidArgumentError("region_code: must be 12 digits");
  CHECK(PublicUpstreamError("catalog", invalid) == invalid);
}

}  // namespace
}  // namespace onewindow::gateway
