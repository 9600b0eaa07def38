#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace onewindow::gateway {

// A short-lived cache of answers to anonymous GETs of public routes that
// carry no personal data (a guide, a search page, a region): the same few
// items are read by thousands of citizens, and a guide's revision never
// changes once published. Entries live `ttl` (a second or two) so a newly
// published revision shows up almost at once; memory is bounded by
// `max_bytes`, least recently used first out. Never holds anything a
// session or personal data produced: the caller decides what to offer.
class ResponseCache {
 public:
  ResponseCache(absl::Duration ttl, size_t max_bytes) : ttl_(ttl), max_bytes_(max_bytes) {}

  bool enabled() const { return ttl_ > absl::ZeroDuration() && max_bytes_ > 0; }
  absl::Duration ttl() const { return ttl_; }

  // The cached JSON body for `key`, if fresh at `now`.
  std::optional<std::string> Get(absl::string_view key, absl::Time now);
  void Put(std::string key, std::string body, absl::Time now);

  size_t bytes() const {
    absl::MutexLock lock(&mu_);
    return bytes_;
  }

 private:
  struct Entry {
    std::string key;
    std::string body;
    absl::Time expiry;
  };
  using Lru = std::list<Entry>;

  void EraseLocked(Lru::iterator it) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const absl::Duration ttl_;
  const size_t max_bytes_;
  mutable absl::Mutex mu_;
  Lru lru_ ABSL_GUARDED_BY(mu_);  // Most recently used first.
  absl::flat_hash_map<std::string, Lru::iterator> index_ ABSL_GUARDED_BY(mu_);
  size_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace onewindow::gateway
