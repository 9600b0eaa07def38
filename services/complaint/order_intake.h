#pragma once

#include "absl/status/statusor.h"
#include "onewindow/auth/v1/principal.pb.h"
#include "onewindow/complaint/v1/complaint.pb.h"
#include "services/complaint/categories.h"
#include "services/complaint/dispatch_rules.h"
#include "services/complaint/order_writer.h"

namespace onewindow::complaint {

// New work orders from every channel. Each is received (受理) with a number
// and a deadline for its kind, and dispatched at once when a dispatch rule
// places it; otherwise it waits in the dispatch queue.
class OrderIntake {
 public:
  OrderIntake(Env env, const DispatchRules* rules, const Categories* categories)
      : env_(env), rules_(rules), categories_(categories) {}

  // 12345 hotline systems (SERVICE, or STAFF complaint handlers with an API
  // token) and platform admins. A repeated (hotline_id, hotline_ticket_id)
  // returns the first order; the write is group-committed, so concurrent
  // hotline streams share fsyncs.
  // `created` (optional) tells a new order from a repeated ticket. A new
  // order comes back whole to the system that filed it; a repeated one as
  // the caller may see it (access.h).
  absl::StatusOr<complaint::v1::WorkOrder> IngestHotline(
      const auth::v1::Principal& caller, const complaint::v1::IngestHotlineTicketRequest& request,
      bool* created = nullptr);

  // Web and app (citizens, enterprises; nobody for an anonymous report),
  // windows (staff) and Open311 (services). Idempotent on request_id per
  // signed-in submitter. Returns the order as its submitter sees it.
  absl::StatusOr<complaint::v1::WorkOrder> Submit(
      const auth::v1::Principal* caller, const complaint::v1::SubmitWorkOrderRequest& request,
      bool* created = nullptr);

 private:
  // Receipt, deadline and rule-based dispatch of a new order; returns the
  // notices to send.
  std::vector<Notice> Receive(StoredOrder& stored, absl::Time now, const std::string& actor) const;
  // Kind from the category where the filer gave none; problems for the
  // fields every channel shares.
  void CheckCommon(complaint::v1::WorkOrder& order, std::vector<std::string>* problems) const;

  Env env_;
  const DispatchRules* rules_;
  const Categories* categories_;
};

}  // namespace onewindow::complaint
