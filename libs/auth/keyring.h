#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace onewindow::auth {

// The HMAC keys that sign and verify principal tokens, by key id. One key is
// current and signs new tokens; the others only verify, so a key can be
// rotated in (add it, then make it current) and out (drop it once the tokens
// it signed have expired) without a flag day.
//
// Key material never leaves this class: callers ask for a MAC by key id. That
// keeps keys out of logs, error messages and debugger-friendly accessors.
class KeyRing {
 public:
  // HMAC-SHA-256 keys shorter than the hash output weaken it.
  static constexpr size_t kMinKeyBytes = 32;
  // Key ids travel inside tokens, which use '.' as a separator.
  static constexpr size_t kMaxKeyIdLength = 64;
  // Length of the MAC that `Mac()` returns.
  static constexpr size_t kMacBytes = 32;

  // Parses `kid1:base64key1,kid2:base64key2`; the first key is current. Key
  // ids are 1-64 characters of [A-Za-z0-9_-]; keys are standard or URL-safe
  // base64 of at least 32 bytes; whitespace around entries is ignored.
  // Errors are INVALID_ARGUMENT and name the key id (or the entry's position
  // when the id itself is unusable) but never include key material.
  static absl::StatusOr<KeyRing> Parse(absl::string_view config);

  // A ring with one fresh random 32-byte key under the id "dev", for
  // development and tests. Tokens it signs verify only within this process.
  static KeyRing Generate();

  KeyRing(const KeyRing&) = default;
  KeyRing& operator=(const KeyRing&) = default;
  KeyRing(KeyRing&&) = default;
  KeyRing& operator=(KeyRing&&) = default;
  // Wipes key material so it does not linger in freed heap memory (best
  // effort: copies made by assignment are wiped by their own destructor).
  ~KeyRing();

  // The key id new tokens are signed with.
  const std::string& current_key_id() const { return current_key_id_; }
  bool Contains(absl::string_view key_id) const;
  // All key ids, sorted; for start-up logs.
  std::vector<std::string> key_ids() const;

  // HMAC-SHA-256 of `message` under the key `key_id` (kMacBytes raw bytes).
  // NOT_FOUND for an unknown key id; INTERNAL if OpenSSL fails.
  absl::StatusOr<std::string> Mac(absl::string_view key_id, absl::string_view message) const;

 private:
  KeyRing() = default;

  std::string current_key_id_;
  std::map<std::string, std::string, std::less<>> keys_;
};

// True for a usable key id: 1-64 characters of [A-Za-z0-9_-].
bool IsValidKeyId(absl::string_view key_id);

}  // namespace onewindow::auth
