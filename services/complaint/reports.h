#pragma once

#include "absl/status/statusor.h"
#include "libs/store/database.h"
#include "libs/workday/clock.h"
#include "onewindow/auth/v1/principal.pb.h"
#include "onewindow/complaint/v1/complaint.pb.h"
#include "services/complaint/policy.h"

namespace onewindow::complaint {

// Aggregates for supervision and the public: counts and rates only, never
// a person.
class Reports {
 public:
  Reports(store::Database* db, const workday::Clock* clock, const Policy* policy)
      : db_(db), clock_(clock), policy_(policy) {}

  // Satisfaction per department, item or region (public).
  absl::StatusOr<complaint::v1::RatingStats> RatingStats(
      const complaint::v1::GetRatingStatsRequest& request) const;

  // Answered within deadline, satisfaction, reopen rate per department,
  // region or kind. Operators, platform admins and dispatchers see all; a
  // department's staff see their own department only.
  absl::StatusOr<complaint::v1::SupervisionReport> Supervision(
      const auth::v1::Principal& caller,
      const complaint::v1::GetSupervisionReportRequest& request) const;

 private:
  store::Database* db_;
  const workday::Clock* clock_;
  const Policy* policy_;
};

}  // namespace onewindow::complaint
