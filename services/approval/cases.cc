#include "services/approval/cases.h"

#include <SQLiteCpp/Statement.h>

#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/auth/random.h"
#include "libs/status/macros.h"
#include "libs/store/times.h"

namespace onewindow::approval {
namespace {

constexpr char kSelect[] =
    "SELECT id, application_id, implementation_code, catalog_revision, department_id, state,"
    " open_time FROM cases ";

approval::v1::Case RowToCase(SQLite::Statement& row) {
  approval::v1::Case c;
  c.set_case_id(row.getColumn(0).getString());
  c.set_application_id(row.getColumn(1).getString());
  c.set_implementation_code(row.getColumn(2).getString());
  c.set_catalog_revision(row.getColumn(3).getInt64());
  c.set_department_id(row.getColumn(4).getString());
  c.set_state(static_cast<approval::v1::CaseState>(row.getColumn(5).getInt()));
  *c.mutable_open_time() = store::ToProtoTime(store::FromStoredTime(row.getColumn(6).getInt64()));
  return c;
}

}  // namespace

absl::StatusOr<approval::v1::Case> Cases::Open(const approval::v1::OpenCaseRequest& request,
                                               absl::Time now) {
  std::vector<std::string> problems;
  if (request.event_id().empty()) problems.push_back("event_id: required");
  if (request.application_id().empty()) problems.push_back("application_id: required");
  if (request.implementation_code().empty()) problems.push_back("implementation_code: required");
  if (request.catalog_revision() <= 0) problems.push_back("catalog_revision: must be positive");
  if (request.department_id().empty()) problems.push_back("department_id: required");
  if (!problems.empty()) return absl::InvalidArgumentError(absl::StrJoin(problems, "; "));

  approval::v1::Case result;
  RETURN_IF_ERROR(db_->Write([&](SQLite::Database& db) -> absl::Status {
    SQLite::Statement existing(db, absl::StrCat(kSelect, "WHERE application_id = ?"));
    existing.bind(1, request.application_id());
    if (existing.executeStep()) {
      result = RowToCase(existing);
      return absl::OkStatus();
    }
    result.set_case_id(absl::StrCat("case_", auth::RandomHex(12)));
    result.set_application_id(request.application_id());
    result.set_implementation_code(request.implementation_code());
    result.set_catalog_revision(request.catalog_revision());
    result.set_department_id(request.department_id());
    result.set_state(approval::v1::OPEN);
    *result.mutable_open_time() = store::ToProtoTime(now);
    SQLite::Statement insert(db,
                             "INSERT INTO cases(id, application_id, implementation_code,"
                             " catalog_revision, department_id, state, open_time, open_event_id)"
                             " VALUES(?,?,?,?,?,?,?,?)");
    insert.bind(1, result.case_id());
    insert.bind(2, result.application_id());
    insert.bind(3, result.implementation_code());
    insert.bind(4, static_cast<int64_t>(result.catalog_revision()));
    insert.bind(5, result.department_id());
    insert.bind(6, static_cast<int>(result.state()));
    insert.bind(7, static_cast<int64_t>(store::ToStoredTime(now)));
    insert.bind(8, request.event_id());
    insert.exec();
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<approval::v1::Case> Cases::Get(const std::string& case_id) const {
  std::optional<approval::v1::Case> found;
  RETURN_IF_ERROR(db_->Read([&](SQLite::Database& db) {
    SQLite::Statement query(db, absl::StrCat(kSelect, "WHERE id = ?"));
    query.bind(1, case_id);
    if (query.executeStep()) found = RowToCase(query);
    return absl::OkStatus();
  }));
  if (!found.has_value()) return absl::NotFoundError(absl::StrCat("case ", case_id, " not found"));
  return *found;
}

}  // namespace onewindow::approval
