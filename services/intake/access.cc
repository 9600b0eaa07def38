#include "services/intake/access.h"

#include "absl/strings/str_cat.h"

namespace onewindow::intake {

bool IsSupervisor(const auth::v1::Principal& principal) {
  return principal.kind() == auth::v1::OPERATOR || principal.kind() == auth::v1::PLATFORM_ADMIN;
}

bool ActsForDepartment(const auth::v1::Principal& principal, const std::string& department_id) {
  return principal.kind() == auth::v1::STAFF && !department_id.empty() &&
         principal.department_id() == department_id;
}

absl::Status CheckMayRead(const auth::v1::Principal& principal,
                          const intake::v1::Application& application) {
  const std::string& subject = principal.subject();
  const bool allowed = (!subject.empty() && (subject == application.applicant_id() ||
                                             subject == application.submitted_by())) ||
                       ActsForDepartment(principal, application.department_id()) ||
                       IsSupervisor(principal) || principal.kind() == auth::v1::SERVICE;
  if (allowed) return absl::OkStatus();
  return absl::NotFoundError(
      absl::StrCat("application ", application.application_id(), " not found"));
}

bool MaySeeQueryCode(const auth::v1::Principal& principal,
                     const intake::v1::Application& application) {
  const std::string& subject = principal.subject();
  return (!subject.empty() &&
          (subject == application.applicant_id() || subject == application.submitted_by())) ||
         ActsForDepartment(principal, application.department_id());
}

}  // namespace onewindow::intake
