#include "services/complaint/application_directory.h"

namespace onewindow::complaint {

bool IsClosed(intake::v1::ApplicationStatus status) {
  switch (status) {
    case intake::v1::NOT_ACCEPTED:
    case intake::v1::APPROVED:
    case intake::v1::REJECTED:
    case intake::v1::RESULT_ISSUED:
    case intake::v1::DELIVERED:
    case intake::v1::WITHDRAWN:
      return true;
    default:
      return false;
  }
}

}  // namespace onewindow::complaint
