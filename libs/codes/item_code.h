#pragma once

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace onewindow::codes {

// Service item codes (a project rule, see DOMAIN.md "Service items"):
//   basic code           XK00105001 = 2-letter type + 5-digit main item + 3-digit sub-item
//   implementation code  <basic code>-<implementing body's credit code>[-<2-digit business item>]

enum class ItemType {
  kLicensing,      // XK 行政许可
  kPayment,        // GF 行政给付
  kConfirmation,   // QR 行政确认
  kAdjudication,   // CJ 行政裁决
  kReward,         // JL 行政奖励
  kLevy,           // ZS 行政征收
  kOtherPower,     // QT 其他行政权力
  kPublicService,  // GG 公共服务
};

// Both are empty only for an integer cast to ItemType outside the enumerators.
absl::string_view ItemTypeCode(ItemType type);
// The Chinese name, UTF-8.
absl::string_view ItemTypeName(ItemType type);
// INVALID_ARGUMENT for anything but the eight upper-case codes or the eight names.
absl::StatusOr<ItemType> ItemTypeFromCode(absl::string_view code);
absl::StatusOr<ItemType> ItemTypeFromName(absl::string_view name);

absl::Status ValidateBasicCode(absl::string_view code);

struct ImplementationCodeParts {
  std::string basic_code;
  std::string credit_code;
  std::optional<std::string> suffix;  // The business item, when the code names one.
};

// Checks every part, including the credit code's check character.
absl::StatusOr<ImplementationCodeParts> ParseImplementationCode(absl::string_view code);
absl::Status ValidateImplementationCode(absl::string_view code);

// Joins the parts without checking them; pass the result to ValidateImplementationCode when the
// parts are untrusted.
std::string MakeImplementationCode(absl::string_view basic_code, absl::string_view credit_code,
                                   std::optional<absl::string_view> suffix = std::nullopt);

}  // namespace onewindow::codes
