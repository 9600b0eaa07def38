#include "libs/testing/principals.h"

namespace onewindow::testing {

auth::v1::Principal MakePrincipal(auth::v1::PrincipalKind kind, const std::string& subject) {
  auth::v1::Principal p;
  p.set_kind(kind);
  p.set_subject(subject);
  return p;
}

auth::v1::Principal StaffPrincipal(const std::string& subject, const std::string& department,
                                   const std::vector<std::string>& roles) {
  auth::v1::Principal p = MakePrincipal(auth::v1::STAFF, subject);
  p.set_department_id(department);
  for (const std::string& role : roles) p.add_roles(role);
  return p;
}

}  // namespace onewindow::testing
