#include "libs/redis/redis_pool.h"

#include <openssl/sha.h>

#include <sys/time.h>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace onewindow::redis {
absl::StatusOr<RedisOptions> ParseRedisAddress(absl::string_view address) {
  const size_t colon = address.rfind(':');
  RedisOptions options;
  if (colon == absl::string_view::npos || colon == 0 ||
      !absl::SimpleAtoi(address.substr(colon + 1), &options.port) || options.port <= 0 ||
      options.port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("redis address must be host:port, got \"", address, "\""));
  }
  options.host = std::string(address.substr(0, colon));
  return options;
}

RedisPool::~RedisPool() {
  absl::MutexLock lock(&mu_);
  for (redisContext* c : idle_) redisFree(c);
  idle_.clear();
}

absl::StatusOr<redisContext*> RedisPool::Acquire() {
  {
    absl::MutexLock lock(&mu_);
    if (!idle_.empty()) {
      redisContext* c = idle_.back();
      idle_.pop_back();
      return c;
    }
    if (open_ >= options_.max_connections) {
      const bool got = mu_.AwaitWithTimeout(
          absl::Condition(
              +[](std::vector<redisContext*>* idle) { return !idle->empty(); }, &idle_),
          options_.command_timeout);
      if (!got) return absl::UnavailableError("redis: no free connection");
      redisContext* c = idle_.back();
      idle_.pop_back();
      return c;
    }
    ++open_;
  }
  redisContext* c = redisConnectWithTimeout(options_.host.c_str(), options_.port,
                                            absl::ToTimeval(options_.connect_timeout));
  if (c == nullptr || c->err != 0) {
    std::string why = c == nullptr ? "out of memory" : c->errstr;
    if (c != nullptr) redisFree(c);
    absl::MutexLock lock(&mu_);
    --open_;
    return absl::UnavailableError(absl::StrCat("redis unreachable: ", why));
  }
  redisSetTimeout(c, absl::ToTimeval(options_.command_timeout));
  return c;
}

void RedisPool::Release(redisContext* context, bool healthy) {
  absl::MutexLock lock(&mu_);
  if (healthy) {
    idle_.push_back(context);
    return;
  }
  redisFree(context);
  --open_;
}

absl::StatusOr<Reply> RedisPool::Command(const std::vector<std::string>& argv) {
  absl::StatusOr<redisContext*> context = Acquire();
  if (!context.ok()) return context.status();
  std::vector<const char*> args;
  std::vector<size_t> lengths;
  args.reserve(argv.size());
  lengths.reserve(argv.size());
  for (const std::string& a : argv) {
    args.push_back(a.data());
    lengths.push_back(a.size());
  }
  auto* raw = static_cast<redisReply*>(
      redisCommandArgv(*context, static_cast<int>(args.size()), args.data(), lengths.data()));
  if (raw == nullptr) {
    std::string why = (*context)->errstr;
    Release(*context, /*healthy=*/false);
    return absl::UnavailableError(absl::StrCat("redis: ", why));
  }
  Release(*context, /*healthy=*/true);
  Reply reply(raw);
  if (reply.is_error()) return absl::InternalError(absl::StrCat("redis: ", reply.str()));
  return reply;
}

absl::StatusOr<Reply> RedisPool::Eval(absl::string_view script,
                                      const std::vector<std::string>& keys,
                                      const std::vector<std::string>& args) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(script.data()), script.size(), digest);
  std::vector<std::string> argv;
  argv.reserve(3 + keys.size() + args.size());
  argv.push_back("EVALSHA");
  argv.push_back(absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest))));
  argv.push_back(absl::StrCat(keys.size()));
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  absl::StatusOr<Reply> reply = Command(argv);
  if (reply.ok() || !absl::StrContains(reply.status().message(), "NOSCRIPT")) return reply;
  argv[0] = "EVAL";
  argv[1] = std::string(script);
  return Command(argv);
}

absl::Status RedisPool::Ping() {
  absl::StatusOr<Reply> reply = Command({"PING"});
  return reply.ok() ? absl::OkStatus() : reply.status();
}

}  // namespace onewindow::redis
