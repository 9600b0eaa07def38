#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"

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

// The same CSPRNG drawn a kilobyte at a time, for paths that need a
// few random bytes per request: a RAND_bytes call costs about what drawing
// a kilobyte does (a DRBG generate with its reseed check and its CTR
// update), so one per id was most of the id's cost. Bytes handed out are
// wiped from the pool, which then holds only bytes nobody has seen. Like
// the DRBG's own state it must not be shared across a fork without exec.
// Thread-safe.
class RandomPool {
 public:
  // A kilobyte: the draw's fixed cost spread over about fifty ids and codes,
  // and no more than that many waiting in memory.
  explicit RandomPool(size_t refill_bytes = 1024);
  ~RandomPool();

  RandomPool(const RandomPool&) = delete;
  RandomPool& operator=(const RandomPool&) = delete;

  void Fill(absl::Span<uint8_t> out);
  // `bytes` bytes as lowercase hex, as RandomHex.
  std::string Hex(size_t bytes);

 private:
  absl::Mutex mu_;
  std::vector<uint8_t> pool_ ABSL_GUARDED_BY(mu_);
  // Bytes before this were handed out (and wiped).
  size_t next_ ABSL_GUARDED_BY(mu_);
};

}  // namespace onewindow::auth
