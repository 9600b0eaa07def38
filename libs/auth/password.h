#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace onewindow::auth {

// argon2id cost parameters. The defaults are OWASP's minimum recommendation
// for argon2id (19 MiB, 2 passes, 1 lane); HashPassword refuses anything
// weaker.
struct PasswordParams {
  uint32_t memory_kib = 19456;
  uint32_t iterations = 2;
  uint32_t parallelism = 1;
};

// Bounds on what HashPassword and VerifyPassword will process. Passwords
// are capped well above the policy maximum so that a change of policy does
// not strand stored hashes, but low enough that nobody can make us hash
// megabytes. Costs read from a stored hash are capped so a corrupted or
// planted row cannot make one login allocate gigabytes.
inline constexpr size_t kMaxPasswordInputBytes = 1024;
// Length limits of CheckPasswordPolicy, for forms that want to show them.
inline constexpr size_t kMinPasswordBytes = 8;
inline constexpr size_t kMaxPasswordBytes = 128;
inline constexpr uint32_t kMaxMemoryKib = 1024 * 1024;  // 1 GiB
inline constexpr uint32_t kMaxIterations = 16;
inline constexpr uint32_t kMaxParallelism = 16;

// The standard argon2id encoded string
// ("$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>") with a fresh 16-byte
// random salt and a 32-byte hash. INVALID_ARGUMENT for params weaker than
// the defaults or above the caps, or a password longer than
// kMaxPasswordInputBytes; INTERNAL if argon2 fails.
absl::StatusOr<std::string> HashPassword(absl::string_view password,
                                         const PasswordParams& params = {});

// Whether `password` matches `encoded` (compared in constant time by
// libargon2). INVALID_ARGUMENT if `encoded` is not an argon2id v19 string
// within the caps, so a corrupt stored hash is told apart from a wrong
// password.
absl::StatusOr<bool> VerifyPassword(absl::string_view password, absl::string_view encoded);

// True when `encoded` should be replaced by a fresh hash at the next
// successful login: it is not argon2id v19, cannot be read, or its memory,
// iterations or parallelism differ from `params` (in either direction, so a
// deliberate change of parameters reaches every account), or its salt or
// hash are shorter than HashPassword makes them.
bool NeedsRehash(absl::string_view encoded, const PasswordParams& params = {});

// OneWindow's password policy, checked when a password is set (never at
// login, so a policy change does not lock anyone out):
//  - 8 to 128 bytes (UTF-8), counted in bytes because that is what we hash;
//  - no control characters (U+0000-U+001F, U+007F), which forms and
//    terminals mangle and users cannot retype reliably;
//  - not made entirely of one character class, the classes being ASCII
//    lowercase, ASCII uppercase, ASCII digits, and everything else
//    (punctuation, spaces, non-ASCII such as Chinese characters). So
//    "12345678" and "password" fail, "passw0rd" passes: this only rules out
//    the most guessable passwords; length does the real work.
// INVALID_ARGUMENT naming the field "password"; the password itself is
// never included.
absl::Status CheckPasswordPolicy(absl::string_view password);

}  // namespace onewindow::auth
