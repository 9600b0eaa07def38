#include "services/identity/accounts.h"

#include <SQLiteCpp/Statement.h>

#include <optional>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "libs/auth/password.h"
#include "libs/auth/random.h"
#include "libs/codes/credit_code.h"
#include "libs/codes/mask.h"
#include "libs/codes/phone.h"
#include "libs/codes/region_code.h"
#include "libs/codes/resident_id.h"
#include "libs/status/macros.h"
#include "libs/store/times.h"

namespace onewindow::identity {
namespace {

constexpr char kSelectAccount[] =
    "SELECT id, kind, display_name, COALESCE(resident_id,''), COALESCE(phone,''), region_code,"
    " COALESCE(credit_code,''), COALESCE(username,''), department_id, roles, create_time"
    " FROM accounts ";

identity::v1::Account RowToAccount(SQLite::Statement& row) {
  identity::v1::Account a;
  a.set_id(row.getColumn(0).getString());
  a.set_kind(static_cast<auth::v1::PrincipalKind>(row.getColumn(1).getInt()));
  a.set_display_name(row.getColumn(2).getString());
  a.set_resident_id(row.getColumn(3).getString());
  a.set_phone(row.getColumn(4).getString());
  a.set_region_code(row.getColumn(5).getString());
  a.set_credit_code(row.getColumn(6).getString());
  a.set_username(row.getColumn(7).getString());
  a.set_department_id(row.getColumn(8).getString());
  for (absl::string_view role :
       absl::StrSplit(row.getColumn(9).getString(), ',', absl::SkipEmpty())) {
    a.add_roles(std::string(role));
  }
  *a.mutable_create_time() =
      store::ToProtoTime(store::FromStoredTime(row.getColumn(10).getInt64()));
  return a;
}

void Check(std::vector<std::string>* problems, absl::string_view field, const absl::Status& s) {
  if (!s.ok()) problems->push_back(absl::StrCat(field, ": ", s.message()));
}

}  // namespace

namespace {

// Inserts `account` with `hash`; ALREADY_EXISTS names `unique_field` when its
// UNIQUE column already holds the value.
absl::Status InsertAccount(store::Connection& db, const identity::v1::Account& account,
                           const std::string& hash, absl::Time now) {
  SQLite::Statement insert(db,
                           "INSERT INTO accounts(id, kind, display_name, resident_id, phone,"
                           " region_code, credit_code, username, department_id, roles,"
                           " password_hash, create_time) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)");
  auto bind_or_null = [&](int i, const std::string& v) {
    if (v.empty()) {
      insert.bind(i);
    } else {
      insert.bind(i, v);
    }
  };
  insert.bind(1, account.id());
  insert.bind(2, static_cast<int>(account.kind()));
  insert.bind(3, account.display_name());
  bind_or_null(4, account.resident_id());
  bind_or_null(5, account.phone());
  insert.bind(6, account.region_code());
  bind_or_null(7, account.credit_code());
  bind_or_null(8, account.username());
  insert.bind(9, account.department_id());
  insert.bind(10, absl::StrJoin(account.roles(), ","));
  insert.bind(11, hash);
  insert.bind(12, static_cast<int64_t>(store::ToStoredTime(now)));
  insert.exec();
  return absl::OkStatus();
}

bool Exists(store::Connection& db, const char* column, const std::string& value) {
  SQLite::Statement q(db, absl::StrCat("SELECT 1 FROM accounts WHERE ", column, " = ?"));
  q.bind(1, value);
  return q.executeStep();
}

// Refused before the password is hashed (argon2: 19 MiB and tens of
// milliseconds), which a stream of registrations of a taken id would
// otherwise cost every time. The write checks again: two may race.
absl::Status RefuseIfTaken(const store::Database& db, const char* column, const std::string& value,
                           const char* taken) {
  bool exists = false;
  RETURN_IF_ERROR(db.Read([&](store::Connection& c) {
    exists = Exists(c, column, value);
    return absl::OkStatus();
  }));
  return exists ? absl::AlreadyExistsError(taken) : absl::OkStatus();
}

constexpr char kResidentIdTaken[] = "resident_id: an account with this number already exists";
constexpr char kCreditCodeTaken[] = "credit_code: an account with this code already exists";
constexpr char kUsernameTaken[] = "username: already taken";

const std::set<std::string>& KnownRoles() {
  static const auto* const kRoles =
      new std::set<std::string>{"clerk", "reviewer", "approver", "complaint_handler", "dept_admin"};
  return *kRoles;
}

}  // namespace

absl::StatusOr<identity::v1::Account> Accounts::RegisterCitizen(
    const identity::v1::RegisterCitizenRequest& request) {
  std::vector<std::string> problems;
  const std::string resident_id = codes::NormalizeResidentId(request.resident_id());
  Check(&problems, "resident_id", codes::ValidateResidentId(resident_id));
  if (request.name().empty()) problems.push_back("name: required");
  if (request.name().size() > 100) problems.push_back("name: longer than 100 bytes");
  Check(&problems, "phone", codes::ValidatePhone(request.phone()));
  Check(&problems, "region_code", codes::ValidateRegionCode(request.region_code()));
  Check(&problems, "password", auth::CheckPasswordPolicy(request.password()));
  if (!problems.empty()) return absl::InvalidArgumentError(absl::StrJoin(problems, "; "));
  RETURN_IF_ERROR(RefuseIfTaken(*db_, "resident_id", resident_id, kResidentIdTaken));

  ASSIGN_OR_RETURN(const std::string hash, auth::HashPassword(request.password()));
  identity::v1::Account account;
  account.set_id(absl::StrCat("acc_", auth::RandomHex(12)));
  account.set_kind(auth::v1::CITIZEN);
  account.set_display_name(request.name());
  account.set_resident_id(resident_id);
  account.set_phone(request.phone());
  account.set_region_code(request.region_code());
  const absl::Time now = absl::Now();
  *account.mutable_create_time() = store::ToProtoTime(now);

  RETURN_IF_ERROR(db_->Write([&](store::Connection& db) -> absl::Status {
    if (Exists(db, "resident_id", resident_id)) {
      return absl::AlreadyExistsError(kResidentIdTaken);
    }
    return InsertAccount(db, account, hash, now);
  }));
  return account;
}

absl::StatusOr<identity::v1::Account> Accounts::RegisterEnterprise(
    const identity::v1::RegisterEnterpriseRequest& request) {
  std::vector<std::string> problems;
  Check(&problems, "credit_code", codes::ValidateCreditCode(request.credit_code()));
  if (request.name().empty()) problems.push_back("name: required");
  if (request.name().size() > 200) problems.push_back("name: longer than 200 bytes");
  Check(&problems, "phone", codes::ValidatePhone(request.phone()));
  Check(&problems, "region_code", codes::ValidateRegionCode(request.region_code()));
  Check(&problems, "password", auth::CheckPasswordPolicy(request.password()));
  if (!problems.empty()) return absl::InvalidArgumentError(absl::StrJoin(problems, "; "));
  RETURN_IF_ERROR(RefuseIfTaken(*db_, "credit_code", request.credit_code(), kCreditCodeTaken));
  ASSIGN_OR_RETURN(const std::string hash, auth::HashPassword(request.password()));
  identity::v1::Account account;
  account.set_id(absl::StrCat("acc_", auth::RandomHex(12)));
  account.set_kind(auth::v1::ENTERPRISE);
  account.set_display_name(request.name());
  account.set_credit_code(request.credit_code());
  account.set_phone(request.phone());
  account.set_region_code(request.region_code());
  const absl::Time now = absl::Now();
  *account.mutable_create_time() = store::ToProtoTime(now);
  RETURN_IF_ERROR(db_->Write([&](store::Connection& db) -> absl::Status {
    if (Exists(db, "credit_code", account.credit_code())) {
      return absl::AlreadyExistsError(kCreditCodeTaken);
    }
    return InsertAccount(db, account, hash, now);
  }));
  return account;
}

absl::StatusOr<identity::v1::Account> Accounts::CreateStaff(
    const identity::v1::CreateStaffAccountRequest& request) {
  std::vector<std::string> problems;
  const std::string& username = request.username();
  if (username.size() < 3 || username.size() > 64) {
    problems.push_back("username: 3 to 64 characters");
  }
  for (char c : username) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      problems.push_back("username: only letters, digits, '.', '_' and '-'");
      break;
    }
  }
  if (request.display_name().empty()) problems.push_back("display_name: required");
  const auto kind = request.kind();
  if (kind != auth::v1::STAFF && kind != auth::v1::OPERATOR && kind != auth::v1::PLATFORM_ADMIN) {
    problems.push_back("kind: must be STAFF, OPERATOR or PLATFORM_ADMIN");
  }
  if (kind == auth::v1::STAFF) {
    if (request.department_id().empty()) problems.push_back("department_id: required for staff");
    if (request.roles().empty()) problems.push_back("roles: staff need at least one role");
  }
  for (const auto& role : request.roles()) {
    if (KnownRoles().count(role) == 0) {
      problems.push_back(absl::StrCat("roles: unknown role \"", role, "\""));
    }
  }
  if (!request.phone().empty()) Check(&problems, "phone", codes::ValidatePhone(request.phone()));
  Check(&problems, "password", auth::CheckPasswordPolicy(request.password()));
  if (!problems.empty()) return absl::InvalidArgumentError(absl::StrJoin(problems, "; "));
  RETURN_IF_ERROR(RefuseIfTaken(*db_, "username", username, kUsernameTaken));
  ASSIGN_OR_RETURN(const std::string hash, auth::HashPassword(request.password()));
  identity::v1::Account account;
  account.set_id(absl::StrCat("acc_", auth::RandomHex(12)));
  account.set_kind(kind);
  account.set_display_name(request.display_name());
  account.set_username(username);
  account.set_phone(request.phone());
  if (kind == auth::v1::STAFF) {
    account.set_department_id(request.department_id());
    *account.mutable_roles() = request.roles();
  }
  const absl::Time now = absl::Now();
  *account.mutable_create_time() = store::ToProtoTime(now);
  RETURN_IF_ERROR(db_->Write([&](store::Connection& db) -> absl::Status {
    if (Exists(db, "username", username)) {
      return absl::AlreadyExistsError(kUsernameTaken);
    }
    return InsertAccount(db, account, hash, now);
  }));
  return account;
}

std::string Accounts::LoginKey(identity::v1::LoginKind kind, const std::string& login_id) {
  // Eleven bytes is a mobile number; anything else a citizen types is a
  // resident id.
  if (kind == identity::v1::CITIZEN_LOGIN && login_id.size() != 11) {
    return codes::NormalizeResidentId(login_id);
  }
  return login_id;
}

absl::StatusOr<std::vector<Accounts::Credentials>> Accounts::FindForLogin(
    identity::v1::LoginKind kind, const std::string& login_id) const {
  std::string where;
  const std::string key = LoginKey(kind, login_id);
  switch (kind) {
    case identity::v1::CITIZEN_LOGIN:
      where = login_id.size() == 11 ? "WHERE phone = ? AND kind = 1" : "WHERE resident_id = ?";
      break;
    case identity::v1::ENTERPRISE_LOGIN:
      where = "WHERE credit_code = ?";
      break;
    case identity::v1::STAFF_LOGIN:
      where = "WHERE username = ?";
      break;
    default:
      return absl::InvalidArgumentError("kind: CITIZEN_LOGIN, ENTERPRISE_LOGIN or STAFF_LOGIN");
  }
  std::vector<Credentials> found;
  RETURN_IF_ERROR(db_->Read([&](store::Connection& db) {
    SQLite::Statement q(db,
                        absl::StrCat(kSelectAccount, where, " LIMIT ", kMaxAccountsPerPhone + 1));
    q.bind(1, key);
    while (q.executeStep()) {
      Credentials c;
      c.account = RowToAccount(q);
      SQLite::Statement h(db, "SELECT password_hash FROM accounts WHERE id = ?");
      h.bind(1, c.account.id());
      if (h.executeStep()) c.password_hash = h.getColumn(0).getString();
      found.push_back(std::move(c));
    }
    return absl::OkStatus();
  }));
  if (found.size() > static_cast<size_t>(kMaxAccountsPerPhone)) {
    return absl::FailedPreconditionError(
        absl::StrCat("login_id: more than ", kMaxAccountsPerPhone,
                     " accounts share this phone number; sign in with your resident ID number"));
  }
  return found;
}

absl::StatusOr<bool> Accounts::HasPlatformAdmin() const {
  bool found = false;
  RETURN_IF_ERROR(db_->Read([&](store::Connection& db) {
    SQLite::Statement q(db, "SELECT 1 FROM accounts WHERE kind = ? LIMIT 1");
    q.bind(1, static_cast<int>(auth::v1::PLATFORM_ADMIN));
    found = q.executeStep();
    return absl::OkStatus();
  }));
  return found;
}

auth::v1::Principal PrincipalFor(const identity::v1::Account& account) {
  auth::v1::Principal p;
  p.set_kind(account.kind());
  p.set_subject(account.id());
  p.set_display_name(account.display_name());
  p.set_department_id(account.department_id());
  *p.mutable_roles() = account.roles();
  p.set_region_code(account.region_code());
  return p;
}

absl::StatusOr<identity::v1::Account> Accounts::Get(const std::string& id) const {
  std::optional<identity::v1::Account> account;
  RETURN_IF_ERROR(db_->Read([&](store::Connection& db) {
    SQLite::Statement query(db, absl::StrCat(kSelectAccount, "WHERE id = ?"));
    query.bind(1, id);
    if (query.executeStep()) account = RowToAccount(query);
    return absl::OkStatus();
  }));
  if (!account.has_value()) return absl::NotFoundError(absl::StrCat("account ", id, " not found"));
  return *account;
}

void MaskPersonalData(identity::v1::Account* account) {
  if (!account->resident_id().empty()) {
    account->set_resident_id(codes::MaskResidentId(account->resident_id()));
  }
  if (!account->phone().empty()) account->set_phone(codes::MaskPhone(account->phone()));
}

}  // namespace onewindow::identity
