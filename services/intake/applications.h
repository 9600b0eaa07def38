#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/store/database.h"
#include "onewindow/intake/v1/intake.pb.h"

namespace onewindow::intake {

// The applications intake has accepted. Submission is idempotent per
// applicant on the request id: a retry gets the first answer, the same id
// with a different body is refused.
class Applications {
 public:
  explicit Applications(store::Database* db) : db_(db) {}

  absl::StatusOr<intake::v1::Application> Submit(
      const std::string& applicant_id, const intake::v1::SubmitApplicationRequest& request,
      absl::Time now);
  // NOT_FOUND unless `applicant_id` owns it (empty `applicant_id`: any).
  absl::StatusOr<intake::v1::Application> Get(const std::string& application_id,
                                              const std::string& applicant_id) const;

 private:
  store::Database* db_;
};

// "SQ" + date in China Standard Time + "-" + 6-digit sequence of that day.
std::string FormatApplicationNumber(absl::Time submit_time, int64_t sequence);

}  // namespace onewindow::intake
