#include "libs/auth/keyring.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/auth/random.h"

namespace onewindow::auth {
namespace {

void Wipe(std::string& secret) {
  if (!secret.empty()) {
    OPENSSL_cleanse(&secret[0], secret.size());
  }
}

// Operators paste keys from whatever tool they have; accept either alphabet.
bool DecodeKey(absl::string_view encoded, std::string* key) {
  return absl::Base64Unescape(encoded, key) || absl::WebSafeBase64Unescape(encoded, key);
}

}  // namespace

bool IsValidKeyId(absl::string_view key_id) {
  if (key_id.empty() || key_id.size() > KeyRing::kMaxKeyIdLength) {
    return false;
  }
  for (char c : key_id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') {
      return false;
    }
  }
  return true;
}

absl::StatusOr<KeyRing> KeyRing::Parse(absl::string_view config) {
  KeyRing ring;
  int position = 0;
  for (absl::string_view entry : absl::StrSplit(config, ',')) {
    ++position;
    entry = absl::StripAsciiWhitespace(entry);
    const size_t colon = entry.find(':');
    // A malformed entry may be a bare key, so describe it by position only.
    if (colon == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("key ring entry ", position, ": expected <key id>:<base64 key>"));
    }
    const absl::string_view key_id = absl::StripAsciiWhitespace(entry.substr(0, colon));
    if (!IsValidKeyId(key_id)) {
      return absl::InvalidArgumentError(absl::StrCat("key ring entry ", position,
                                                     ": key id must be 1-", kMaxKeyIdLength,
                                                     " characters of [A-Za-z0-9_-]"));
    }
    if (ring.Contains(key_id)) {
      return absl::InvalidArgumentError(
          absl::StrCat("key ring: duplicate key id \"", key_id, "\""));
    }
    std::string key;
    if (!DecodeKey(absl::StripAsciiWhitespace(entry.substr(colon + 1)), &key)) {
      Wipe(key);
      return absl::InvalidArgumentError(
          absl::StrCat("key ring: key \"", key_id, "\" is not valid base64"));
    }
    if (key.size() < kMinKeyBytes) {
      const size_t got = key.size();
      Wipe(key);
      return absl::InvalidArgumentError(absl::StrCat("key ring: key \"", key_id, "\" has ", got,
                                                     " bytes; at least ", kMinKeyBytes,
                                                     " are required"));
    }
    if (ring.current_key_id_.empty()) {
      ring.current_key_id_ = std::string(key_id);
    }
    ring.keys_.emplace(std::string(key_id), std::move(key));
  }
  // StrSplit yields one empty entry for an empty config, which fails above;
  // this guards the invariant that a ring always has a current key.
  if (ring.keys_.empty()) {
    return absl::InvalidArgumentError("key ring: no keys configured");
  }
  return ring;
}

KeyRing KeyRing::Generate() {
  KeyRing ring;
  ring.current_key_id_ = "dev";
  ring.keys_.emplace(ring.current_key_id_, RandomBytes(kMinKeyBytes));
  return ring;
}

KeyRing::~KeyRing() {
  for (auto& [key_id, key] : keys_) {
    Wipe(key);
  }
}

bool KeyRing::Contains(absl::string_view key_id) const { return keys_.find(key_id) != keys_.end(); }

std::vector<std::string> KeyRing::key_ids() const {
  std::vector<std::string> ids;
  ids.reserve(keys_.size());
  for (const auto& [key_id, key] : keys_) {
    ids.push_back(key_id);
  }
  return ids;
}

absl::StatusOr<std::string> KeyRing::Mac(absl::string_view key_id,
                                         absl::string_view message) const {
  auto it = keys_.find(key_id);
  if (it == keys_.end()) {
    return absl::NotFoundError("unknown key id");
  }
  const std::string& key = it->second;
  std::string mac(EVP_MAX_MD_SIZE, '\0');
  unsigned int mac_len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(),
           reinterpret_cast<unsigned char*>(&mac[0]), &mac_len) == nullptr ||
      mac_len != kMacBytes) {
    return absl::InternalError("HMAC-SHA-256 failed");
  }
  mac.resize(mac_len);
  return mac;
}

}  // namespace onewindow::auth
