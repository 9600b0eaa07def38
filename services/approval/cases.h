#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/store/database.h"
#include "onewindow/approval/v1/approval.pb.h"

namespace onewindow::approval {

// Cases opened from intake's hand-offs, one per application.
class Cases {
 public:
  explicit Cases(store::Database* db) : db_(db) {}

  // Idempotent on application id: a redelivered hand-off returns the case
  // the first delivery opened.
  absl::StatusOr<approval::v1::Case> Open(const approval::v1::OpenCaseRequest& request,
                                          absl::Time now);
  absl::StatusOr<approval::v1::Case> Get(const std::string& case_id) const;

 private:
  store::Database* db_;
};

}  // namespace onewindow::approval
