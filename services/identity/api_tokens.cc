#include "services/identity/api_tokens.h"

#include <SQLiteCpp/Statement.h>

#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/auth/random.h"
#include "libs/status/macros.h"
#include "libs/store/times.h"

namespace onewindow::identity {
namespace {

constexpr char kSelect[] =
    "SELECT id, name, department_id, roles, created_by, create_time, expire_time,"
    " revoke_time FROM api_tokens ";

identity::v1::ApiToken RowToToken(SQLite::Statement& row) {
  identity::v1::ApiToken t;
  t.set_token_id(row.getColumn(0).getString());
  t.set_name(row.getColumn(1).getString());
  t.set_department_id(row.getColumn(2).getString());
  for (absl::string_view role :
       absl::StrSplit(row.getColumn(3).getString(), ',', absl::SkipEmpty())) {
    t.add_roles(std::string(role));
  }
  t.set_created_by(row.getColumn(4).getString());
  *t.mutable_create_time() = store::ToProtoTime(store::FromStoredTime(row.getColumn(5).getInt64()));
  *t.mutable_expire_time() = store::ToProtoTime(store::FromStoredTime(row.getColumn(6).getInt64()));
  if (!row.getColumn(7).isNull()) {
    *t.mutable_revoke_time() =
        store::ToProtoTime(store::FromStoredTime(row.getColumn(7).getInt64()));
  }
  return t;
}

}  // namespace

absl::StatusOr<identity::v1::IssueApiTokenResponse> ApiTokens::Issue(
    const identity::v1::IssueApiTokenRequest& request, const std::string& created_by,
    absl::Time now) {
  std::vector<std::string> problems;
  if (request.name().empty()) problems.push_back("name: required");
  if (request.department_id().empty()) problems.push_back("department_id: required");
  if (request.roles().empty()) problems.push_back("roles: at least one");
  for (const auto& role : request.roles()) {
    if (role != "clerk" && role != "reviewer" && role != "approver" &&
        role != "complaint_handler" && role != "dept_admin") {
      problems.push_back(absl::StrCat("roles: unknown role \"", role, "\""));
    }
  }
  if (request.valid_days() < 1 || request.valid_days() > 366) {
    problems.push_back("valid_days: 1 to 366");
  }
  if (!problems.empty()) return absl::InvalidArgumentError(absl::StrJoin(problems, "; "));

  identity::v1::IssueApiTokenResponse response;
  identity::v1::ApiToken* token = response.mutable_token();
  token->set_token_id(absl::StrCat("tok_", auth::RandomHex(12)));
  token->set_name(request.name());
  token->set_department_id(request.department_id());
  *token->mutable_roles() = request.roles();
  token->set_created_by(created_by);
  const absl::Time expires = now + absl::Hours(24) * request.valid_days();
  *token->mutable_create_time() = store::ToProtoTime(now);
  *token->mutable_expire_time() = store::ToProtoTime(expires);

  auth::v1::Principal principal;
  principal.set_kind(auth::v1::STAFF);
  principal.set_subject(absl::StrCat("token:", token->token_id()));
  principal.set_display_name(request.name());
  principal.set_department_id(request.department_id());
  *principal.mutable_roles() = request.roles();
  principal.set_api_token_id(token->token_id());
  ASSIGN_OR_RETURN(*response.mutable_secret(), signer_->Mint(principal, expires - now, now));

  RETURN_IF_ERROR(db_->Write([&](store::Connection& db) {
    SQLite::Statement insert(db,
                             "INSERT INTO api_tokens(id, name, department_id, roles, created_by,"
                             " create_time, expire_time) VALUES(?,?,?,?,?,?,?)");
    insert.bind(1, token->token_id());
    insert.bind(2, token->name());
    insert.bind(3, token->department_id());
    insert.bind(4, absl::StrJoin(token->roles(), ","));
    insert.bind(5, created_by);
    insert.bind(6, static_cast<int64_t>(store::ToStoredTime(now)));
    insert.bind(7, static_cast<int64_t>(store::ToStoredTime(expires)));
    insert.exec();
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<std::vector<identity::v1::ApiToken>> ApiTokens::List(
    const std::string& department_id) const {
  std::vector<identity::v1::ApiToken> tokens;
  RETURN_IF_ERROR(db_->Read([&](store::Connection& db) {
    SQLite::Statement q(db,
                        absl::StrCat(kSelect, "WHERE department_id = ? ORDER BY create_time DESC"));
    q.bind(1, department_id);
    while (q.executeStep()) tokens.push_back(RowToToken(q));
    return absl::OkStatus();
  }));
  return tokens;
}

absl::StatusOr<identity::v1::ApiToken> ApiTokens::Get(const std::string& token_id) const {
  std::optional<identity::v1::ApiToken> token;
  RETURN_IF_ERROR(db_->Read([&](store::Connection& db) {
    SQLite::Statement q(db, absl::StrCat(kSelect, "WHERE id = ?"));
    q.bind(1, token_id);
    if (q.executeStep()) token = RowToToken(q);
    return absl::OkStatus();
  }));
  if (!token.has_value())
    return absl::NotFoundError(absl::StrCat("api token ", token_id, " not found"));
  return *token;
}

absl::StatusOr<identity::v1::ApiToken> ApiTokens::Revoke(const std::string& token_id,
                                                         absl::Time now) {
  RETURN_IF_ERROR(db_->Write([&](store::Connection& db) {
    SQLite::Statement up(
        db, "UPDATE api_tokens SET revoke_time = ? WHERE id = ? AND revoke_time IS NULL");
    up.bind(1, static_cast<int64_t>(store::ToStoredTime(now)));
    up.bind(2, token_id);
    up.exec();
    return absl::OkStatus();
  }));
  return Get(token_id);
}

absl::StatusOr<std::vector<std::string>> ApiTokens::RevokedIds(absl::Time now) const {
  std::vector<std::string> ids;
  RETURN_IF_ERROR(db_->Read([&](store::Connection& db) {
    SQLite::Statement q(db,
                        "SELECT id FROM api_tokens WHERE revoke_time IS NOT NULL"
                        " AND expire_time > ?");
    q.bind(1, static_cast<int64_t>(store::ToStoredTime(now)));
    while (q.executeStep()) ids.push_back(q.getColumn(0).getString());
    return absl::OkStatus();
  }));
  return ids;
}

}  // namespace onewindow::identity
