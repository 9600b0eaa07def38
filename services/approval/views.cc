#include "services/approval/views.h"

#include <optional>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/status/macros.h"
#include "libs/store/times.h"
#include "services/approval/access.h"

namespace onewindow::approval {
namespace {

constexpr int kDefaultQueuePage = 50;
constexpr int kMaxQueuePage = 200;
constexpr int kDefaultAuditPage = 100;
constexpr int kMaxAuditPage = 500;
constexpr int kDetailHistory = 50;

absl::StatusOr<int> PageSize(int requested, int fallback, int max) {
  if (requested < 0) return absl::InvalidArgumentError("page_size: must not be negative");
  if (requested == 0) return fallback;
  return std::min(requested, max);
}

// Queue tokens are "<due micros>.<task id>" of the last task shown.
std::string QueueToken(const TaskRecord& last) {
  const int64_t due = last.t.has_due_time() ? StoreTime(store::FromProtoTime(last.t.due_time()))
                                            : StoreTime(absl::InfiniteFuture());
  return absl::StrCat(due, ".", last.t.task_id());
}

absl::Status ParseQueueToken(const std::string& token, case_store::QueueQuery& query) {
  if (token.empty()) return absl::OkStatus();
  std::vector<std::string> parts = absl::StrSplit(token, absl::MaxSplits('.', 1));
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &query.after_due) ||
      !ParseTaskId(parts[1], &query.after_case_id, &query.after_seq)) {
    return absl::InvalidArgumentError("page_token: malformed");
  }
  query.has_after = true;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<approval::v1::ListQueueResponse> Views::Queue(
    const auth::v1::Principal& principal, const approval::v1::ListQueueRequest& request) const {
  const std::string department =
      request.department_id().empty() ? principal.department_id() : request.department_id();
  RETURN_IF_ERROR(CheckQueueReader(principal, department));
  case_store::QueueQuery query;
  query.department_id = department;
  query.include_suspended = request.include_suspended();
  query.stage_name = request.stage();
  query.implementation_code = request.implementation_code();
  if (request.mine()) {
    if (principal.subject().empty()) return absl::InvalidArgumentError("mine: no caller");
    query.claimed_by = principal.subject();
  }
  const absl::Time now = deps_.clock->Now();
  if (request.due_soon()) query.warned_at = now;
  if (request.overdue()) query.overdue_at = now;
  ASSIGN_OR_RETURN(const int page, PageSize(request.page_size(), kDefaultQueuePage, kMaxQueuePage));
  query.limit = page + 1;
  RETURN_IF_ERROR(ParseQueueToken(request.page_token(), query));

  std::vector<TaskRecord> tasks;
  RETURN_IF_ERROR(deps_.db->Read([&](store::Connection& db) {
    tasks = case_store::ListQueue(db, query);
    return absl::OkStatus();
  }));
  approval::v1::ListQueueResponse response;
  const bool more = static_cast<int>(tasks.size()) > page;
  if (more) tasks.resize(page);
  for (const TaskRecord& t : tasks) *response.add_tasks() = t.t;
  if (more) response.set_next_page_token(QueueToken(tasks.back()));
  return response;
}

absl::StatusOr<approval::v1::CaseDetail> Views::Detail(const auth::v1::Principal& principal,
                                                       const std::string& case_id) const {
  if (case_id.empty()) return absl::InvalidArgumentError("case_id: required");
  std::optional<CaseRecord> record;
  std::vector<TaskRecord> tasks;
  std::vector<approval::v1::AuditEntry> history;
  Process process;
  RETURN_IF_ERROR(deps_.db->Read([&](store::Connection& db) -> absl::Status {
    record = case_store::FindCase(db, case_id);
    if (!record.has_value()) return absl::OkStatus();
    tasks = case_store::TasksOfCase(db, case_id);
    history = case_store::LatestAudit(db, case_id, kDetailHistory);
    ASSIGN_OR_RETURN(process, deps_.processes->GetStored(db, record->c.implementation_code(),
                                                         record->c.catalog_revision()));
    return absl::OkStatus();
  }));
  if (!record.has_value()) return absl::NotFoundError(absl::StrCat("case ", case_id, " not found"));
  RETURN_IF_ERROR(CheckCaseReader(principal, record->c, tasks));
  approval::v1::CaseDetail detail;
  *detail.mutable_case_() = record->c;
  for (const TaskRecord& t : tasks) *detail.add_tasks() = t.t;
  *detail.mutable_materials() = process->guide().materials();
  *detail.mutable_stages() = process->guide().stages();
  for (auto& entry : history) *detail.add_history() = std::move(entry);
  return detail;
}

absl::StatusOr<approval::v1::ListAuditResponse> Views::Audit(
    const auth::v1::Principal& principal, const approval::v1::ListAuditRequest& request) const {
  if (request.case_id().empty()) return absl::InvalidArgumentError("case_id: required");
  ASSIGN_OR_RETURN(const int page, PageSize(request.page_size(), kDefaultAuditPage, kMaxAuditPage));
  int64_t after = 0;
  if (!request.page_token().empty() &&
      (!absl::SimpleAtoi(request.page_token(), &after) || after < 0)) {
    return absl::InvalidArgumentError("page_token: malformed");
  }
  std::optional<CaseRecord> record;
  std::vector<TaskRecord> tasks;
  std::vector<approval::v1::AuditEntry> entries;
  RETURN_IF_ERROR(deps_.db->Read([&](store::Connection& db) {
    record = case_store::FindCase(db, request.case_id());
    if (!record.has_value()) return absl::OkStatus();
    tasks = case_store::TasksOfCase(db, request.case_id());
    entries = case_store::Audit(db, request.case_id(), after, page + 1);
    return absl::OkStatus();
  }));
  if (!record.has_value()) {
    return absl::NotFoundError(absl::StrCat("case ", request.case_id(), " not found"));
  }
  RETURN_IF_ERROR(CheckCaseReader(principal, record->c, tasks));
  approval::v1::ListAuditResponse response;
  const bool more = static_cast<int>(entries.size()) > page;
  if (more) entries.resize(page);
  for (auto& e : entries) *response.add_entries() = std::move(e);
  if (more) response.set_next_page_token(absl::StrCat(entries.back().sequence()));
  return response;
}

}  // namespace onewindow::approval
