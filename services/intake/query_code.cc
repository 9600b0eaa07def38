#include "services/intake/query_code.h"

#include <openssl/crypto.h>

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace onewindow::intake {
namespace {

constexpr absl::string_view kAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
static_assert(kAlphabet.size() == 32, "five bits per character");

}  // namespace

std::string NewQueryCode(auth::RandomPool& random) {
  uint8_t drawn[kQueryCodeLength];
  random.Fill(absl::MakeSpan(drawn));
  std::string code(kQueryCodeLength, ' ');
  for (int i = 0; i < kQueryCodeLength; ++i) code[i] = kAlphabet[drawn[i] & 31];
  OPENSSL_cleanse(drawn, sizeof drawn);
  return code;
}

absl::StatusOr<std::string> NormalizeQueryCode(absl::string_view typed) {
  std::string code;
  for (const char c : typed) {
    if (c == ' ' || c == '-') continue;
    const char upper = absl::ascii_toupper(static_cast<unsigned char>(c));
    if (kAlphabet.find(upper) == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("query_code: only the letters and digits on the receipt (", kQueryCodeLength,
                       " of ", kAlphabet, ")"));
    }
    code.push_back(upper);
  }
  if (code.empty()) return absl::InvalidArgumentError("query_code: required");
  if (code.size() != kQueryCodeLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("query_code: ", kQueryCodeLength, " characters, not ", code.size()));
  }
  return code;
}

bool QueryCodesEqual(absl::string_view stored, absl::string_view given) {
  if (stored.size() != given.size() || stored.empty()) return false;
  return CRYPTO_memcmp(stored.data(), given.data(), stored.size()) == 0;
}

}  // namespace onewindow::intake
