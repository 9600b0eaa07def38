#include "libs/codes/item_code.h"

#include <array>
#include <cstddef>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

#include "libs/codes/credit_code.h"

namespace onewindow::codes {
namespace {

struct ItemTypeInfo {
  ItemType type;
  absl::string_view code;
  absl::string_view name;
};

constexpr std::array<ItemTypeInfo, 8> kItemTypes = {{
    {ItemType::kLicensing, "XK", "行政许可"},
    {ItemType::kPayment, "GF", "行政给付"},
    {ItemType::kConfirmation, "QR", "行政确认"},
    {ItemType::kAdjudication, "CJ", "行政裁决"},
    {ItemType::kReward, "JL", "行政奖励"},
    {ItemType::kLevy, "ZS", "行政征收"},
    {ItemType::kOtherPower, "QT", "其他行政权力"},
    {ItemType::kPublicService, "GG", "公共服务"},
}};

constexpr size_t kTypeLength = 2;
constexpr size_t kMainLength = 5;
constexpr size_t kSubLength = 3;
constexpr size_t kBasicLength = kTypeLength + kMainLength + kSubLength;
constexpr size_t kSuffixLength = 2;

// Null only for an integer cast to ItemType outside the enumerators.
const ItemTypeInfo* InfoOf(ItemType type) {
  for (const ItemTypeInfo& info : kItemTypes) {
    if (info.type == type) {
      return &info;
    }
  }
  return nullptr;
}

bool AllDigits(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

// The parts' own messages say what is wrong; this says in what.
absl::Status InImplementationCode(const absl::Status& status) {
  return absl::Status(status.code(), absl::StrCat("implementation code: ", status.message()));
}

}  // namespace

absl::string_view ItemTypeCode(ItemType type) {
  const ItemTypeInfo* info = InfoOf(type);
  return info == nullptr ? absl::string_view() : info->code;
}

absl::string_view ItemTypeName(ItemType type) {
  const ItemTypeInfo* info = InfoOf(type);
  return info == nullptr ? absl::string_view() : info->name;
}

absl::StatusOr<ItemType> ItemTypeFromCode(absl::string_view code) {
  for (const ItemTypeInfo& info : kItemTypes) {
    if (info.code == code) {
      return info.type;
    }
  }
  return absl::InvalidArgumentError(
      "unknown item type code; expected one of XK GF QR CJ JL ZS QT GG");
}

absl::StatusOr<ItemType> ItemTypeFromName(absl::string_view name) {
  for (const ItemTypeInfo& info : kItemTypes) {
    if (info.name == name) {
      return info.type;
    }
  }
  return absl::InvalidArgumentError("unknown item type name");
}

absl::Status ValidateBasicCode(absl::string_view code) {
  if (code.size() != kBasicLength) {
    return absl::InvalidArgumentError(absl::StrCat(
        "basic code must be ", kBasicLength, " characters (2-letter type, 5-digit main item, ",
        "3-digit sub-item), got ", code.size()));
  }
  if (!ItemTypeFromCode(code.substr(0, kTypeLength)).ok()) {
    return absl::InvalidArgumentError(
        "basic code has an unknown type code; expected one of XK GF QR CJ JL ZS QT GG");
  }
  if (!AllDigits(code.substr(kTypeLength, kMainLength))) {
    return absl::InvalidArgumentError(absl::StrCat("basic code main item (positions ",
                                                   kTypeLength + 1, "-", kTypeLength + kMainLength,
                                                   ") must be digits"));
  }
  if (!AllDigits(code.substr(kTypeLength + kMainLength))) {
    return absl::InvalidArgumentError(absl::StrCat("basic code sub-item (positions ",
                                                   kTypeLength + kMainLength + 1, "-", kBasicLength,
                                                   ") must be digits"));
  }
  return absl::OkStatus();
}

absl::StatusOr<ImplementationCodeParts> ParseImplementationCode(absl::string_view code) {
  const std::vector<absl::string_view> parts = absl::StrSplit(code, '-');
  if (parts.size() != 2 && parts.size() != 3) {
    return absl::InvalidArgumentError(
        "implementation code must be <basic code>-<credit code> or "
        "<basic code>-<credit code>-<2-digit business item>");
  }
  if (absl::Status status = ValidateBasicCode(parts[0]); !status.ok()) {
    return InImplementationCode(status);
  }
  if (absl::Status status = ValidateCreditCode(parts[1]); !status.ok()) {
    return InImplementationCode(status);
  }
  ImplementationCodeParts result;
  result.basic_code = std::string(parts[0]);
  result.credit_code = std::string(parts[1]);
  if (parts.size() == 3) {
    if (parts[2].size() != kSuffixLength || !AllDigits(parts[2])) {
      return absl::InvalidArgumentError(
          absl::StrCat("implementation code business item must be ", kSuffixLength, " digits"));
    }
    result.suffix = std::string(parts[2]);
  }
  return result;
}

absl::Status ValidateImplementationCode(absl::string_view code) {
  return ParseImplementationCode(code).status();
}

std::string MakeImplementationCode(absl::string_view basic_code, absl::string_view credit_code,
                                   std::optional<absl::string_view> suffix) {
  std::string code = absl::StrCat(basic_code, "-", credit_code);
  if (suffix.has_value()) {
    absl::StrAppend(&code, "-", *suffix);
  }
  return code;
}

}  // namespace onewindow::codes
