#pragma once

#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/store/connection.h"
#include "libs/store/database.h"
#include "libs/workday/clock.h"
#include "onewindow/auth/v1/principal.pb.h"
#include "onewindow/intake/v1/intake.pb.h"

namespace onewindow::intake {

// The licence wallet (电子证照库): results issued through the platform and
// licences the province already held. A licence of the type a guide's
// material names satisfies that material, so holders never upload it.
class Licences {
 public:
  Licences(store::Database* db, const workday::Clock* clock) : db_(db), clock_(clock) {}

  // Platform admins and services. Each licence needs a type, number, holder
  // and title; an id is made up when absent. One already held (same id, or
  // same type and number) is left alone.
  absl::StatusOr<intake::v1::RegisterLicencesResponse> Register(
      const auth::v1::Principal& principal, const std::vector<intake::v1::Licence>& licences);

  struct Stored {
    intake::v1::Licence licence;
    // False when it was held already (same id, or same type and number).
    bool created = false;
  };
  // Inside the caller's write transaction: stores `licence` unless it is
  // held already, and returns what is stored.
  absl::StatusOr<Stored> Insert(store::Connection& db, intake::v1::Licence licence);

  // Inside a transaction: per type in `types`, the most recently issued
  // licence `holder_id` holds that is valid at `at`.
  absl::flat_hash_map<std::string, intake::v1::Licence> FindValid(
      store::Connection& db, const std::string& holder_id,
      const absl::flat_hash_set<std::string>& types, absl::Time at);

  absl::StatusOr<intake::v1::ListLicencesResponse> List(
      const auth::v1::Principal& principal, const intake::v1::ListLicencesRequest& request);
  absl::StatusOr<intake::v1::Licence> Get(const auth::v1::Principal& principal,
                                          const std::string& licence_id);

 private:
  store::Database* db_;
  const workday::Clock* clock_;
};

// Problems with a licence to be stored, named by field under `prefix`.
std::vector<std::string> LicenceProblems(const intake::v1::Licence& licence,
                                         const std::string& prefix);

}  // namespace onewindow::intake
