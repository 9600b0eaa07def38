#include "libs/codes/credit_code.h"

#include <array>
#include <cstddef>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace onewindow::codes {
namespace {

constexpr size_t kLength = 18;
// A symbol's value is its index here.
constexpr absl::string_view kAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
constexpr std::array<int, 17> kWeights = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                          29, 25, 13, 8,  24, 10, 30, 28};
// The region part (GB/T 2260) is always numeric, though the alphabet would allow letters.
constexpr size_t kRegionOffset = 2;
constexpr size_t kRegionLength = 6;

int SymbolValue(char c) {
  const size_t index = kAlphabet.find(c);
  return index == absl::string_view::npos ? -1 : static_cast<int>(index);
}

std::string WhyNotInAlphabet(char c) {
  if (absl::ascii_islower(static_cast<unsigned char>(c))) {
    return " (letters must be upper case)";
  }
  if (absl::string_view("IOSVZ").find(c) != absl::string_view::npos) {
    return " (I, O, S, V and Z are not used)";
  }
  return "";
}

}  // namespace

char CreditCodeCheckChar(absl::string_view first17) {
  if (first17.size() != kWeights.size()) {
    return '\0';
  }
  int sum = 0;
  for (size_t i = 0; i < kWeights.size(); ++i) {
    const int value = SymbolValue(first17[i]);
    if (value < 0) {
      return '\0';
    }
    sum += value * kWeights[i];
  }
  const int check = 31 - sum % 31;
  return kAlphabet[check == 31 ? 0 : check];
}

absl::Status ValidateCreditCode(absl::string_view code) {
  if (code.size() != kLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("credit code must be ", kLength, " characters, got ", code.size()));
  }
  for (size_t i = 0; i < kLength; ++i) {
    if (SymbolValue(code[i]) < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("credit code has a character outside the GB 32100 alphabet at position ",
                       i + 1, WhyNotInAlphabet(code[i])));
    }
  }
  for (size_t i = kRegionOffset; i < kRegionOffset + kRegionLength; ++i) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(code[i]))) {
      return absl::InvalidArgumentError(absl::StrCat(
          "credit code region part (positions ", kRegionOffset + 1, "-",
          kRegionOffset + kRegionLength, ") must be digits, position ", i + 1, " is not"));
    }
  }
  const char expected = CreditCodeCheckChar(code.substr(0, kLength - 1));
  const char actual = code[kLength - 1];
  if (actual != expected) {
    return absl::InvalidArgumentError(absl::StrCat(
        "credit code check character is wrong: expected '", absl::string_view(&expected, 1),
        "', got '", absl::string_view(&actual, 1), "'"));
  }
  return absl::OkStatus();
}

bool IsGovernmentBody(absl::string_view code) { return absl::StartsWith(code, "11"); }

}  // namespace onewindow::codes
