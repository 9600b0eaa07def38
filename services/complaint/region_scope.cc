#include "services/complaint/region_scope.h"

#include "absl/strings/match.h"
#include "libs/codes/region_code.h"

namespace onewindow::complaint {

std::string SubtreePrefix(absl::string_view region_code) {
  absl::StatusOr<codes::RegionLevel> level = codes::LevelOf(region_code);
  if (!level.ok()) return "";
  switch (*level) {
    case codes::RegionLevel::kProvince:
      return std::string(region_code.substr(0, 2));
    case codes::RegionLevel::kCity:
      return std::string(region_code.substr(0, 4));
    case codes::RegionLevel::kCounty:
      return std::string(region_code.substr(0, 6));
    case codes::RegionLevel::kTown:
      return std::string(region_code.substr(0, 9));
    case codes::RegionLevel::kVillage:
      return std::string(region_code);
  }
  return "";
}

bool InSubtree(absl::string_view code, absl::string_view ancestor_or_self) {
  const std::string prefix = SubtreePrefix(ancestor_or_self);
  return !prefix.empty() && code.size() == 12 && absl::StartsWith(code, prefix);
}

}  // namespace onewindow::complaint
