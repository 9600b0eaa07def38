#include "services/gateway/sessions.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libs/auth/random.h"

namespace onewindow::gateway {
namespace {

constexpr char kPrefix[] = "ow:s:";

// Reads a session and slides its expiry in one round trip. The new TTL is
// the idle timeout stored with it, capped by what is left of the absolute
// lifetime; a session past its absolute lifetime is deleted.
constexpr char kLookupScript[] = R"lua(
local v = redis.call('HMGET', KEYS[1], 'p', 'csrf', 'created', 'idle')
if not v[1] then return false end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local left = tonumber(v[3]) + tonumber(ARGV[1]) - now
if left <= 0 then
  redis.call('DEL', KEYS[1])
  return false
end
redis.call('PEXPIRE', KEYS[1], math.min(tonumber(v[4]), left))
return {v[1], v[2]}
)lua";

constexpr char kCreateScript[] = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[1], 'p', ARGV[1], 'csrf', ARGV[2], 'created', now, 'idle', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
)lua";

}  // namespace

bool IsWellFormedSessionId(const std::string& id) {
  if (id.size() != 43) return false;  // 32 bytes, unpadded base64url.
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

absl::Duration SessionStore::IdleTimeoutFor(auth::v1::PrincipalKind kind) const {
  return kind == auth::v1::CITIZEN || kind == auth::v1::ENTERPRISE ? policy_.citizen_idle
                                                                   : policy_.staff_idle;
}

absl::StatusOr<Session> SessionStore::Create(const auth::v1::Principal& principal) {
  Session session;
  session.id = auth::RandomToken(32);
  session.csrf_token = auth::RandomToken(32);
  session.principal = principal;
  const std::string encoded = absl::Base64Escape(principal.SerializeAsString());
  const int64_t idle_ms = absl::ToInt64Milliseconds(IdleTimeoutFor(principal.kind()));
  absl::StatusOr<redis::Reply> reply =
      redis_->Eval(kCreateScript, {absl::StrCat(kPrefix, session.id)},
                   {encoded, session.csrf_token, absl::StrCat(idle_ms)});
  if (!reply.ok()) return reply.status();
  return session;
}

absl::StatusOr<std::optional<Session>> SessionStore::Lookup(const std::string& id) {
  if (!IsWellFormedSessionId(id)) return std::optional<Session>();
  absl::StatusOr<redis::Reply> reply =
      redis_->Eval(kLookupScript, {absl::StrCat(kPrefix, id)},
                   {absl::StrCat(absl::ToInt64Milliseconds(policy_.absolute))});
  if (!reply.ok()) return reply.status();
  if (reply->is_nil() || reply->type() != REDIS_REPLY_ARRAY || reply->elements() != 2) {
    return std::optional<Session>();
  }
  std::string bytes;
  Session session;
  if (!absl::Base64Unescape(reply->element_str(0), &bytes) ||
      !session.principal.ParseFromString(bytes)) {
    return absl::InternalError("unreadable session record");
  }
  session.id = id;
  session.csrf_token = reply->element_str(1);
  return std::optional<Session>(std::move(session));
}

absl::Status SessionStore::Delete(const std::string& id) {
  if (!IsWellFormedSessionId(id)) return absl::OkStatus();
  absl::StatusOr<redis::Reply> reply = redis_->Command({"DEL", absl::StrCat(kPrefix, id)});
  return reply.ok() ? absl::OkStatus() : reply.status();
}

absl::StatusOr<int64_t> SessionStore::CountActive() {
  std::string cursor = "0";
  int64_t count = 0;
  do {
    absl::StatusOr<redis::Reply> reply =
        redis_->Command({"SCAN", cursor, "MATCH", absl::StrCat(kPrefix, "*"), "COUNT", "1000"});
    if (!reply.ok()) return reply.status();
    if (reply->type() != REDIS_REPLY_ARRAY || reply->elements() != 2) {
      return absl::InternalError("unexpected SCAN reply");
    }
    cursor = reply->element_str(0);
    count += static_cast<int64_t>(reply->element_size(1));
  } while (cursor != "0");
  return count;
}

}  // namespace onewindow::gateway
