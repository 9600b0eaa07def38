#include "libs/codes/region_code.h"

#include <array>
#include <cstddef>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

#include "libs/status/macros.h"

namespace onewindow::codes {
namespace {

constexpr size_t kLength = 12;

struct Segment {
  size_t offset;
  size_t width;
};

// Indexed by RegionLevel.
constexpr std::array<Segment, 5> kSegments = {{{0, 2}, {2, 2}, {4, 2}, {6, 3}, {9, 3}}};

bool IsZero(absl::string_view code, RegionLevel level) {
  const Segment& segment = kSegments[static_cast<size_t>(level)];
  return code.substr(segment.offset, segment.width).find_first_not_of('0') ==
         absl::string_view::npos;
}

// The caller has validated `code`.
RegionLevel LowestSetLevel(absl::string_view code) {
  for (RegionLevel level :
       {RegionLevel::kVillage, RegionLevel::kTown, RegionLevel::kCounty, RegionLevel::kCity}) {
    if (!IsZero(code, level)) {
      return level;
    }
  }
  return RegionLevel::kProvince;
}

}  // namespace

absl::Status ValidateRegionCode(absl::string_view code) {
  if (code.size() != kLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("region code must be ", kLength, " digits, got ", code.size(), " characters"));
  }
  for (size_t i = 0; i < kLength; ++i) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(code[i]))) {
      return absl::InvalidArgumentError(
          absl::StrCat("region code has a non-digit at position ", i + 1));
    }
  }
  if (IsZero(code, RegionLevel::kProvince)) {
    return absl::InvalidArgumentError("region code has province digits 00");
  }
  if (IsZero(code, RegionLevel::kCity)) {
    if (!IsZero(code, RegionLevel::kCounty)) {
      return absl::InvalidArgumentError("region code sets county digits under city digits 00");
    }
    if (!IsZero(code, RegionLevel::kTown)) {
      return absl::InvalidArgumentError("region code sets town digits under city digits 00");
    }
  }
  // County 00 under a real city is allowed: some cities have no counties (see the header).
  if (IsZero(code, RegionLevel::kTown) && !IsZero(code, RegionLevel::kVillage)) {
    return absl::InvalidArgumentError("region code sets village digits under town digits 000");
  }
  return absl::OkStatus();
}

size_t SignificantDigits(RegionLevel level) {
  const size_t index = static_cast<size_t>(level);
  if (index >= kSegments.size()) return 12;
  return kSegments[index].offset + kSegments[index].width;
}

absl::StatusOr<RegionLevel> LevelOf(absl::string_view code) {
  RETURN_IF_ERROR(ValidateRegionCode(code));
  return LowestSetLevel(code);
}

std::optional<std::string> ParentOf(absl::string_view code) {
  if (!ValidateRegionCode(code).ok()) {
    return std::nullopt;
  }
  const RegionLevel level = LowestSetLevel(code);
  if (level == RegionLevel::kProvince) {
    return std::nullopt;
  }
  const Segment& segment = kSegments[static_cast<size_t>(level)];
  std::string parent(code);
  parent.replace(segment.offset, segment.width, segment.width, '0');
  return parent;
}

std::vector<std::string> AncestorsOf(absl::string_view code) {
  std::vector<std::string> ancestors;
  for (std::optional<std::string> parent = ParentOf(code); parent.has_value();
       parent = ParentOf(*parent)) {
    ancestors.push_back(*parent);
  }
  return ancestors;
}

}  // namespace onewindow::codes
