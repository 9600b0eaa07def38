#include "services/gateway/rate_limiter.h"

#include "absl/strings/str_cat.h"

namespace onewindow::gateway {
namespace {

// Returns {1, 0} when a token was taken, {0, ms until one is available}
// otherwise. Redis's clock is the one clock all gateways share.
constexpr char kTakeScript[] = R"lua(
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(b[1])
local ts = tonumber(b[2])
if tokens == nil then
  tokens = burst
  ts = now
end
tokens = math.min(burst, tokens + (now - ts) * rate / 1000)
local allowed = 0
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  wait = math.ceil((1 - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
return {allowed, wait}
)lua";

}  // namespace

absl::StatusOr<RateDecision> RateLimiter::Take(const std::string& key, const BucketSpec& spec) {
  absl::StatusOr<redis::Reply> reply =
      redis_->Eval(kTakeScript, {absl::StrCat("ow:rl:", key)},
                   {absl::StrCat(spec.per_second), absl::StrCat(spec.burst)});
  if (!reply.ok()) return reply.status();
  if (reply->type() != REDIS_REPLY_ARRAY || reply->elements() != 2) {
    return absl::InternalError("unexpected rate limit reply");
  }
  RateDecision decision;
  decision.allowed = reply->element_integer(0) == 1;
  decision.retry_after = absl::Milliseconds(reply->element_integer(1));
  return decision;
}

}  // namespace onewindow::gateway
