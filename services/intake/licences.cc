#include "services/intake/licences.h"

#include <SQLiteCpp/Statement.h>

#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/status/macros.h"
#include "libs/store/times.h"
#include "services/intake/access.h"
#include "services/intake/ids.h"
#include "services/intake/paging.h"

namespace onewindow::intake {
namespace {

constexpr char kSelectById[] = "SELECT record FROM licences WHERE id = ?";
constexpr char kSelectByNumber[] =
    "SELECT record FROM licences WHERE licence_type = ? AND number = ?";
constexpr char kInsert[] =
    "INSERT INTO licences(id, holder_id, licence_type, number, issue_time, record)"
    " VALUES(?,?,?,?,?,?)";
constexpr char kSelectHeld[] =
    "SELECT record FROM licences WHERE holder_id = ? AND licence_type = ?"
    " ORDER BY issue_time DESC";

intake::v1::Licence Parse(const SQLite::Column& column) {
  intake::v1::Licence licence;
  licence.ParseFromArray(column.getBlob(), column.getBytes());
  return licence;
}

bool ValidAt(const intake::v1::Licence& licence, absl::Time at) {
  return !licence.has_valid_until() || store::FromProtoTime(licence.valid_until()) > at;
}

}  // namespace

std::vector<std::string> LicenceProblems(const intake::v1::Licence& licence,
                                         const std::string& prefix) {
  std::vector<std::string> problems;
  auto need = [&](const std::string& value, const char* field) {
    if (value.empty()) problems.push_back(absl::StrCat(prefix, field, ": required"));
    if (value.size() > 256) problems.push_back(absl::StrCat(prefix, field, ": too long"));
  };
  need(licence.licence_type(), "licence_type");
  need(licence.number(), "number");
  need(licence.holder_id(), "holder_id");
  need(licence.title(), "title");
  if (licence.has_valid_until() && licence.has_issue_time() &&
      store::FromProtoTime(licence.valid_until()) <= store::FromProtoTime(licence.issue_time())) {
    problems.push_back(absl::StrCat(prefix, "valid_until: not after issue_time"));
  }
  return problems;
}

absl::StatusOr<Licences::Stored> Licences::Insert(store::Connection& db,
                                                  intake::v1::Licence licence) {
  {
    auto existing = db.Prepare(kSelectByNumber);
    existing->bind(1, licence.licence_type());
    existing->bind(2, licence.number());
    if (existing->executeStep()) return Stored{Parse(existing->getColumn(0)), false};
  }
  if (licence.licence_id().empty()) {
    licence.set_licence_id(NewId("lic_", clock_->Now()));
  }
  if (!licence.has_issue_time()) *licence.mutable_issue_time() = store::ToProtoTime(clock_->Now());
  {
    auto by_id = db.Prepare(kSelectById);
    by_id->bind(1, licence.licence_id());
    if (by_id->executeStep()) return Stored{Parse(by_id->getColumn(0)), false};
  }
  const std::string record = licence.SerializeAsString();
  auto insert = db.Prepare(kInsert);
  insert->bind(1, licence.licence_id());
  insert->bind(2, licence.holder_id());
  insert->bind(3, licence.licence_type());
  insert->bind(4, licence.number());
  insert->bind(5, store::ToStoredTime(store::FromProtoTime(licence.issue_time())));
  insert->bind(6, record.data(), static_cast<int>(record.size()));
  insert->exec();
  return Stored{std::move(licence), true};
}

absl::StatusOr<intake::v1::RegisterLicencesResponse> Licences::Register(
    const auth::v1::Principal& principal, const std::vector<intake::v1::Licence>& licences) {
  if (principal.kind() != auth::v1::PLATFORM_ADMIN && principal.kind() != auth::v1::SERVICE) {
    return absl::PermissionDeniedError("only platform admins and services register licences");
  }
  if (licences.empty()) return absl::InvalidArgumentError("licences: empty");
  if (licences.size() > 1000) return absl::InvalidArgumentError("licences: more than 1000");
  std::vector<std::string> problems;
  for (size_t i = 0; i < licences.size(); ++i) {
    for (auto& p : LicenceProblems(licences[i], absl::StrCat("licences[", i, "].")))
      problems.push_back(std::move(p));
  }
  if (!problems.empty()) return absl::InvalidArgumentError(absl::StrJoin(problems, "; "));
  intake::v1::RegisterLicencesResponse response;
  RETURN_IF_ERROR(db_->Write([&](store::Connection& db) -> absl::Status {
    response.Clear();
    for (const auto& licence : licences) {
      ASSIGN_OR_RETURN(const Stored stored, Insert(db, licence));
      if (stored.created) {
        response.set_registered(response.registered() + 1);
      } else {
        response.set_already_held(response.already_held() + 1);
      }
    }
    return absl::OkStatus();
  }));
  return response;
}

absl::flat_hash_map<std::string, intake::v1::Licence> Licences::FindValid(
    store::Connection& db, const std::string& holder_id,
    const absl::flat_hash_set<std::string>& types, absl::Time at) {
  absl::flat_hash_map<std::string, intake::v1::Licence> found;
  for (const std::string& type : types) {
    auto select = db.Prepare(kSelectHeld);
    select->bind(1, holder_id);
    select->bind(2, type);
    while (select->executeStep()) {
      intake::v1::Licence licence = Parse(select->getColumn(0));
      if (ValidAt(licence, at)) {
        found.emplace(type, std::move(licence));
        break;
      }
    }
  }
  return found;
}

absl::StatusOr<intake::v1::ListLicencesResponse> Licences::List(
    const auth::v1::Principal& principal, const intake::v1::ListLicencesRequest& request) {
  std::string holder = principal.subject();
  if (IsSupervisor(principal) || principal.kind() == auth::v1::SERVICE) {
    if (request.holder_id().empty()) return absl::InvalidArgumentError("holder_id: required");
    holder = request.holder_id();
  } else if (principal.kind() != auth::v1::CITIZEN && principal.kind() != auth::v1::ENTERPRISE) {
    return absl::PermissionDeniedError("a licence wallet is its holder's");
  }
  const int page_size = PageSize(request.page_size(), 50, 200);
  std::optional<PageCursor> after;
  if (!request.page_token().empty()) {
    ASSIGN_OR_RETURN(after, DecodeCursor(request.page_token()));
  }
  std::string sql = "SELECT record, issue_time, id FROM licences WHERE holder_id = ?";
  if (!request.licence_type().empty()) sql += " AND licence_type = ?";
  if (after.has_value()) sql += " AND (issue_time < ? OR (issue_time = ? AND id < ?))";
  sql += " ORDER BY issue_time DESC, id DESC LIMIT ?";
  intake::v1::ListLicencesResponse response;
  RETURN_IF_ERROR(db_->Read([&](store::Connection& db) {
    SQLite::Statement select(db, sql);
    int n = 1;
    select.bind(n++, holder);
    if (!request.licence_type().empty()) select.bind(n++, request.licence_type());
    if (after.has_value()) {
      select.bind(n++, after->time);
      select.bind(n++, after->time);
      select.bind(n++, after->id);
    }
    select.bind(n++, page_size + 1);
    PageCursor last;
    while (select.executeStep()) {
      if (response.licences_size() == page_size) {
        response.set_next_page_token(EncodeCursor(last));
        break;
      }
      *response.add_licences() = Parse(select.getColumn(0));
      last = {select.getColumn(1).getInt64(), select.getColumn(2).getString()};
    }
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<intake::v1::Licence> Licences::Get(const auth::v1::Principal& principal,
                                                  const std::string& licence_id) {
  if (licence_id.empty()) return absl::InvalidArgumentError("licence_id: required");
  std::optional<intake::v1::Licence> found;
  RETURN_IF_ERROR(db_->Read([&](store::Connection& db) {
    auto select = db.Prepare(kSelectById);
    select->bind(1, licence_id);
    if (select->executeStep()) found = Parse(select->getColumn(0));
    return absl::OkStatus();
  }));
  const bool allowed =
      found.has_value() && (found->holder_id() == principal.subject() || IsSupervisor(principal) ||
                            principal.kind() == auth::v1::SERVICE);
  if (!allowed) return absl::NotFoundError(absl::StrCat("licence ", licence_id, " not found"));
  return *found;
}

}  // namespace onewindow::intake
