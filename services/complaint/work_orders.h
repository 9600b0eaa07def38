#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/store/database.h"
#include "onewindow/complaint/v1/complaint.pb.h"

namespace onewindow::complaint {

// Work orders from every channel. The caller's phone is stored but never
// returned by these reads.
class WorkOrders {
 public:
  explicit WorkOrders(store::Database* db) : db_(db) {}

  // Idempotent on (hotline_id, hotline_ticket_id).
  absl::StatusOr<complaint::v1::WorkOrder> IngestHotline(
      const complaint::v1::IngestHotlineTicketRequest& request, absl::Time now);
  absl::StatusOr<complaint::v1::WorkOrder> Get(const std::string& id) const;

 private:
  store::Database* db_;
};

}  // namespace onewindow::complaint
