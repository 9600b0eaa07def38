#include "services/identity/accounts.h"

#include <SQLiteCpp/Statement.h>

#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "libs/auth/password.h"
#include "libs/auth/random.h"
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

  RETURN_IF_ERROR(db_->Write([&](SQLite::Database& db) -> absl::Status {
    SQLite::Statement exists(db, "SELECT 1 FROM accounts WHERE resident_id = ?");
    exists.bind(1, resident_id);
    if (exists.executeStep()) {
      return absl::AlreadyExistsError("resident_id: an account with this number already exists");
    }
    SQLite::Statement insert(db,
                             "INSERT INTO accounts(id, kind, display_name, resident_id, phone,"
                             " region_code, password_hash, create_time) VALUES(?,?,?,?,?,?,?,?)");
    insert.bind(1, account.id());
    insert.bind(2, static_cast<int>(account.kind()));
    insert.bind(3, account.display_name());
    insert.bind(4, resident_id);
    insert.bind(5, account.phone());
    insert.bind(6, account.region_code());
    insert.bind(7, hash);
    insert.bind(8, static_cast<int64_t>(store::ToStoredTime(now)));
    insert.exec();
    return absl::OkStatus();
  }));
  return account;
}

absl::StatusOr<identity::v1::Account> Accounts::Get(const std::string& id) const {
  std::optional<identity::v1::Account> account;
  RETURN_IF_ERROR(db_->Read([&](SQLite::Database& db) {
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
