#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace onewindow::codes {

// 12-digit statistical division codes: 2 province + 2 city + 2 county + 3 town + 3 village.
// A level may be absent: Dongguan (4419), Zhongshan (4420) and Danzhou (4604) have towns
// directly under the city, with county digits 00.

enum class RegionLevel { kProvince, kCity, kCounty, kTown, kVillage };

// OK, or INVALID_ARGUMENT for a wrong length, a non-digit, or a structure no division can have:
// province 00, a county or town under city 00, a village under town 000.
absl::Status ValidateRegionCode(absl::string_view code);

// The level named by the lowest non-zero segment; the validation error for a bad code.
absl::StatusOr<RegionLevel> LevelOf(absl::string_view code);

// Leading digits that identify a division at `level`: every code below it shares them (towns
// directly under Dongguan included). Range queries over a region use them as a prefix.
size_t SignificantDigits(RegionLevel level);

// The code with its lowest non-zero segment zeroed; nullopt for a province or an invalid code.
std::optional<std::string> ParentOf(absl::string_view code);

// Every ancestor, nearest first, ending at the province; absent levels are skipped. Empty for a
// province or an invalid code.
std::vector<std::string> AncestorsOf(absl::string_view code);

}  // namespace onewindow::codes
