#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/store/database.h"
#include "onewindow/auth/v1/principal.pb.h"
#include "onewindow/identity/v1/identity.pb.h"

namespace onewindow::identity {

// Accounts of every kind and their credentials. Answers carry personal data
// unmasked; the gRPC edge masks for readers who are not the owner.
class Accounts {
 public:
  explicit Accounts(store::Database* db) : db_(db) {}

  // Every invalid field is named in one INVALID_ARGUMENT.
  absl::StatusOr<identity::v1::Account> RegisterCitizen(
      const identity::v1::RegisterCitizenRequest& request);
  absl::StatusOr<identity::v1::Account> RegisterEnterprise(
      const identity::v1::RegisterEnterpriseRequest& request);
  // Staff, operators and platform admins.
  absl::StatusOr<identity::v1::Account> CreateStaff(
      const identity::v1::CreateStaffAccountRequest& request);
  absl::StatusOr<identity::v1::Account> Get(const std::string& id) const;

  struct Credentials {
    identity::v1::Account account;
    std::string password_hash;
  };
  // What a login id is looked up as: a resident id normalised (spaces
  // trimmed, a final x upper-cased); other ids as given.
  static std::string LoginKey(identity::v1::LoginKind kind, const std::string& login_id);
  // Citizens of one family may share a phone number; past this many, the
  // number signs none of them in.
  static constexpr int kMaxAccountsPerPhone = 3;
  // The accounts a login id names for that kind of login: none, one, or
  // for a phone number up to kMaxAccountsPerPhone (FAILED_PRECONDITION
  // past that, asking for the resident id instead).
  absl::StatusOr<std::vector<Credentials>> FindForLogin(identity::v1::LoginKind kind,
                                                        const std::string& login_id) const;
  absl::StatusOr<bool> HasPlatformAdmin() const;

 private:
  store::Database* db_;
};

// The principal a session or token carries for `account`.
auth::v1::Principal PrincipalFor(const identity::v1::Account& account);

// Masks resident ID and phone in place.
void MaskPersonalData(identity::v1::Account* account);

}  // namespace onewindow::identity
