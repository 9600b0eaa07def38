#include "services/complaint/order_queries.h"

#include "absl/strings/str_cat.h"
#include "libs/auth/access.h"
#include "libs/status/macros.h"
#include "libs/store/times.h"
#include "services/complaint/access.h"

namespace onewindow::complaint {
namespace {

using complaint::v1::ListWorkOrdersResponse;
using complaint::v1::WorkOrder;

constexpr int kMaxPublicLimit = 1000;

ListWorkOrdersResponse ToResponse(OrderPage page, const auth::v1::Principal& caller,
                                  const Policy& policy) {
  ListWorkOrdersResponse response;
  for (WorkOrder& o : page.orders) {
    const Viewer viewer = ClassifyViewer(&caller, o, policy);
    *response.add_work_orders() = Redact(std::move(o), viewer);
  }
  response.set_next_page_token(std::move(page.next_page_token));
  return response;
}

std::string StatusNotes(const WorkOrder& o) {
  switch (o.state()) {
    case complaint::v1::RECEIVED:
      return "Received; waiting to be dispatched to the responsible department.";
    case complaint::v1::DISPATCHED:
      return "Dispatched to the responsible department.";
    case complaint::v1::SIGNED_FOR:
      return "The responsible department is handling it.";
    case complaint::v1::HANDLED:
      return "Handled; the reply is being prepared.";
    case complaint::v1::REPLIED:
      return absl::StrCat("Replied: ", o.reply());
    case complaint::v1::CLOSED:
      return o.reply().empty() ? "Closed." : absl::StrCat("Closed. Reply: ", o.reply());
    default:
      return "";
  }
}

}  // namespace

absl::StatusOr<WorkOrder> OrderQueries::Get(const auth::v1::Principal* caller,
                                            const std::string& id) const {
  if (id.empty()) return absl::InvalidArgumentError("work_order_id: required");
  std::optional<StoredOrder> stored;
  RETURN_IF_ERROR(env_.db->Read([&](store::Connection& db) {
    stored = WorkOrderStore::Load(db, id);
    return absl::OkStatus();
  }));
  const Viewer viewer =
      stored.has_value() ? ClassifyViewer(caller, stored->order, *env_.policy) : Viewer::kNobody;
  if (viewer == Viewer::kNobody) {
    return absl::NotFoundError(absl::StrCat("work order ", id, " not found"));
  }
  return Redact(std::move(stored->order), viewer);
}

absl::StatusOr<ListWorkOrdersResponse> OrderQueries::ListMine(
    const auth::v1::Principal& caller,
    const complaint::v1::ListMyWorkOrdersRequest& request) const {
  absl::StatusOr<OrderPage> page;
  RETURN_IF_ERROR(env_.db->Read([&](store::Connection& db) {
    page = WorkOrderStore::ListComplainant(db, caller.subject(), request.page_size(),
                                           request.page_token());
    return absl::OkStatus();
  }));
  if (!page.ok()) return page.status();
  return ToResponse(*std::move(page), caller, *env_.policy);
}

absl::StatusOr<ListWorkOrdersResponse> OrderQueries::ListQueue(
    const auth::v1::Principal& caller,
    const complaint::v1::ListDispatchQueueRequest& request) const {
  RETURN_IF_ERROR(RequireDispatcher(caller, *env_.policy));
  absl::StatusOr<OrderPage> page;
  RETURN_IF_ERROR(env_.db->Read([&](store::Connection& db) {
    page = WorkOrderStore::ListQueue(db, request.page_size(), request.page_token());
    return absl::OkStatus();
  }));
  if (!page.ok()) return page.status();
  return ToResponse(*std::move(page), caller, *env_.policy);
}

absl::StatusOr<ListWorkOrdersResponse> OrderQueries::ListDepartment(
    const auth::v1::Principal& caller,
    const complaint::v1::ListDepartmentWorkOrdersRequest& request) const {
  if (request.department_id().empty()) {
    return absl::InvalidArgumentError("department_id: required");
  }
  if (!complaint::v1::WorkOrderState_IsValid(request.state())) {
    return absl::InvalidArgumentError("state: unknown");
  }
  const bool allowed = IsHandlerOf(caller, request.department_id()) ||
                       IsDispatcher(caller, *env_.policy) || caller.kind() == auth::v1::OPERATOR ||
                       caller.kind() == auth::v1::PLATFORM_ADMIN;
  if (!allowed) {
    return absl::PermissionDeniedError(absl::StrCat("may not list the work orders of department \"",
                                                    request.department_id(), "\""));
  }
  absl::StatusOr<OrderPage> page;
  RETURN_IF_ERROR(env_.db->Read([&](store::Connection& db) {
    page = WorkOrderStore::ListDepartment(db, request.department_id(), request.state(),
                                          request.page_size(), request.page_token());
    return absl::OkStatus();
  }));
  if (!page.ok()) return page.status();
  return ToResponse(*std::move(page), caller, *env_.policy);
}

complaint::v1::PublicWorkOrder OrderQueries::ToPublic(const WorkOrder& o) const {
  complaint::v1::PublicWorkOrder p;
  p.set_work_order_id(o.work_order_id());
  p.set_number(o.number());
  p.set_category_code(o.category_code());
  if (absl::StatusOr<complaint::v1::Category> c = categories_->Get(o.category_code()); c.ok()) {
    p.set_category_name(c->name());
  }
  p.set_kind(o.kind());
  p.set_state(o.state());
  p.set_status_notes(StatusNotes(o));
  p.set_description(o.description());
  p.set_department_id(o.assigned_department_id());
  *p.mutable_receive_time() = o.receive_time();
  *p.mutable_update_time() = o.update_time();
  *p.mutable_due_time() = o.due_time();
  *p.mutable_location() = o.location();
  p.set_media_url(o.media_url());
  return p;
}

absl::StatusOr<complaint::v1::PublicWorkOrder> OrderQueries::GetPublic(
    const std::string& id) const {
  if (id.empty()) return absl::InvalidArgumentError("work_order_id: required");
  std::optional<StoredOrder> stored;
  RETURN_IF_ERROR(env_.db->Read([&](store::Connection& db) {
    stored = WorkOrderStore::Load(db, id);
    return absl::OkStatus();
  }));
  if (!stored.has_value() || stored->order.channel() != complaint::v1::OPEN311) {
    return absl::NotFoundError(absl::StrCat("request ", id, " not found"));
  }
  return ToPublic(stored->order);
}

absl::StatusOr<complaint::v1::ListPublicWorkOrdersResponse> OrderQueries::ListPublic(
    const complaint::v1::ListPublicWorkOrdersRequest& request) const {
  if (request.limit() < 0 || request.limit() > kMaxPublicLimit) {
    return absl::InvalidArgumentError("limit: 0..1000");
  }
  if (!complaint::v1::OpenFilter_IsValid(request.status())) {
    return absl::InvalidArgumentError("status: unknown");
  }
  if (request.work_order_ids_size() > kMaxPublicLimit) {
    return absl::InvalidArgumentError("work_order_ids: at most 1000");
  }
  PublicFilter filter;
  filter.ids.assign(request.work_order_ids().begin(), request.work_order_ids().end());
  filter.category_code = request.category_code();
  if (request.has_start_time()) filter.start = store::FromProtoTime(request.start_time());
  if (request.has_end_time()) filter.end = store::FromProtoTime(request.end_time());
  filter.open = static_cast<int>(request.status());
  filter.limit = request.limit() == 0 ? kMaxPublicLimit : request.limit();
  std::vector<WorkOrder> orders;
  RETURN_IF_ERROR(env_.db->Read([&](store::Connection& db) {
    orders = WorkOrderStore::ListOpen311(db, filter);
    return absl::OkStatus();
  }));
  complaint::v1::ListPublicWorkOrdersResponse response;
  for (const WorkOrder& o : orders) *response.add_work_orders() = ToPublic(o);
  return response;
}

}  // namespace onewindow::complaint
