#include "libs/auth/random.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/escaping.h"

namespace onewindow::auth {

namespace {

void DrawOrDie(unsigned char* out, size_t bytes) {
  size_t done = 0;
  // RAND_bytes takes an int, so very large requests go in chunks.
  while (done < bytes) {
    const size_t chunk = std::min<size_t>(bytes - done, INT_MAX);
    if (RAND_bytes(out + done, static_cast<int>(chunk)) != 1) {
      std::fputs("onewindow::auth: RAND_bytes failed; refusing to continue without randomness\n",
                 stderr);
      std::abort();
    }
    done += chunk;
  }
}

}  // namespace

std::string RandomBytes(size_t bytes) {
  std::string out(bytes, '\0');
  DrawOrDie(reinterpret_cast<unsigned char*>(out.data()), bytes);
  return out;
}

std::string RandomToken(size_t bytes) { return absl::WebSafeBase64Escape(RandomBytes(bytes)); }

std::string RandomHex(size_t bytes) { return absl::BytesToHexString(RandomBytes(bytes)); }

RandomPool::RandomPool(size_t refill_bytes)
    : pool_(std::max<size_t>(refill_bytes, 1)), next_(pool_.size()) {}

RandomPool::~RandomPool() {
  absl::MutexLock lock(&mu_);
  OPENSSL_cleanse(pool_.data(), pool_.size());
}

void RandomPool::Fill(absl::Span<uint8_t> out) {
  absl::MutexLock lock(&mu_);
  size_t done = 0;
  while (done < out.size()) {
    if (next_ == pool_.size()) {
      DrawOrDie(pool_.data(), pool_.size());
      next_ = 0;
    }
    const size_t n = std::min(out.size() - done, pool_.size() - next_);
    std::copy_n(pool_.data() + next_, n, out.data() + done);
    OPENSSL_cleanse(pool_.data() + next_, n);
    next_ += n;
    done += n;
  }
}

std::string RandomPool::Hex(size_t bytes) {
  std::string raw(bytes, '\0');
  Fill(absl::MakeSpan(reinterpret_cast<uint8_t*>(raw.data()), raw.size()));
  std::string hex = absl::BytesToHexString(raw);
  OPENSSL_cleanse(raw.data(), raw.size());
  return hex;
}

}  // namespace onewindow::auth
