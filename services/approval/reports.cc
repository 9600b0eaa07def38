#include "services/approval/reports.h"

#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <limits>
#include <map>

#include "absl/strings/str_cat.h"
#include "libs/auth/access.h"
#include "libs/codes/region_code.h"
#include "libs/status/macros.h"
#include "libs/store/times.h"
#include "services/approval/access.h"

namespace onewindow::approval {
namespace {

struct Tally {
  int64_t on_time = 0;
  int64_t late = 0;
  double used_days = 0;
  int64_t open = 0;
  int64_t overdue = 0;

  void Add(const Tally& o) {
    on_time += o.on_time;
    late += o.late;
    used_days += o.used_days;
    open += o.open;
    overdue += o.overdue;
  }

  approval::v1::Timeliness ToProto() const {
    approval::v1::Timeliness t;
    const int64_t closed = on_time + late;
    t.set_closed_on_time(on_time);
    t.set_closed_late(late);
    t.set_on_time_ratio(closed == 0 ? 1.0 : static_cast<double>(on_time) / closed);
    t.set_average_handling_days(closed == 0 ? 0.0 : used_days / closed);
    t.set_open(open);
    t.set_overdue(overdue);
    return t;
  }
};

}  // namespace

absl::StatusOr<approval::v1::SupervisionReport> Reports::Supervision(
    const auth::v1::Principal& principal,
    const approval::v1::SupervisionReportRequest& request) const {
  std::string department = request.department_id();
  if (!IsSupervisor(principal)) {
    RETURN_IF_ERROR(auth::RequireKind(principal, {auth::v1::STAFF}));
    if (department.empty()) department = principal.department_id();
    RETURN_IF_ERROR(auth::RequireDepartment(principal, department));
  }
  std::string prefix;
  if (!request.region_code().empty()) {
    if (absl::Status valid = codes::ValidateRegionCode(request.region_code()); !valid.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("region_code: ", valid.message()));
    }
    ASSIGN_OR_RETURN(const codes::RegionLevel level, codes::LevelOf(request.region_code()));
    const size_t length = codes::SignificantDigits(level);
    prefix = request.region_code().substr(0, length);
  }
  const int64_t from = request.has_from() ? StoreTime(store::FromProtoTime(request.from()))
                                          : std::numeric_limits<int64_t>::min();
  const int64_t to = request.has_to() ? StoreTime(store::FromProtoTime(request.to()))
                                      : std::numeric_limits<int64_t>::max();
  const absl::Time now = deps_.clock->Now();

  struct Row {
    std::string region;
    Tally tally;
  };
  std::map<std::string, Row> departments;
  RETURN_IF_ERROR(deps_.db->Read([&](store::Connection& db) {
    // Closed = approved (3) or rejected (4) within [from, to).
    std::string sql =
        "SELECT department_id, MAX(region_code),"
        " SUM(state IN (3, 4) AND close_time >= ?1 AND close_time < ?2 AND close_time <= due_time),"
        " SUM(state IN (3, 4) AND close_time >= ?1 AND close_time < ?2 AND close_time > due_time),"
        " TOTAL(CASE WHEN state IN (3, 4) AND close_time >= ?1 AND close_time < ?2"
        "  THEN used_days END),"
        " SUM(state <= 2), SUM(state <= 2 AND due_time < ?3)"
        " FROM cases WHERE region_code >= ?4 AND region_code < ?6";
    if (!department.empty()) absl::StrAppend(&sql, " AND department_id = ?5");
    // In the index's order, so SQLite groups without sorting; a department
    // seen under two regions (its items moved) adds up below.
    absl::StrAppend(&sql, " GROUP BY region_code, department_id");
    SQLite::Statement q(db, sql);
    q.bind(1, static_cast<int64_t>(from));
    q.bind(2, static_cast<int64_t>(to));
    q.bind(3, StoreTime(now));
    // Codes are digits: every code with the prefix sorts below prefix + ":".
    q.bind(4, prefix);
    q.bind(6, absl::StrCat(prefix, ":"));
    if (!department.empty()) q.bind(5, department);
    while (q.executeStep()) {
      Row& row = departments[q.getColumn(0).getString()];
      row.region = std::max(row.region, q.getColumn(1).getString());
      Tally tally;
      tally.on_time = q.getColumn(2).getInt64();
      tally.late = q.getColumn(3).getInt64();
      tally.used_days = q.getColumn(4).getDouble();
      tally.open = q.getColumn(5).getInt64();
      tally.overdue = q.getColumn(6).getInt64();
      row.tally.Add(tally);
    }
    return absl::OkStatus();
  }));

  approval::v1::SupervisionReport report;
  *report.mutable_as_of() = store::ToProtoTime(now);
  std::map<std::string, Tally> regions;
  for (const auto& [id, row] : departments) {
    approval::v1::DepartmentTimeliness* d = report.add_departments();
    d->set_department_id(id);
    d->set_region_code(row.region);
    *d->mutable_timeliness() = row.tally.ToProto();
    // The department's region and its ancestors, down to the one asked for.
    std::vector<std::string> chain = {row.region};
    for (const std::string& a : codes::AncestorsOf(row.region)) chain.push_back(a);
    for (const std::string& region : chain) {
      // Ancestors above the region asked for lack its prefix.
      if (region.empty() || region.compare(0, prefix.size(), prefix) != 0) continue;
      regions[region].Add(row.tally);
    }
  }
  for (const auto& [code, tally] : regions) {
    approval::v1::RegionTimeliness* r = report.add_regions();
    r->set_region_code(code);
    *r->mutable_timeliness() = tally.ToProto();
  }
  return report;
}

}  // namespace onewindow::approval
