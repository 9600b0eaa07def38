#include "libs/auth/password.h"

#include <argon2.h>
#include <openssl/crypto.h>

#include <cstring>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/auth/random.h"

namespace onewindow::auth {
namespace {

constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;
constexpr PasswordParams kMinimumParams;

// What the "$argon2id$v=19$m=..,t=..,p=..$salt$hash" header says.
struct EncodedHash {
  PasswordParams params;
  size_t salt_bytes = 0;
  size_t hash_bytes = 0;
};

// argon2 writes base64 without padding; length is all we need from it.
size_t DecodedBase64Length(absl::string_view text) { return text.size() * 3 / 4; }

bool IsBase64NoPad(absl::string_view text) {
  if (text.empty() || text.size() % 4 == 1) {
    return false;
  }
  for (char c : text) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '+' || c == '/';
    if (!ok) {
      return false;
    }
  }
  return true;
}

bool ParseParam(absl::string_view field, absl::string_view name, uint32_t* value) {
  if (!absl::ConsumePrefix(&field, name) || !absl::ConsumePrefix(&field, "=") || field.empty() ||
      field.size() > 10) {
    return false;
  }
  for (char c : field) {
    if (c < '0' || c > '9') {
      return false;
    }
  }
  return absl::SimpleAtoi(field, value);
}

// Strict reading of the encoded form HashPassword produces. libargon2
// re-parses it during verification; this pass exists to check the costs
// before any memory is allocated and to answer NeedsRehash.
bool ParseEncoded(absl::string_view encoded, EncodedHash* out) {
  const std::vector<absl::string_view> parts = absl::StrSplit(encoded, '$');
  // Leading '$' gives an empty first part.
  if (parts.size() != 6 || !parts[0].empty() || parts[1] != "argon2id" || parts[2] != "v=19") {
    return false;
  }
  const std::vector<absl::string_view> costs = absl::StrSplit(parts[3], ',');
  if (costs.size() != 3 || !ParseParam(costs[0], "m", &out->params.memory_kib) ||
      !ParseParam(costs[1], "t", &out->params.iterations) ||
      !ParseParam(costs[2], "p", &out->params.parallelism)) {
    return false;
  }
  if (!IsBase64NoPad(parts[4]) || !IsBase64NoPad(parts[5])) {
    return false;
  }
  out->salt_bytes = DecodedBase64Length(parts[4]);
  out->hash_bytes = DecodedBase64Length(parts[5]);
  return true;
}

bool WithinCaps(const PasswordParams& params) {
  return params.memory_kib <= kMaxMemoryKib && params.iterations <= kMaxIterations &&
         params.parallelism <= kMaxParallelism;
}

enum class CharClass { kLower, kUpper, kDigit, kOther };

CharClass ClassOf(unsigned char c) {
  if (c >= 'a' && c <= 'z') {
    return CharClass::kLower;
  }
  if (c >= 'A' && c <= 'Z') {
    return CharClass::kUpper;
  }
  if (c >= '0' && c <= '9') {
    return CharClass::kDigit;
  }
  return CharClass::kOther;
}

}  // namespace

absl::StatusOr<std::string> HashPassword(absl::string_view password, const PasswordParams& params) {
  if (password.size() > kMaxPasswordInputBytes) {
    return absl::InvalidArgumentError("password: too long");
  }
  if (params.memory_kib < kMinimumParams.memory_kib ||
      params.iterations < kMinimumParams.iterations ||
      params.parallelism < kMinimumParams.parallelism || !WithinCaps(params)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "password params: need m >= ", kMinimumParams.memory_kib,
        " KiB, t >= ", kMinimumParams.iterations, ", p >= ", kMinimumParams.parallelism,
        ", and at most m=", kMaxMemoryKib, ", t=", kMaxIterations, ", p=", kMaxParallelism));
  }
  std::string salt = RandomBytes(kSaltBytes);
  std::string encoded(argon2_encodedlen(params.iterations, params.memory_kib, params.parallelism,
                                        kSaltBytes, kHashBytes, Argon2_id),
                      '\0');
  const int rc = argon2id_hash_encoded(params.iterations, params.memory_kib, params.parallelism,
                                       password.data(), password.size(), salt.data(), salt.size(),
                                       kHashBytes, &encoded[0], encoded.size());
  OPENSSL_cleanse(&salt[0], salt.size());
  if (rc != ARGON2_OK) {
    return absl::InternalError(absl::StrCat("argon2id: ", argon2_error_message(rc)));
  }
  // argon2_encodedlen counts the terminating NUL.
  encoded.resize(std::strlen(encoded.c_str()));
  return encoded;
}

absl::StatusOr<bool> VerifyPassword(absl::string_view password, absl::string_view encoded) {
  EncodedHash parsed;
  if (!ParseEncoded(encoded, &parsed) || !WithinCaps(parsed.params)) {
    return absl::InvalidArgumentError("stored password hash: not a usable argon2id hash");
  }
  // HashPassword never accepted such a password, so it cannot match.
  if (password.size() > kMaxPasswordInputBytes) {
    return false;
  }
  // libargon2 wants a NUL-terminated string.
  const std::string encoded_z(encoded);
  const int rc = argon2id_verify(encoded_z.c_str(), password.data(), password.size());
  if (rc == ARGON2_OK) {
    return true;
  }
  if (rc == ARGON2_VERIFY_MISMATCH) {
    return false;
  }
  if (rc == ARGON2_MEMORY_ALLOCATION_ERROR) {
    return absl::ResourceExhaustedError("argon2id: out of memory");
  }
  return absl::InvalidArgumentError(
      absl::StrCat("stored password hash: ", argon2_error_message(rc)));
}

bool NeedsRehash(absl::string_view encoded, const PasswordParams& params) {
  EncodedHash parsed;
  if (!ParseEncoded(encoded, &parsed)) {
    return true;
  }
  return parsed.params.memory_kib != params.memory_kib ||
         parsed.params.iterations != params.iterations ||
         parsed.params.parallelism != params.parallelism || parsed.salt_bytes < kSaltBytes ||
         parsed.hash_bytes < kHashBytes;
}

absl::Status CheckPasswordPolicy(absl::string_view password) {
  if (password.size() < kMinPasswordBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("password: must be at least ", kMinPasswordBytes, " bytes"));
  }
  if (password.size() > kMaxPasswordBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("password: must be at most ", kMaxPasswordBytes, " bytes"));
  }
  const CharClass first = ClassOf(static_cast<unsigned char>(password[0]));
  bool mixed = false;
  for (char ch : password) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError("password: must not contain control characters");
    }
    mixed = mixed || ClassOf(c) != first;
  }
  if (!mixed) {
    return absl::InvalidArgumentError(
        "password: must mix character kinds (lowercase, uppercase, digits, other)");
  }
  return absl::OkStatus();
}

}  // namespace onewindow::auth
