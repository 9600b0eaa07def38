#pragma once

#include <cstddef>
#include <string>

namespace onewindow::auth {

// All randomness here comes from OpenSSL's CSPRNG (RAND_bytes). If it ever
// fails the process aborts: handing out a predictable session id or salt is
// worse than going down, and callers could not do anything sensible with an
// error anyway.

// `bytes` raw random bytes (salts, keys).
std::string RandomBytes(size_t bytes);

// `bytes` random bytes as unpadded base64url, safe in URLs, cookies and
// metadata. Session ids use 32 bytes (256 bits).
std::string RandomToken(size_t bytes = 32);

// `bytes` random bytes as lowercase hex (2 characters per byte).
std::string RandomHex(size_t bytes);

}  // namespace onewindow::auth
