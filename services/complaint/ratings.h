#pragma once

#include "absl/status/statusor.h"
#include "onewindow/auth/v1/principal.pb.h"
#include "onewindow/complaint/v1/complaint.pb.h"
#include "services/complaint/application_directory.h"
#include "services/complaint/order_writer.h"

namespace onewindow::complaint {

// Service ratings (好差评): one per closed application, by its applicant.
// A bad rating (levels 1 and 2) opens exactly one rectification work order
// for the item's department, dispatched at once and due in
// Policy::limit_days[RECTIFICATION] working days; its reply goes to the
// rater (rating.follow_up) and is followed by the usual callback.
class Ratings {
 public:
  Ratings(Env env, ApplicationDirectory* directory) : env_(env), directory_(directory) {}

  // Repeating the same rating returns it (nothing new is opened); a
  // different one for the same application is ALREADY_EXISTS. Someone
  // else's application is NOT_FOUND; an open one FAILED_PRECONDITION.
  // `created` (optional) tells a new rating from a repeated one.
  absl::StatusOr<complaint::v1::Rating> Rate(const auth::v1::Principal& caller,
                                             const complaint::v1::RateApplicationRequest& request,
                                             bool* created = nullptr);

 private:
  Env env_;
  ApplicationDirectory* directory_;
};

// The two lowest of the five levels.
inline bool IsBadRating(int level) { return level <= 2; }

}  // namespace onewindow::complaint
