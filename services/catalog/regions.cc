#include "services/catalog/regions.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/codes/region_code.h"
#include "libs/status/macros.h"
#include "services/catalog/region_store.h"

namespace onewindow::catalog {
namespace {

constexpr char kRootCode[] = "000000000000";

catalog::v1::RegionLevel ToProtoLevel(codes::RegionLevel level) {
  switch (level) {
    case codes::RegionLevel::kProvince:
      return catalog::v1::PROVINCE;
    case codes::RegionLevel::kCity:
      return catalog::v1::CITY;
    case codes::RegionLevel::kCounty:
      return catalog::v1::COUNTY;
    case codes::RegionLevel::kTown:
      return catalog::v1::TOWN;
    case codes::RegionLevel::kVillage:
      return catalog::v1::VILLAGE;
  }
  return catalog::v1::REGION_LEVEL_UNSPECIFIED;
}

absl::Status CheckCode(const std::string& code, absl::string_view field) {
  absl::Status s = codes::ValidateRegionCode(code);
  if (!s.ok()) return absl::InvalidArgumentError(absl::StrCat(field, ": ", s.message()));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<int> Regions::Import(std::vector<catalog::v1::Region> regions) {
  std::vector<std::string> problems;
  std::set<std::string> in_batch;
  for (size_t i = 0; i < regions.size(); ++i) {
    catalog::v1::Region& r = regions[i];
    const std::string where = absl::StrCat("regions[", i, "]");
    absl::Status s = CheckCode(r.code(), absl::StrCat(where, ".code"));
    if (!s.ok()) {
      problems.emplace_back(s.message());
      continue;
    }
    if (r.name().empty()) problems.push_back(absl::StrCat(where, ".name: required"));
    absl::StatusOr<codes::RegionLevel> level = codes::LevelOf(r.code());
    if (!level.ok()) {
      problems.push_back(absl::StrCat(where, ".code: ", level.status().message()));
      continue;
    }
    r.set_level(ToProtoLevel(*level));
    const std::optional<std::string> parent = codes::ParentOf(r.code());
    r.set_parent_code(parent.value_or(""));
    if (!in_batch.insert(r.code()).second) {
      problems.push_back(absl::StrCat(where, ".code: ", r.code(), " appears twice"));
    }
  }
  if (!problems.empty()) return absl::InvalidArgumentError(absl::StrJoin(problems, "; "));
  // Parents before children, so foreign keys hold row by row.
  std::sort(regions.begin(), regions.end(), [](const auto& a, const auto& b) {
    return a.level() != b.level() ? a.level() < b.level() : a.code() < b.code();
  });
  RETURN_IF_ERROR(db_->Write([&](store::Connection& db) -> absl::Status {
    for (const auto& r : regions) {
      if (!r.parent_code().empty() && in_batch.count(r.parent_code()) == 0 &&
          !RegionStore::Get(db, r.parent_code()).has_value()) {
        return absl::InvalidArgumentError(absl::StrCat("regions: parent ", r.parent_code(), " of ",
                                                       r.code(), " is neither stored nor given"));
      }
      RETURN_IF_ERROR(RegionStore::Upsert(db, r));
    }
    return absl::OkStatus();
  }));
  return static_cast<int>(regions.size());
}

absl::StatusOr<catalog::v1::Region> Regions::Get(const std::string& code) const {
  RETURN_IF_ERROR(CheckCode(code, "code"));
  std::optional<catalog::v1::Region> region;
  RETURN_IF_ERROR(db_->Read([&](store::Connection& db) {
    region = RegionStore::Get(db, code);
    return absl::OkStatus();
  }));
  if (!region.has_value()) return absl::NotFoundError(absl::StrCat("region ", code, " not found"));
  return *region;
}

absl::StatusOr<std::vector<catalog::v1::Region>> Regions::Children(const std::string& code) const {
  std::vector<catalog::v1::Region> children;
  if (code == kRootCode) {
    RETURN_IF_ERROR(db_->Read([&](store::Connection& db) {
      children = RegionStore::Children(db, "");
      return absl::OkStatus();
    }));
    return children;
  }
  RETURN_IF_ERROR(CheckCode(code, "code"));
  bool exists = false;
  RETURN_IF_ERROR(db_->Read([&](store::Connection& db) {
    exists = RegionStore::Get(db, code).has_value();
    if (exists) children = RegionStore::Children(db, code);
    return absl::OkStatus();
  }));
  if (!exists) return absl::NotFoundError(absl::StrCat("region ", code, " not found"));
  return children;
}

absl::StatusOr<std::vector<catalog::v1::Region>> Regions::Ancestors(const std::string& code) const {
  RETURN_IF_ERROR(CheckCode(code, "code"));
  std::vector<catalog::v1::Region> ancestors;
  bool exists = false;
  RETURN_IF_ERROR(db_->Read([&](store::Connection& db) {
    exists = RegionStore::Get(db, code).has_value();
    for (const std::string& ancestor : codes::AncestorsOf(code)) {
      if (auto region = RegionStore::Get(db, ancestor)) ancestors.push_back(*std::move(region));
    }
    return absl::OkStatus();
  }));
  if (!exists) return absl::NotFoundError(absl::StrCat("region ", code, " not found"));
  return ancestors;
}

}  // namespace onewindow::catalog
