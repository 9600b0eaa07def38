#include "services/notification/signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace onewindow::notification {

std::string WebhookSignature(absl::string_view secret, absl::string_view body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &length);
  return absl::StrCat(
      "sha256=", absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(mac), length)));
}

bool VerifyWebhookSignature(absl::string_view secret, absl::string_view body,
                            absl::string_view header_value) {
  const std::string expected = WebhookSignature(secret, body);
  return header_value.size() == expected.size() &&
         CRYPTO_memcmp(header_value.data(), expected.data(), expected.size()) == 0;
}

}  // namespace onewindow::notification
