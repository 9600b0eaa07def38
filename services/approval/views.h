#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "onewindow/approval/v1/approval.pb.h"
#include "onewindow/auth/v1/principal.pb.h"
#include "services/approval/deps.h"

namespace onewindow::approval {

// What departments and operators read: queues, cases with their history.
class Views {
 public:
  explicit Views(Deps deps) : deps_(std::move(deps)) {}

  // The department's live tasks, earliest due first; filters combine.
  absl::StatusOr<approval::v1::ListQueueResponse> Queue(
      const auth::v1::Principal& principal, const approval::v1::ListQueueRequest& request) const;

  // The case, its tasks, the guide's materials and stages and the latest
  // history. NOT_FOUND for callers the case does not concern.
  absl::StatusOr<approval::v1::CaseDetail> Detail(const auth::v1::Principal& principal,
                                                  const std::string& case_id) const;

  absl::StatusOr<approval::v1::ListAuditResponse> Audit(
      const auth::v1::Principal& principal, const approval::v1::ListAuditRequest& request) const;

 private:
  Deps deps_;
};

}  // namespace onewindow::approval
