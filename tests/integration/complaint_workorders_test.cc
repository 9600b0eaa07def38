// The complaint service over gRPC as a real process: idempotent hotline
// ingest, a work order's lifecycle with the citizen told through the outbox
// and notification, privacy between citizens, and a bad rating opening one
// rectification order.
#include <catch2/catch.hpp>

#include "absl/strings/match.h"
#include "libs/testing/eventually.h"
#include "libs/testing/http_client.h"
#include "libs/testing/principals.h"
#include "tests/integration/complaint_fixture.h"

namespace onewindow::complaint_it {
namespace {

using Stub = v1::ComplaintService::Stub;

// Waits (bounded) for the relay to deliver: delivery is asynchronous by
// design, so the test polls the receiver rather than sleeping blindly.
notification::v1::ListInboxResponse InboxOf(ComplaintStack& s, const std::string& citizen,
                                            int at_least) {
  notification::v1::ListInboxResponse inbox;
  testing::Eventually(
      [&] {
        inbox.Clear();
        notification::v1::ListInboxRequest request;
        request.set_page_size(50);
        const grpc::Status status =
            s.notification->ListInbox(s.As(Citizen(citizen)).get(), request, &inbox);
        return status.ok() && inbox.messages_size() >= at_least;
      },
      absl::Seconds(20), absl::Milliseconds(100));
  return inbox;
}

TEST_CASE("a repeated hotline ticket id creates one work order") {
  ComplaintStack s;
  v1::IngestHotlineTicketRequest ticket;
  ticket.set_hotline_id("gz12345");
  ticket.set_hotline_ticket_id("T-0001");
  ticket.set_kind(v1::COMPLAINT);
  ticket.set_title("小区停水三天");
  ticket.set_caller_phone("13900139000");
  v1::WorkOrder first, again, other;
  const auto hotline = Service("gz12345-system");
  REQUIRE(s.Call(hotline, &Stub::IngestHotlineTicket, ticket, &first).ok());
  REQUIRE(s.Call(hotline, &Stub::IngestHotlineTicket, ticket, &again).ok());
  CHECK(again.work_order_id() == first.work_order_id());
  CHECK(again.number() == first.number());
  ticket.set_hotline_ticket_id("T-0002");
  REQUIRE(s.Call(hotline, &Stub::IngestHotlineTicket, ticket, &other).ok());
  CHECK(other.work_order_id() != first.work_order_id());

  v1::ListWorkOrdersResponse queue;
  REQUIRE(s.Call(Handler(kCentre), &Stub::ListDispatchQueue, v1::ListDispatchQueueRequest(), &queue)
              .ok());
  CHECK(queue.work_orders_size() == 2);
  // The dispatcher sees the caller's number in full, to call back.
  CHECK(queue.work_orders(0).complainant().phone() == "13900139000");

  v1::IngestHotlineTicketRequest bad;
  v1::WorkOrder ignored;
  grpc::Status refused = s.Call(hotline, &Stub::IngestHotlineTicket, bad, &ignored);
  CHECK(refused.error_code() == grpc::INVALID_ARGUMENT);
  CHECK(absl::StrContains(refused.error_message(), "hotline_ticket_id"));
  CHECK(absl::StrContains(refused.error_message(), "title"));
  CHECK(s.complaint->IngestHotlineTicket(s.As(Citizen("c")).get(), ticket, &ignored).error_code() ==
        grpc::PERMISSION_DENIED);
}

TEST_CASE("a complaint goes through its lifecycle over gRPC and the citizen hears of it") {
  ComplaintStack s;
  v1::SubmitWorkOrderRequest submit;
  submit.set_category_code("noise");
  submit.set_title("夜间施工噪音");
  submit.set_description("每晚十一点后仍在施工");
  submit.set_contact_phone("13800138000");
  submit.mutable_location()->set_region_code("440106001001");
  v1::WorkOrder order;
  REQUIRE(s.Call(Citizen("citizen-1"), &Stub::SubmitWorkOrder, submit, &order).ok());
  CHECK(order.state() == v1::RECEIVED);
  CHECK(order.kind() == v1::COMPLAINT);
  const std::string id = order.work_order_id();

  // Another citizen cannot see it, nor can another department.
  v1::GetWorkOrderRequest get;
  get.set_work_order_id(id);
  v1::WorkOrder seen;
  CHECK(s.Call(Citizen("citizen-2"), &Stub::GetWorkOrder, get, &seen).error_code() ==
        grpc::NOT_FOUND);
  CHECK(s.Call(Handler(kHousing), &Stub::GetWorkOrder, get, &seen).error_code() == grpc::NOT_FOUND);
  CHECK(s.complaint->GetWorkOrder(s.As(Citizen("citizen-2")).get(), get, &seen).error_code() ==
        grpc::NOT_FOUND);

  // Dispatched wrongly, returned, dispatched again.
  v1::DispatchWorkOrderRequest dispatch;
  dispatch.set_work_order_id(id);
  dispatch.set_department_id(kHousing);
  REQUIRE(s.Call(Handler(kCentre), &Stub::DispatchWorkOrder, dispatch, &order).ok());
  v1::ReturnWorkOrderRequest ret;
  ret.set_work_order_id(id);
  ret.set_reason("噪音属生态环境部门");
  REQUIRE(s.Call(Handler(kHousing), &Stub::ReturnWorkOrder, ret, &order).ok());
  CHECK(order.state() == v1::RECEIVED);
  dispatch.set_department_id(kRoads);
  REQUIRE(s.Call(Handler(kCentre), &Stub::DispatchWorkOrder, dispatch, &order).ok());
  v1::SignForWorkOrderRequest sign;
  sign.set_work_order_id(id);
  REQUIRE(s.Call(Handler(kRoads), &Stub::SignForWorkOrder, sign, &order).ok());
  // The department sees who complained, with the phone masked.
  REQUIRE(s.Call(Handler(kRoads), &Stub::GetWorkOrder, get, &seen).ok());
  CHECK(seen.complainant().phone() == "138****8000");

  v1::RequestExtensionRequest ask;
  ask.set_work_order_id(id);
  ask.set_days(2);
  ask.set_reason("需夜间蹲守取证");
  REQUIRE(s.Call(Handler(kRoads), &Stub::RequestExtension, ask, &order).ok());
  v1::DecideExtensionRequest decide;
  decide.set_work_order_id(id);
  decide.set_approve(true);
  REQUIRE(s.Call(Handler(kCentre), &Stub::DecideExtension, decide, &order).ok());
  CHECK(order.extension_days_granted() == 2);

  v1::HandleWorkOrderRequest handle;
  handle.set_work_order_id(id);
  handle.set_note("已约谈施工单位");
  REQUIRE(s.Call(Handler(kRoads), &Stub::HandleWorkOrder, handle, &order).ok());
  v1::ReplyWorkOrderRequest reply;
  reply.set_work_order_id(id);
  reply.set_reply("已责令22点后停止施工");
  REQUIRE(s.Call(Handler(kRoads), &Stub::ReplyWorkOrder, reply, &order).ok());
  CHECK(order.state() == v1::REPLIED);

  // Not satisfied: reopened once, handled again, then closed.
  v1::RecordCallbackRequest callback;
  callback.set_work_order_id(id);
  callback.set_result(v1::DISSATISFIED);
  REQUIRE(s.Call(Citizen("citizen-1"), &Stub::RecordCallback, callback, &order).ok());
  CHECK(order.state() == v1::DISPATCHED);
  CHECK(order.reopen_count() == 1);
  REQUIRE(s.Call(Handler(kRoads), &Stub::SignForWorkOrder, sign, &order).ok());
  REQUIRE(s.Call(Handler(kRoads), &Stub::HandleWorkOrder, handle, &order).ok());
  REQUIRE(s.Call(Handler(kRoads), &Stub::ReplyWorkOrder, reply, &order).ok());
  callback.set_result(v1::SATISFIED);
  REQUIRE(s.Call(Citizen("citizen-1"), &Stub::RecordCallback, callback, &order).ok());
  CHECK(order.state() == v1::CLOSED);

  v1::ListWorkOrdersResponse mine;
  REQUIRE(
      s.Call(Citizen("citizen-1"), &Stub::ListMyWorkOrders, v1::ListMyWorkOrdersRequest(), &mine)
          .ok());
  REQUIRE(mine.work_orders_size() == 1);
  CHECK(mine.work_orders(0).work_order_id() == id);

  // received, replied twice, callback requested twice: through the outbox.
  auto inbox = InboxOf(s, "citizen-1", 5);
  INFO(s.stack->Logs("complaint"));
  CHECK(inbox.messages_size() >= 5);

  v1::GetSupervisionReportRequest report_request;
  v1::SupervisionReport report;
  const auto op = testing::MakePrincipal(auth::v1::OPERATOR, "op");
  REQUIRE(s.Call(op, &Stub::GetSupervisionReport, report_request, &report).ok());
  CHECK(report.total().received() == 1);
  CHECK(report.total().reopened() == 1);
  CHECK(report.total().satisfied() == 1);
}

TEST_CASE("a bad rating opens exactly one rectification order, even sent twice") {
  ComplaintStack s;
  {
    std::lock_guard<std::mutex> lock(s.intake.mu);
    intake::v1::Application app;
    app.set_application_id("app-1");
    app.set_number("SQ20260402-000001");
    app.set_applicant_id("citizen-1");
    app.set_implementation_code("XK00105001-" + kHousing);
    app.set_status(intake::v1::DELIVERED);
    s.intake.apps["app-1"] = app;
    app.set_application_id("app-2");
    app.set_status(intake::v1::IN_REVIEW);
    s.intake.apps["app-2"] = app;
  }
  v1::RateApplicationRequest rate;
  rate.set_application_id("app-1");
  rate.set_level(1);
  rate.set_text("来回跑了三次");
  v1::Rating first, second;
  REQUIRE(s.Call(Citizen("citizen-1"), &Stub::RateApplication, rate, &first).ok());
  REQUIRE(s.Call(Citizen("citizen-1"), &Stub::RateApplication, rate, &second).ok());
  CHECK(second.rating_id() == first.rating_id());
  REQUIRE_FALSE(first.rectification_work_order_id().empty());
  CHECK(second.rectification_work_order_id() == first.rectification_work_order_id());
  CHECK(first.department_id() == kHousing);
  CHECK(first.item_name() == "不动产登记");

  v1::ListDepartmentWorkOrdersRequest list;
  list.set_department_id(kHousing);
  v1::ListWorkOrdersResponse housing;
  REQUIRE(s.Call(Handler(kHousing), &Stub::ListDepartmentWorkOrders, list, &housing).ok());
  REQUIRE(housing.work_orders_size() == 1);
  CHECK(housing.work_orders(0).kind() == v1::RECTIFICATION);
  CHECK(housing.work_orders(0).rating_id() == first.rating_id());

  v1::Rating refused;
  CHECK(s.Call(Citizen("citizen-2"), &Stub::RateApplication, rate, &refused).error_code() ==
        grpc::NOT_FOUND);
  rate.set_application_id("app-2");
  CHECK(s.Call(Citizen("citizen-1"), &Stub::RateApplication, rate, &refused).error_code() ==
        grpc::FAILED_PRECONDITION);

  // The statistics are public and carry no person.
  auto stats =
      testing::HttpGet(s.stack->gateway_port(), "/api/v1/rating-stats?groupBy=BY_DEPARTMENT");
  REQUIRE(stats.ok());
  INFO(stats->body);
  CHECK(stats->status == 200);
  CHECK(absl::StrContains(stats->body, kHousing));
  CHECK_FALSE(absl::StrContains(stats->body, "citizen-1"));
}

}  // namespace
}  // namespace onewindow::complaint_it
