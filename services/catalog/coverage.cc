#include "services/catalog/coverage.h"

#include <map>
#include <optional>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/codes/credit_code.h"
#include "libs/codes/item_code.h"
#include "libs/codes/region_code.h"
#include "libs/status/macros.h"
#include "services/catalog/coverage_store.h"
#include "services/catalog/department_store.h"
#include "services/catalog/region_store.h"

namespace onewindow::catalog {
namespace {

double Ratio(int published, int required) {
  return required == 0 ? 1.0 : static_cast<double>(published) / required;
}

// The direct child of `parent` ("" = the root) on the way down to `code`;
// nullopt when `code` is `parent` itself.
std::optional<std::string> ChildToward(const std::string& parent, const std::string& code) {
  if (parent.empty()) return absl::StrCat(code.substr(0, 2), "0000000000");
  if (code == parent) return std::nullopt;
  if (codes::ParentOf(code) == parent) return code;
  for (const std::string& ancestor : codes::AncestorsOf(code)) {
    if (codes::ParentOf(ancestor) == parent) return ancestor;
  }
  return std::nullopt;
}

}  // namespace

absl::StatusOr<int> Coverage::SetRequired(const std::string& department_credit_code,
                                          const std::vector<std::string>& basic_codes) {
  std::vector<std::string> problems;
  if (absl::Status s = codes::ValidateCreditCode(department_credit_code); !s.ok()) {
    problems.push_back(absl::StrCat("department_credit_code: ", s.message()));
  }
  std::set<std::string> unique;
  for (size_t i = 0; i < basic_codes.size(); ++i) {
    if (absl::Status s = codes::ValidateBasicCode(basic_codes[i]); !s.ok()) {
      problems.push_back(absl::StrCat("basic_codes[", i, "]: ", s.message()));
    } else {
      unique.insert(basic_codes[i]);
    }
  }
  if (!problems.empty()) return absl::InvalidArgumentError(absl::StrJoin(problems, "; "));
  const std::vector<std::string> codes(unique.begin(), unique.end());
  RETURN_IF_ERROR(db_->Write([&](store::Connection& db) -> absl::Status {
    if (!DepartmentStore::Get(db, department_credit_code).has_value()) {
      return absl::NotFoundError(absl::StrCat("department ", department_credit_code, " not found"));
    }
    std::vector<std::string> missing;
    for (size_t i = 0; i < basic_codes.size(); ++i) {
      if (!CoverageStore::BasicItemExists(db, basic_codes[i])) {
        missing.push_back(
            absl::StrCat("basic_codes[", i, "]: basic item ", basic_codes[i], " not found"));
      }
    }
    if (!missing.empty()) return absl::InvalidArgumentError(absl::StrJoin(missing, "; "));
    CoverageStore::ReplaceRequired(db, department_credit_code, codes);
    return absl::OkStatus();
  }));
  return static_cast<int>(codes.size());
}

absl::StatusOr<catalog::v1::CoverageReport> Coverage::Report(const std::string& region_code) const {
  std::string lo;
  std::string hi = "~";  // after every digit
  if (!region_code.empty()) {
    absl::StatusOr<codes::RegionLevel> level = codes::LevelOf(region_code);
    if (!level.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("region_code: ", level.status().message()));
    }
    lo = region_code.substr(0, codes::SignificantDigits(*level));
    hi = lo;
    ++hi.back();  // '9' + 1 = ':' still sorts after every digit
  }

  catalog::v1::CoverageReport report;
  bool region_exists = true;
  RETURN_IF_ERROR(db_->Read([&](store::Connection& db) {
    if (!region_code.empty()) region_exists = RegionStore::Get(db, region_code).has_value();
    if (!region_exists) return absl::OkStatus();
    catalog::v1::DepartmentCoverage* current = nullptr;
    CoverageStore::ForEachRequirement(db, lo, hi, [&](const RequirementRow& row) {
      if (current == nullptr || current->department_credit_code() != row.credit_code) {
        current = report.add_departments();
        current->set_department_credit_code(row.credit_code);
        current->set_department_name(row.name);
        current->set_region_code(row.region_code);
      }
      if (row.basic_code.empty()) return;
      current->set_required(current->required() + 1);
      if (row.published) {
        current->set_published(current->published() + 1);
      } else {
        current->add_missing_basic_codes(row.basic_code);
      }
    });
    return absl::OkStatus();
  }));
  if (!region_exists)
    return absl::NotFoundError(absl::StrCat("region ", region_code, " not found"));

  struct Totals {
    int required = 0;
    int published = 0;
  };
  Totals total;
  std::map<std::string, Totals> children;
  for (catalog::v1::DepartmentCoverage& d : *report.mutable_departments()) {
    d.set_ratio(Ratio(d.published(), d.required()));
    total.required += d.required();
    total.published += d.published();
    if (std::optional<std::string> child = ChildToward(region_code, d.region_code())) {
      Totals& t = children[*child];
      t.required += d.required();
      t.published += d.published();
    }
  }
  const auto add_row = [&](const std::string& code, const Totals& t) {
    catalog::v1::RegionCoverage* row = report.add_regions();
    row->set_region_code(code);
    row->set_required(t.required);
    row->set_published(t.published);
    row->set_ratio(Ratio(t.published, t.required));
  };
  add_row(region_code, total);
  for (const auto& [code, t] : children) add_row(code, t);
  return report;
}

}  // namespace onewindow::catalog
