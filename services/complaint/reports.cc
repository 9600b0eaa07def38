#include "services/complaint/reports.h"

#include <SQLiteCpp/Statement.h>

#include <limits>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/codes/credit_code.h"
#include "libs/codes/item_code.h"
#include "libs/codes/region_code.h"
#include "libs/status/macros.h"
#include "libs/store/times.h"
#include "services/complaint/access.h"
#include "services/complaint/deadlines.h"
#include "services/complaint/region_scope.h"

namespace onewindow::complaint {
namespace {

using complaint::v1::RatingAggregate;
using complaint::v1::SupervisionRow;

double Ratio(int64_t part, int64_t whole) {
  return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

void AddLevel(RatingAggregate* a, int level, int64_t count) {
  while (a->level_counts_size() < 5) a->add_level_counts(0);
  if (level < 1 || level > 5) return;
  a->set_level_counts(level - 1, a->level_counts(level - 1) + count);
  a->set_count(a->count() + count);
}

void Finish(RatingAggregate* a) {
  while (a->level_counts_size() < 5) a->add_level_counts(0);
  int64_t sum = 0;
  for (int i = 0; i < 5; ++i) sum += (i + 1) * a->level_counts(i);
  const int64_t bad = a->level_counts(0) + a->level_counts(1);
  a->set_bad_count(bad);
  a->set_average(Ratio(sum, a->count()));
  a->set_satisfaction_rate(Ratio(a->count() - bad, a->count()));
}

void Accumulate(SupervisionRow* into, const SupervisionRow& row) {
  into->set_received(into->received() + row.received());
  into->set_replied(into->replied() + row.replied());
  into->set_replied_on_time(into->replied_on_time() + row.replied_on_time());
  into->set_called_back(into->called_back() + row.called_back());
  into->set_satisfied(into->satisfied() + row.satisfied());
  into->set_reopened(into->reopened() + row.reopened());
  into->set_overdue_open(into->overdue_open() + row.overdue_open());
  into->set_escalated(into->escalated() + row.escalated());
}

void Finish(SupervisionRow* row) {
  row->set_on_time_rate(Ratio(row->replied_on_time(), row->replied()));
  row->set_satisfaction_rate(Ratio(row->satisfied(), row->called_back()));
  row->set_reopen_rate(Ratio(row->reopened(), row->replied()));
}

// "region_code >= ? AND region_code < ?" bounds for a subtree.
std::pair<std::string, std::string> SubtreeRange(const std::string& region_code) {
  const std::string prefix = SubtreePrefix(region_code);
  return {prefix, prefix + "~"};
}

}  // namespace

absl::StatusOr<complaint::v1::RatingStats> Reports::RatingStats(
    const complaint::v1::GetRatingStatsRequest& request) const {
  std::vector<std::string> problems;
  const char* key_column = nullptr;
  switch (request.group_by()) {
    case complaint::v1::STATS_GROUPING_UNSPECIFIED:
    case complaint::v1::BY_DEPARTMENT:
      key_column = "department_id";
      break;
    case complaint::v1::BY_ITEM:
      key_column = "implementation_code";
      break;
    case complaint::v1::BY_REGION:
      key_column = "region_code";
      break;
    default:
      problems.push_back("group_by: BY_DEPARTMENT, BY_ITEM or BY_REGION");
  }
  if (!request.department_id().empty() &&
      !codes::ValidateCreditCode(request.department_id()).ok()) {
    problems.push_back("department_id: not a unified social credit code");
  }
  if (!request.implementation_code().empty() &&
      !codes::ValidateImplementationCode(request.implementation_code()).ok()) {
    problems.push_back("implementation_code: not an implementation code");
  }
  if (!request.region_code().empty() && !codes::ValidateRegionCode(request.region_code()).ok()) {
    problems.push_back("region_code: not a 12-digit division code");
  }
  if (!problems.empty()) return absl::InvalidArgumentError(absl::StrJoin(problems, "; "));

  std::string sql = absl::StrCat("SELECT ", key_column, ", level, COUNT(*) FROM ratings WHERE 1");
  if (!request.department_id().empty()) sql += " AND department_id = :department";
  if (!request.implementation_code().empty()) sql += " AND implementation_code = :item";
  if (!request.region_code().empty()) sql += " AND region_code >= :lo AND region_code < :hi";
  absl::StrAppend(&sql, " GROUP BY ", key_column, ", level ORDER BY ", key_column);
  complaint::v1::RatingStats stats;
  RETURN_IF_ERROR(db_->Read([&](store::Connection& db) {
    SQLite::Statement q(db, sql);
    if (!request.department_id().empty()) q.bind(":department", request.department_id());
    if (!request.implementation_code().empty()) q.bind(":item", request.implementation_code());
    if (!request.region_code().empty()) {
      auto [lo, hi] = SubtreeRange(request.region_code());
      q.bind(":lo", lo);
      q.bind(":hi", hi);
    }
    RatingAggregate* current = nullptr;
    while (q.executeStep()) {
      const std::string key = q.getColumn(0).getString();
      if (current == nullptr || current->key() != key) {
        current = stats.add_groups();
        current->set_key(key);
      }
      const int level = q.getColumn(1).getInt();
      const int64_t count = q.getColumn(2).getInt64();
      AddLevel(current, level, count);
      AddLevel(stats.mutable_total(), level, count);
    }
    return absl::OkStatus();
  }));
  for (RatingAggregate& group : *stats.mutable_groups()) Finish(&group);
  Finish(stats.mutable_total());
  return stats;
}

absl::StatusOr<complaint::v1::SupervisionReport> Reports::Supervision(
    const auth::v1::Principal& caller,
    const complaint::v1::GetSupervisionReportRequest& request) const {
  const bool sees_all = caller.kind() == auth::v1::OPERATOR ||
                        caller.kind() == auth::v1::PLATFORM_ADMIN || IsDispatcher(caller, *policy_);
  if (!sees_all) {
    if (caller.kind() != auth::v1::STAFF || caller.department_id().empty() ||
        request.department_id() != caller.department_id()) {
      return absl::PermissionDeniedError(
          "operators and dispatchers see every department; staff set department_id to their own");
    }
  }
  std::vector<std::string> problems;
  const char* key_column = nullptr;
  switch (request.group_by()) {
    case complaint::v1::STATS_GROUPING_UNSPECIFIED:
    case complaint::v1::BY_DEPARTMENT:
      key_column = "assigned_department_id";
      break;
    case complaint::v1::BY_REGION:
      key_column = "region_code";
      break;
    case complaint::v1::BY_KIND:
      key_column = "kind";
      break;
    default:
      problems.push_back("group_by: BY_DEPARTMENT, BY_REGION or BY_KIND");
  }
  if (!request.region_code().empty() && !codes::ValidateRegionCode(request.region_code()).ok()) {
    problems.push_back("region_code: not a 12-digit division code");
  }
  if (request.has_start_time() && request.has_end_time() &&
      store::FromProtoTime(request.end_time()) <= store::FromProtoTime(request.start_time())) {
    problems.push_back("end_time: must be after start_time");
  }
  if (!problems.empty()) return absl::InvalidArgumentError(absl::StrJoin(problems, "; "));

  std::string sql = absl::StrCat(
      "SELECT ", key_column,
      ", COUNT(*), SUM(replied), SUM(replied_on_time), SUM(called_back), SUM(satisfied),"
      " SUM(reopened), SUM(",
      BeingHandledSql(),
      " AND due_time < :now), SUM(escalations > 0)"
      " FROM work_orders WHERE receive_time >= :start AND receive_time < :end");
  if (!request.region_code().empty()) sql += " AND region_code >= :lo AND region_code < :hi";
  if (!request.department_id().empty()) sql += " AND assigned_department_id = :department";
  absl::StrAppend(&sql, " GROUP BY ", key_column, " ORDER BY ", key_column);

  complaint::v1::SupervisionReport report;
  const int64_t now = store::ToStoredTime(clock_->Now());
  RETURN_IF_ERROR(db_->Read([&](store::Connection& db) {
    SQLite::Statement q(db, sql);
    q.bind(":now", static_cast<int64_t>(now));
    q.bind(":start", static_cast<int64_t>(
                         request.has_start_time()
                             ? store::ToStoredTime(store::FromProtoTime(request.start_time()))
                             : std::numeric_limits<int64_t>::min()));
    q.bind(":end",
           static_cast<int64_t>(request.has_end_time()
                                    ? store::ToStoredTime(store::FromProtoTime(request.end_time()))
                                    : std::numeric_limits<int64_t>::max()));
    if (!request.region_code().empty()) {
      auto [lo, hi] = SubtreeRange(request.region_code());
      q.bind(":lo", lo);
      q.bind(":hi", hi);
    }
    if (!request.department_id().empty()) q.bind(":department", request.department_id());
    while (q.executeStep()) {
      SupervisionRow* row = report.add_rows();
      if (request.group_by() == complaint::v1::BY_KIND) {
        row->set_key(complaint::v1::TicketKind_Name(
            static_cast<complaint::v1::TicketKind>(q.getColumn(0).getInt())));
      } else {
        row->set_key(q.getColumn(0).getString());
      }
      row->set_received(q.getColumn(1).getInt64());
      row->set_replied(q.getColumn(2).getInt64());
      row->set_replied_on_time(q.getColumn(3).getInt64());
      row->set_called_back(q.getColumn(4).getInt64());
      row->set_satisfied(q.getColumn(5).getInt64());
      row->set_reopened(q.getColumn(6).getInt64());
      row->set_overdue_open(q.getColumn(7).getInt64());
      row->set_escalated(q.getColumn(8).getInt64());
      Accumulate(report.mutable_total(), *row);
      Finish(row);
    }
    return absl::OkStatus();
  }));
  Finish(report.mutable_total());
  return report;
}

}  // namespace onewindow::complaint
