#include "libs/auth/random.h"

#include <openssl/rand.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/escaping.h"

namespace onewindow::auth {

std::string RandomBytes(size_t bytes) {
  std::string out(bytes, '\0');
  size_t done = 0;
  // RAND_bytes takes an int, so very large requests go in chunks.
  while (done < bytes) {
    const size_t chunk = std::min<size_t>(bytes - done, INT_MAX);
    if (RAND_bytes(reinterpret_cast<unsigned char*>(&out[done]), static_cast<int>(chunk)) != 1) {
      std::fputs("onewindow::auth: RAND_bytes failed; refusing to continue without randomness\n",
                 stderr);
      std::abort();
    }
    done += chunk;
  }
  return out;
}

std::string RandomToken(size_t bytes) { return absl::WebSafeBase64Escape(RandomBytes(bytes)); }

std::string RandomHex(size_t bytes) { return absl::BytesToHexString(RandomBytes(bytes)); }

}  // namespace onewindow::auth
