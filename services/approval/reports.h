#pragma once

#include "absl/status/statusor.h"
#include "onewindow/approval/v1/approval.pb.h"
#include "onewindow/auth/v1/principal.pb.h"
#include "services/approval/deps.h"

namespace onewindow::approval {

// Supervision of timeliness: per department and region, cases closed on
// time and late, average handling time in working days (pauses excluded),
// and cases open and overdue now. Withdrawn cases count in neither.
class Reports {
 public:
  explicit Reports(Deps deps) : deps_(std::move(deps)) {}

  // Operators and platform admins: any region or department. Staff: their
  // own department only.
  absl::StatusOr<approval::v1::SupervisionReport> Supervision(
      const auth::v1::Principal& principal,
      const approval::v1::SupervisionReportRequest& request) const;

 private:
  Deps deps_;
};

}  // namespace onewindow::approval
