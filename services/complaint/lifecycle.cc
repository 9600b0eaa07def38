#include "services/complaint/lifecycle.h"

#include <initializer_list>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/codes/credit_code.h"
#include "libs/status/macros.h"
#include "libs/store/times.h"
#include "libs/workday/deadline.h"
#include "services/complaint/access.h"
#include "services/complaint/deadlines.h"

namespace onewindow::complaint {
namespace {

using complaint::v1::WorkOrder;
using complaint::v1::WorkOrderState;

constexpr size_t kMaxNoteBytes = 1000;
constexpr size_t kMaxTextBytes = 8000;

absl::Status RequireState(const WorkOrder& order, std::initializer_list<WorkOrderState> states,
                          absl::string_view action) {
  for (WorkOrderState s : states) {
    if (order.state() == s) return absl::OkStatus();
  }
  std::vector<std::string> names;
  for (WorkOrderState s : states) names.push_back(complaint::v1::WorkOrderState_Name(s));
  return absl::FailedPreconditionError(
      absl::StrCat("work order ", order.work_order_id(), " is ",
                   complaint::v1::WorkOrderState_Name(order.state()), "; ", action, " needs ",
                   absl::StrJoin(names, " or ")));
}

// Problems with the id and one text field, all reported at once.
absl::Status CheckRequest(const std::string& id, const std::string& text, const char* text_field,
                          size_t max_text, bool text_required) {
  std::vector<std::string> problems;
  if (id.empty()) problems.push_back("work_order_id: required");
  if (text_required && text.empty()) problems.push_back(absl::StrCat(text_field, ": required"));
  if (text.size() > max_text) {
    problems.push_back(absl::StrCat(text_field, ": longer than ", max_text, " bytes"));
  }
  if (!problems.empty()) return absl::InvalidArgumentError(absl::StrJoin(problems, "; "));
  return absl::OkStatus();
}

}  // namespace

absl::Status Lifecycle::RequireAssigned(const auth::v1::Principal& caller,
                                        const WorkOrder& order) const {
  if (IsHandlerOf(caller, order.assigned_department_id())) return absl::OkStatus();
  if (ClassifyViewer(&caller, order, *env_.policy) == Viewer::kNobody) {
    return absl::NotFoundError(absl::StrCat("work order ", order.work_order_id(), " not found"));
  }
  return absl::PermissionDeniedError(
      "only complaint handlers of the assigned department may do this");
}

WorkOrder Lifecycle::ViewFor(const auth::v1::Principal& caller, const WorkOrder& order) const {
  return Redact(order, ClassifyViewer(&caller, order, *env_.policy));
}

absl::StatusOr<WorkOrder> Lifecycle::Apply(const auth::v1::Principal& caller, const std::string& id,
                                           absl::Time now, Transition fn) const {
  ASSIGN_OR_RETURN(StoredOrder stored, ApplyTransition(env_, id, now, fn));
  return ViewFor(caller, stored.order);
}

absl::StatusOr<WorkOrder> Lifecycle::ApplyAssigned(const auth::v1::Principal& caller,
                                                   const std::string& id, absl::Time now,
                                                   std::initializer_list<WorkOrderState> states,
                                                   absl::string_view action, OrderChange fn) const {
  return Apply(caller, id, now, [&](StoredOrder& s, std::vector<Notice>& notices) -> absl::Status {
    RETURN_IF_ERROR(RequireAssigned(caller, s.order));
    RETURN_IF_ERROR(RequireState(s.order, states, action));
    return fn(s.order, notices);
  });
}

absl::StatusOr<WorkOrder> Lifecycle::Dispatch(
    const auth::v1::Principal& caller, const complaint::v1::DispatchWorkOrderRequest& request) {
  RETURN_IF_ERROR(RequireDispatcher(caller, *env_.policy));
  std::vector<std::string> problems;
  if (request.work_order_id().empty()) problems.push_back("work_order_id: required");
  if (request.department_id().empty()) {
    problems.push_back("department_id: required");
  } else if (!codes::ValidateCreditCode(request.department_id()).ok()) {
    problems.push_back("department_id: not a unified social credit code");
  }
  if (request.note().size() > kMaxNoteBytes) problems.push_back("note: longer than 1000 bytes");
  if (!problems.empty()) return absl::InvalidArgumentError(absl::StrJoin(problems, "; "));
  const absl::Time now = env_.clock->Now();
  return Apply(
      caller, request.work_order_id(), now,
      [&](StoredOrder& s, std::vector<Notice>& notices) -> absl::Status {
        WorkOrder& o = s.order;
        RETURN_IF_ERROR(
            RequireState(o, {complaint::v1::RECEIVED, complaint::v1::DISPATCHED}, "dispatch"));
        const bool transfer = o.state() == complaint::v1::DISPATCHED;
        o.set_state(complaint::v1::DISPATCHED);
        o.set_assigned_department_id(request.department_id());
        *o.mutable_dispatch_time() = store::ToProtoTime(now);
        Record(o, now, transfer ? "transferred" : "dispatched", "dispatcher", request.note());
        if (request.urgent() && !o.urgent()) {
          // The urgent limit runs from the dispatcher's judgement, and only
          // ever brings the deadline closer.
          o.set_urgent(true);
          const absl::Time due = DeadlineFrom(env_, now, o.kind(), true);
          if (due < store::FromProtoTime(o.due_time())) {
            *o.mutable_due_time() = store::ToProtoTime(due);
            s.clock_start = now;
            o.set_escalation_level(0);
          }
          Record(o, now, "marked_urgent", "dispatcher");
        }
        notices.push_back({kDispatched, DepartmentRecipient(request.department_id()),
                           OrderParams(o), o.urgent()});
        return absl::OkStatus();
      });
}

absl::StatusOr<WorkOrder> Lifecycle::SignFor(
    const auth::v1::Principal& caller, const complaint::v1::SignForWorkOrderRequest& request) {
  RETURN_IF_ERROR(CheckRequest(request.work_order_id(), "", "", 0, false));
  const absl::Time now = env_.clock->Now();
  return ApplyAssigned(caller, request.work_order_id(), now, {complaint::v1::DISPATCHED},
                       "signing for", [&](WorkOrder& o, std::vector<Notice>&) -> absl::Status {
                         o.set_state(complaint::v1::SIGNED_FOR);
                         Record(o, now, "signed_for", o.assigned_department_id());
                         return absl::OkStatus();
                       });
}

absl::StatusOr<WorkOrder> Lifecycle::Return(const auth::v1::Principal& caller,
                                            const complaint::v1::ReturnWorkOrderRequest& request) {
  RETURN_IF_ERROR(
      CheckRequest(request.work_order_id(), request.reason(), "reason", kMaxNoteBytes, true));
  const absl::Time now = env_.clock->Now();
  return ApplyAssigned(
      caller, request.work_order_id(), now, {complaint::v1::DISPATCHED, complaint::v1::SIGNED_FOR},
      "returning", [&](WorkOrder& o, std::vector<Notice>&) -> absl::Status {
        // A reopened order comes back to the department that took it on and
        // answered it: it was not mis-dispatched, whatever its new
        // dispatch time says.
        if (o.reopen_count() > 0) {
          return absl::FailedPreconditionError(
              "a reopened order cannot be returned: the department handled it before; handle it "
              "again or request an extension");
        }
        const absl::Time window_end =
            workday::AddWorkingDays(*env_.calendar, store::FromProtoTime(o.dispatch_time()),
                                    env_.policy->return_window_days);
        if (now >= window_end) {
          return absl::FailedPreconditionError(
              absl::StrCat("the return window (", env_.policy->return_window_days,
                           " working days after dispatch) has passed; request an extension "
                           "or handle the order"));
        }
        const std::string department = o.assigned_department_id();
        o.set_state(complaint::v1::RECEIVED);
        o.clear_assigned_department_id();
        o.clear_dispatch_time();
        o.set_return_count(o.return_count() + 1);
        if (o.extension().state() == complaint::v1::EXTENSION_PENDING) o.clear_extension();
        Record(o, now, "returned", department, request.reason());
        return absl::OkStatus();
      });
}

absl::StatusOr<WorkOrder> Lifecycle::RequestExtension(
    const auth::v1::Principal& caller, const complaint::v1::RequestExtensionRequest& request) {
  std::vector<std::string> problems;
  if (request.work_order_id().empty()) problems.push_back("work_order_id: required");
  if (request.days() < 1) problems.push_back("days: at least 1");
  if (request.reason().empty()) problems.push_back("reason: required");
  if (request.reason().size() > kMaxNoteBytes) problems.push_back("reason: longer than 1000 bytes");
  if (!problems.empty()) return absl::InvalidArgumentError(absl::StrJoin(problems, "; "));
  const absl::Time now = env_.clock->Now();
  return ApplyAssigned(
      caller, request.work_order_id(), now, {complaint::v1::SIGNED_FOR, complaint::v1::HANDLED},
      "an extension", [&](WorkOrder& o, std::vector<Notice>&) -> absl::Status {
        if (o.extension().state() == complaint::v1::EXTENSION_PENDING) {
          return absl::FailedPreconditionError("an extension request is already pending");
        }
        const int left = env_.policy->max_extension_days - o.extension_days_granted();
        if (request.days() > left) {
          return absl::InvalidArgumentError(
              absl::StrCat("days: at most ", left, " more working days may be granted (",
                           env_.policy->max_extension_days, " in all)"));
        }
        complaint::v1::Extension* e = o.mutable_extension();
        e->Clear();
        e->set_days(request.days());
        e->set_reason(request.reason());
        e->set_state(complaint::v1::EXTENSION_PENDING);
        *e->mutable_request_time() = store::ToProtoTime(now);
        Record(o, now, "extension_requested", o.assigned_department_id(),
               absl::StrCat(request.days(), " working days: ", request.reason()));
        return absl::OkStatus();
      });
}

absl::StatusOr<WorkOrder> Lifecycle::DecideExtension(
    const auth::v1::Principal& caller, const complaint::v1::DecideExtensionRequest& request) {
  RETURN_IF_ERROR(RequireDispatcher(caller, *env_.policy));
  RETURN_IF_ERROR(CheckRequest(request.work_order_id(), request.note(), "note", kMaxNoteBytes,
                               !request.approve()));
  const absl::Time now = env_.clock->Now();
  return Apply(
      caller, request.work_order_id(), now,
      [&](StoredOrder& s, std::vector<Notice>& notices) -> absl::Status {
        WorkOrder& o = s.order;
        if (o.extension().state() != complaint::v1::EXTENSION_PENDING ||
            !IsBeingHandled(o.state())) {
          return absl::FailedPreconditionError("no extension request is pending");
        }
        complaint::v1::Extension* e = o.mutable_extension();
        e->set_decision_note(request.note());
        *e->mutable_decide_time() = store::ToProtoTime(now);
        if (request.approve()) {
          e->set_state(complaint::v1::EXTENSION_APPROVED);
          o.set_extension_days_granted(o.extension_days_granted() + e->days());
          *o.mutable_due_time() = store::ToProtoTime(
              ExtendDeadline(*env_.calendar, store::FromProtoTime(o.due_time()), e->days()));
          // A new deadline earns its own reminder and notice.
          o.set_escalation_level(0);
          Record(o, now, "extension_approved", "dispatcher", request.note());
        } else {
          e->set_state(complaint::v1::EXTENSION_REFUSED);
          Record(o, now, "extension_refused", "dispatcher", request.note());
        }
        std::map<std::string, std::string> params = OrderParams(o);
        if (!request.note().empty()) params["reason"] = request.note();
        notices.push_back({request.approve() ? kExtensionApproved : kExtensionRefused,
                           DepartmentRecipient(o.assigned_department_id()), params, false});
        return absl::OkStatus();
      });
}

absl::StatusOr<WorkOrder> Lifecycle::Handle(const auth::v1::Principal& caller,
                                            const complaint::v1::HandleWorkOrderRequest& request) {
  RETURN_IF_ERROR(
      CheckRequest(request.work_order_id(), request.note(), "note", kMaxTextBytes, true));
  const absl::Time now = env_.clock->Now();
  return ApplyAssigned(caller, request.work_order_id(), now, {complaint::v1::SIGNED_FOR},
                       "handling", [&](WorkOrder& o, std::vector<Notice>&) -> absl::Status {
                         o.set_state(complaint::v1::HANDLED);
                         o.set_handling_note(request.note());
                         Record(o, now, "handled", o.assigned_department_id());
                         return absl::OkStatus();
                       });
}

absl::StatusOr<WorkOrder> Lifecycle::Reply(const auth::v1::Principal& caller,
                                           const complaint::v1::ReplyWorkOrderRequest& request) {
  RETURN_IF_ERROR(
      CheckRequest(request.work_order_id(), request.reply(), "reply", kMaxTextBytes, true));
  const absl::Time now = env_.clock->Now();
  return ApplyAssigned(
      caller, request.work_order_id(), now, {complaint::v1::HANDLED}, "replying",
      [&](WorkOrder& o, std::vector<Notice>& notices) -> absl::Status {
        o.set_state(complaint::v1::REPLIED);
        o.set_reply(request.reply());
        *o.mutable_reply_time() = store::ToProtoTime(now);
        o.set_replied_on_time(now <= store::FromProtoTime(o.due_time()));
        *o.mutable_callback_due_time() = store::ToProtoTime(
            workday::AddWorkingDays(*env_.calendar, now, env_.policy->callback_days));
        if (o.extension().state() == complaint::v1::EXTENSION_PENDING) o.clear_extension();
        Record(o, now, "replied", o.assigned_department_id());
        const complaint::v1::Complainant& c = o.complainant();
        if (c.account_id().empty() && c.phone().empty() && c.email().empty()) {
          o.set_state(complaint::v1::CLOSED);
          o.set_callback_result(complaint::v1::NOT_REACHABLE);
          *o.mutable_close_time() = store::ToProtoTime(now);
          Record(o, now, "closed", "system", "nobody to call back");
          return absl::OkStatus();
        }
        std::map<std::string, std::string> params = OrderParams(o);
        params["reply"] = o.reply();
        const bool rectification = o.kind() == complaint::v1::RECTIFICATION;
        if (rectification) {
          // rating.follow_up names the rated application.
          const auto& a = o.attributes();
          if (a.count("application_number")) params["number"] = a.at("application_number");
          if (a.count("item_name")) params["item_name"] = a.at("item_name");
          if (a.count("level")) params["level"] = a.at("level");
        }
        notices.push_back(
            {rectification ? kRatingFollowUp : kReplied, c.account_id(), params, false});
        notices.push_back({kCallbackRequested, c.account_id(), OrderParams(o), false});
        return absl::OkStatus();
      });
}

absl::StatusOr<WorkOrder> Lifecycle::RecordCallback(
    const auth::v1::Principal& caller, const complaint::v1::RecordCallbackRequest& request) {
  std::vector<std::string> problems;
  if (request.work_order_id().empty()) problems.push_back("work_order_id: required");
  if (request.result() == complaint::v1::CALLBACK_RESULT_UNSPECIFIED ||
      !complaint::v1::CallbackResult_IsValid(request.result())) {
    problems.push_back("result: SATISFIED, DISSATISFIED or NOT_REACHABLE");
  }
  if (request.note().size() > kMaxNoteBytes) problems.push_back("note: longer than 1000 bytes");
  if (!problems.empty()) return absl::InvalidArgumentError(absl::StrJoin(problems, "; "));
  const absl::Time now = env_.clock->Now();
  return Apply(
      caller, request.work_order_id(), now,
      [&](StoredOrder& s, std::vector<Notice>& notices) -> absl::Status {
        WorkOrder& o = s.order;
        const Viewer viewer = ClassifyViewer(&caller, o, *env_.policy);
        if (viewer == Viewer::kNobody) {
          return absl::NotFoundError(absl::StrCat("work order ", o.work_order_id(), " not found"));
        }
        const bool dispatcher = IsDispatcher(caller, *env_.policy);
        if (viewer != Viewer::kOwner && !dispatcher) {
          return absl::PermissionDeniedError(
              "the callback is recorded by the complainant or a dispatcher");
        }
        if (request.result() == complaint::v1::NOT_REACHABLE && !dispatcher) {
          return absl::PermissionDeniedError("only a dispatcher records NOT_REACHABLE");
        }
        RETURN_IF_ERROR(RequireState(o, {complaint::v1::REPLIED}, "a callback"));
        o.set_callback_result(request.result());
        o.set_callback_note(request.note());
        Record(o, now, "callback", viewer == Viewer::kOwner ? "citizen" : "dispatcher",
               complaint::v1::CallbackResult_Name(request.result()));
        if (request.result() == complaint::v1::DISSATISFIED && o.reopen_count() == 0) {
          // Reopened once, to the same department, with a fresh deadline.
          o.set_reopen_count(1);
          o.set_state(complaint::v1::DISPATCHED);
          *o.mutable_dispatch_time() = store::ToProtoTime(now);
          s.clock_start = now;
          *o.mutable_due_time() = store::ToProtoTime(DeadlineFrom(env_, now, o.kind(), o.urgent()));
          o.set_escalation_level(0);
          o.clear_extension();
          Record(o, now, "reopened", "system", request.note());
          notices.push_back({kDispatched, DepartmentRecipient(o.assigned_department_id()),
                             OrderParams(o), o.urgent()});
          return absl::OkStatus();
        }
        o.set_state(complaint::v1::CLOSED);
        *o.mutable_close_time() = store::ToProtoTime(now);
        Record(o, now, "closed", "system");
        return absl::OkStatus();
      });
}

}  // namespace onewindow::complaint
