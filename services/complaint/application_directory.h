#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "onewindow/intake/v1/intake.pb.h"

namespace onewindow::complaint {

// What a rating needs to know about the application it rates: whose it is,
// whether it is closed, and which item and department served it.
struct ApplicationFacts {
  std::string application_id;
  std::string number;
  std::string applicant_id;
  intake::v1::ApplicationStatus status = intake::v1::APPLICATION_STATUS_UNSPECIFIED;
  std::string implementation_code;
  std::string item_name;
  std::string department_id;
  std::string region_code;
};

// Looks applications up (intake, then catalog for the item). An interface
// so the rating rules are testable without gRPC.
class ApplicationDirectory {
 public:
  virtual ~ApplicationDirectory() = default;
  // NOT_FOUND for an unknown application; UNAVAILABLE and the like when a
  // backend cannot answer.
  virtual absl::StatusOr<ApplicationFacts> Lookup(const std::string& application_id) = 0;
};

// Closed (办结) applications may be rated: decided (approved, rejected),
// refused at acceptance, delivered or withdrawn — every status after which
// nothing more happens to the case, or that ends it.
bool IsClosed(intake::v1::ApplicationStatus status);

}  // namespace onewindow::complaint
