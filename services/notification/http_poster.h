#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/notification/contacts.h"

namespace onewindow::notification {

// HTTP/1.1 POSTs over keep-alive connections pooled per host (Boost.Beast),
// each exchange bounded by a timeout. Safe to use from several threads.
class HttpPoster {
 public:
  struct Response {
    int status = 0;
    std::string body;
  };
  using Headers = std::vector<std::pair<std::string, std::string>>;

  explicit HttpPoster(absl::Duration timeout, int max_idle_per_host = 32);
  ~HttpPoster();

  // UNAVAILABLE when no connection could be made or it broke, and
  // DEADLINE_EXCEEDED after the timeout; any HTTP status is a Response.
  // A pooled connection the server had closed is retried once on a fresh
  // one: the receiver deduplicates on the idempotency key if the first
  // request had in fact arrived.
  absl::StatusOr<Response> Post(const HttpUrl& url, const Headers& headers,
                                const std::string& body);

 private:
  struct Connection;
  std::unique_ptr<Connection> Take(const std::string& key);
  void Give(const std::string& key, std::unique_ptr<Connection> connection);

  const absl::Duration timeout_;
  const int max_idle_per_host_;
  absl::Mutex mu_;
  std::map<std::string, std::vector<std::unique_ptr<Connection>>> idle_ ABSL_GUARDED_BY(mu_);
};

}  // namespace onewindow::notification
