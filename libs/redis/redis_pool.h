#pragma once

#include <memory>
#include <string>
#include <vector>

#include <hiredis/hiredis.h>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace onewindow::redis {

struct RedisOptions {
  std::string host = "127.0.0.1";
  int port = 6379;
  // Every command states its timeout (hiredis applies it to each read/write).
  absl::Duration connect_timeout = absl::Milliseconds(500);
  absl::Duration command_timeout = absl::Milliseconds(500);
  int max_connections = 16;
};

// Parses "host:port".
absl::StatusOr<RedisOptions> ParseRedisAddress(absl::string_view address);

// One reply, owned. Only the shapes we use are exposed.
class Reply {
 public:
  explicit Reply(redisReply* reply) : reply_(reply, &freeReplyObject) {}
  int type() const { return reply_->type; }
  bool is_nil() const { return reply_->type == REDIS_REPLY_NIL; }
  bool is_error() const { return reply_->type == REDIS_REPLY_ERROR; }
  long long integer() const { return reply_->integer; }
  std::string str() const { return std::string(reply_->str, reply_->len); }
  size_t elements() const { return reply_->elements; }
  std::string element_str(size_t i) const {
    const redisReply* e = reply_->element[i];
    return e->str == nullptr ? std::string() : std::string(e->str, e->len);
  }
  long long element_integer(size_t i) const { return reply_->element[i]->integer; }
  // Number of elements of element i when that is itself an array.
  size_t element_size(size_t i) const { return reply_->element[i]->elements; }

 private:
  std::unique_ptr<redisReply, void (*)(void*)> reply_;
};

// A bounded pool of blocking hiredis connections: a redisContext is not
// thread-safe, so each command borrows one. A connection that failed is
// dropped and a fresh one made on next use, so a Redis restart heals itself.
class RedisPool {
 public:
  explicit RedisPool(RedisOptions options) : options_(std::move(options)) {}
  ~RedisPool();

  // UNAVAILABLE when Redis cannot be reached or times out; INTERNAL for a
  // Redis error reply.
  absl::StatusOr<Reply> Command(const std::vector<std::string>& argv);
  absl::Status Ping();

  // Runs a Lua script by its SHA-1 (EVALSHA), so the script text crosses the
  // wire only after Redis answers NOSCRIPT (first use, or after a restart
  // flushed its script cache).
  absl::StatusOr<Reply> Eval(absl::string_view script, const std::vector<std::string>& keys,
                             const std::vector<std::string>& args);

 private:
  absl::StatusOr<redisContext*> Acquire();
  void Release(redisContext* context, bool healthy);

  const RedisOptions options_;
  absl::Mutex mu_;
  std::vector<redisContext*> idle_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace onewindow::redis
