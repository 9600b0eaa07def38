#pragma once

#include <initializer_list>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "onewindow/auth/v1/principal.pb.h"
#include "onewindow/complaint/v1/complaint.pb.h"
#include "services/complaint/order_writer.h"

namespace onewindow::complaint {

// The work-order lifecycle of DOMAIN.md after receipt:
//
//   RECEIVED --dispatch--> DISPATCHED --sign for--> SIGNED_FOR --handle--> HANDLED
//      ^                      |  ^                     |                     |
//      +------- return -------+--|---------------------+                  reply
//                                |                                           v
//                                +---- dissatisfied, first time ------- REPLIED
//                                                                            |
//                                   satisfied / dissatisfied again / not reachable
//                                                                            v
//                                                                         CLOSED
//
// plus extensions (requested by the department between signing for and
// replying, decided by a dispatcher) that move the deadline. Every method
// checks who may act, changes the order and enqueues its notices in one
// transaction, and returns the order as the caller may see it. Acting on an
// order the caller cannot see is NOT_FOUND; one they can see but not act
// on is PERMISSION_DENIED; the wrong state is FAILED_PRECONDITION.
class Lifecycle {
 public:
  explicit Lifecycle(Env env) : env_(env) {}

  // Dispatchers: RECEIVED (or DISPATCHED and not yet signed for, a transfer)
  // to a department.
  absl::StatusOr<complaint::v1::WorkOrder> Dispatch(
      const auth::v1::Principal& caller, const complaint::v1::DispatchWorkOrderRequest& request);
  // The assigned department: DISPATCHED -> SIGNED_FOR.
  absl::StatusOr<complaint::v1::WorkOrder> SignFor(
      const auth::v1::Principal& caller, const complaint::v1::SignForWorkOrderRequest& request);
  // The assigned department, within the return window after dispatch: back
  // to the dispatch queue with a reason.
  absl::StatusOr<complaint::v1::WorkOrder> Return(
      const auth::v1::Principal& caller, const complaint::v1::ReturnWorkOrderRequest& request);
  // The assigned department, after signing for and before replying.
  absl::StatusOr<complaint::v1::WorkOrder> RequestExtension(
      const auth::v1::Principal& caller, const complaint::v1::RequestExtensionRequest& request);
  // Dispatchers: approve (the deadline moves by the days asked) or refuse.
  absl::StatusOr<complaint::v1::WorkOrder> DecideExtension(
      const auth::v1::Principal& caller, const complaint::v1::DecideExtensionRequest& request);
  // The assigned department: SIGNED_FOR -> HANDLED.
  absl::StatusOr<complaint::v1::WorkOrder> Handle(
      const auth::v1::Principal& caller, const complaint::v1::HandleWorkOrderRequest& request);
  // The assigned department: HANDLED -> REPLIED; the complainant is told
  // and asked for the callback. An order nobody can be called back on
  // (anonymous, no contact) closes at once.
  absl::StatusOr<complaint::v1::WorkOrder> Reply(
      const auth::v1::Principal& caller, const complaint::v1::ReplyWorkOrderRequest& request);
  // The complainant or a dispatcher (NOT_REACHABLE: dispatchers only).
  absl::StatusOr<complaint::v1::WorkOrder> RecordCallback(
      const auth::v1::Principal& caller, const complaint::v1::RecordCallbackRequest& request);

 private:
  // Checks the caller is a complaint handler of the order's department.
  absl::Status RequireAssigned(const auth::v1::Principal& caller,
                               const complaint::v1::WorkOrder& order) const;
  complaint::v1::WorkOrder ViewFor(const auth::v1::Principal& caller,
                                   const complaint::v1::WorkOrder& order) const;
  // ApplyTransition, then the order as the caller may see it.
  absl::StatusOr<complaint::v1::WorkOrder> Apply(const auth::v1::Principal& caller,
                                                 const std::string& id, absl::Time now,
                                                 Transition fn) const;
  // A step of the assigned department: `fn` runs only once the caller is
  // one of its handlers and the order is in one of `states` (named `action`
  // in the FAILED_PRECONDITION otherwise), in that order, so that a caller
  // who may not act learns nothing of the order's state.
  using OrderChange = absl::FunctionRef<absl::Status(complaint::v1::WorkOrder& order,
                                                     std::vector<Notice>& notices)>;
  absl::StatusOr<complaint::v1::WorkOrder> ApplyAssigned(
      const auth::v1::Principal& caller, const std::string& id, absl::Time now,
      std::initializer_list<complaint::v1::WorkOrderState> states, absl::string_view action,
      OrderChange fn) const;

  Env env_;
};

}  // namespace onewindow::complaint
