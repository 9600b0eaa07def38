#include "services/gateway/response_cache.h"

#include <utility>

namespace onewindow::gateway {
namespace {

size_t Cost(const std::string& key, const std::string& body) {
  // Key and body, plus a rough allowance for the list and map nodes.
  return key.size() * 2 + body.size() + 128;
}

}  // namespace

std::optional<std::string> ResponseCache::Get(absl::string_view key, absl::Time now) {
  if (!enabled()) return std::nullopt;
  absl::MutexLock lock(&mu_);
  auto found = index_.find(key);
  if (found == index_.end()) return std::nullopt;
  if (found->second->expiry <= now) {
    EraseLocked(found->second);
    return std::nullopt;
  }
  lru_.splice(lru_.begin(), lru_, found->second);
  return found->second->body;
}

void ResponseCache::Put(std::string key, std::string body, absl::Time now) {
  if (!enabled()) return;
  const size_t cost = Cost(key, body);
  if (cost > max_bytes_ / 8) return;  // One huge answer must not flush the rest.
  absl::MutexLock lock(&mu_);
  auto found = index_.find(key);
  if (found != index_.end()) EraseLocked(found->second);
  lru_.push_front(Entry{key, std::move(body), now + ttl_});
  index_.emplace(std::move(key), lru_.begin());
  bytes_ += cost;
  while (bytes_ > max_bytes_ && !lru_.empty()) EraseLocked(std::prev(lru_.end()));
}

void ResponseCache::EraseLocked(Lru::iterator it) {
  bytes_ -= Cost(it->key, it->body);
  index_.erase(it->key);
  lru_.erase(it);
}

}  // namespace onewindow::gateway
