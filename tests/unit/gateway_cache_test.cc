#include <catch2/catch.hpp>
#include <string>

#include "absl/strings/str_cat.h"
#include "services/gateway/response_cache.h"

namespace onewindow::gateway {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1'800'000'000);

TEST_CASE("a cached answer is served until its time to live ends") {
  ResponseCache cache(absl::Seconds(1), 1 << 20);
  cache.Put("/api/v1/items/x", "{\"a\":1}", kStart);
  CHECK(cache.Get("/api/v1/items/x", kStart + absl::Milliseconds(999)) == "{\"a\":1}");
  CHECK(!cache.Get("/api/v1/items/x", kStart + absl::Seconds(1)).has_value());
  CHECK(!cache.Get("/api/v1/items/y", kStart).has_value());
}

TEST_CASE("the cache stays within its memory bound, dropping the least recently used") {
  ResponseCache cache(absl::Hours(1), 64 * 1024);
  const std::string body(1000, 'x');
  cache.Put("/first", body, kStart);
  for (int i = 0; i < 200; ++i) {
    cache.Put(absl::StrCat("/k", i), body, kStart);
    // Keep /first in use: it must survive while others go.
    CHECK(cache.Get("/first", kStart).has_value());
  }
  CHECK(cache.bytes() <= 64 * 1024);
  CHECK(!cache.Get("/k0", kStart).has_value());
  CHECK(cache.Get("/k199", kStart).has_value());
}

TEST_CASE("a zero time to live turns the cache off") {
  ResponseCache cache(absl::ZeroDuration(), 1 << 20);
  CHECK(!cache.enabled());
  cache.Put("/x", "{}", kStart);
  CHECK(!cache.Get("/x", kStart).has_value());
}

}  // namespace
}  // namespace onewindow::gateway
