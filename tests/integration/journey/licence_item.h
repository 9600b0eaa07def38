#pragma once

// The one service item the journey applies for: a city-level licence
// (公共场所卫生许可) decided in a single stage by one department, so the
// department's part of the journey is one approval.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "onewindow/catalog/v1/catalog.grpc.pb.h"

namespace onewindow::journey {

inline constexpr char kBasicCode[] = "XK00120000";
inline constexpr char kItemName[] = "公共场所卫生许可（新办）";
// Two characters: the common length of a citizen's search.
inline constexpr char kSearchWord[] = "卫生";
inline constexpr char kLicenceType[] = "public_hygiene_licence";
inline constexpr char kCityRegion[] = "440100000000";
// Where the citizen lives: a community of Tianhe district under the city.
inline constexpr char kCitizenRegion[] = "440106001001";
inline constexpr char kFormMaterial[] = "form";
inline constexpr char kPlanMaterial[] = "floor_plan";

// The implementing department's unified social credit code (check
// character computed, not typed).
const std::string& DepartmentCode();
std::string ImplementationCode();

// Imports the region chain, the department and the basic item, then
// publishes the implementation, as the platform admin holding
// `admin_token`. Returns the revision published.
absl::StatusOr<int64_t> PublishLicenceItem(catalog::v1::CatalogService::StubInterface* catalog,
                                           const std::string& admin_token);

}  // namespace onewindow::journey
