// Work orders through their whole lifecycle on a FakeClock: receipt and
// deadlines, dispatch rules, returns, extensions, reopening, escalation,
// idempotent hotline ingest and who sees the complainant.
#include "absl/strings/match.h"
#include "tests/unit/complaint_fixture.h"

namespace onewindow::complaint::testing {
namespace {

using v1::WorkOrder;

std::vector<std::string> Actions(const WorkOrder& o) {
  std::vector<std::string> out;
  for (const auto& e : o.timeline()) out.push_back(e.action());
  return out;
}

absl::Time Due(const WorkOrder& o) { return store::FromProtoTime(o.due_time()); }

TEST_CASE(
    "a complaint is received with a number and a 5-working-day deadline that skips Qingming") {
  Fixture f;
  WorkOrder o = f.Complain();
  CHECK(o.state() == v1::RECEIVED);
  CHECK(o.channel() == v1::WEB);
  CHECK(o.number() == "WO20260402-000001");
  // Fri 3, (4-6 off), Tue 7, Wed 8, Thu 9, Fri 10: due at the end of 10 April.
  CHECK(Due(o) == Cst(2026, 4, 11));
  CHECK(f.Complain().number() == "WO20260402-000002");
  auto received = f.NotificationsOf("work_order.received");
  REQUIRE(received.size() == 2);
  CHECK(received[0].recipient_id() == "citizen-1");
  CHECK(received[0].params().at("work_order_number") == "WO20260402-000001");
}

TEST_CASE("deadlines per kind are configurable and urgent matters are due the same day") {
  Fixture f;
  f.policy.limit_days[v1::CONSULTATION] = 1;
  v1::SubmitWorkOrderRequest r;
  r.set_kind(v1::CONSULTATION);
  r.set_title("社保怎么转移？");
  auto citizen = Citizen("citizen-1");
  CHECK(Due(Fixture::Ok(f.intake->Submit(&citizen, r))) == Cst(2026, 4, 4));
  // A window clerk judges a walk-in's matter urgent.
  auth::v1::Principal clerk = Handler(kRoads);
  clerk.clear_roles();
  clerk.add_roles("clerk");
  r.set_urgent(true);
  CHECK(Due(Fixture::Ok(f.intake->Submit(&clerk, r))) == Cst(2026, 4, 3));
  auto parsed = ParseLimitDays("COMPLAINT=7, REPORT=0", f.policy.limit_days);
  REQUIRE(parsed.ok());
  CHECK(parsed->at(v1::COMPLAINT) == 7);
  CHECK(parsed->at(v1::REPORT) == 0);
  CHECK(parsed->at(v1::CONSULTATION) == 1);
  CHECK_FALSE(ParseLimitDays("GRUMBLE=3", {}).ok());
  CHECK_FALSE(ParseLimitDays("COMPLAINT=-1", {}).ok());
}

TEST_CASE(
    "filers online cannot mark a matter urgent, the dispatcher can and the deadline closes in") {
  Fixture f;
  v1::SubmitWorkOrderRequest r;
  r.set_kind(v1::COMPLAINT);
  r.set_title("噪音扰民");
  r.set_urgent(true);
  auto citizen = Citizen("citizen-1");
  auto by_citizen = f.intake->Submit(&citizen, r);
  CHECK(by_citizen.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(by_citizen.status().message(),
                          "urgent: the 12345 hotline, a window clerk or the dispatcher"));
  r.set_channel(v1::OPEN311);
  auth::v1::Principal open311;
  open311.set_kind(auth::v1::SERVICE);
  open311.set_subject("gateway");
  CHECK(f.intake->Submit(&open311, r).status().code() == absl::StatusCode::kInvalidArgument);
  r.clear_channel();
  r.set_kind(v1::REPORT);
  r.set_anonymous(true);
  CHECK(f.intake->Submit(nullptr, r).status().code() == absl::StatusCode::kInvalidArgument);

  // Filed on Thursday, due at the end of 10 April; judged urgent on Friday.
  const WorkOrder filed = f.Complain();
  CHECK_FALSE(filed.urgent());
  CHECK(Due(filed) == Cst(2026, 4, 11));
  f.clock.Advance(absl::Hours(24));
  v1::DispatchWorkOrderRequest dispatch;
  dispatch.set_work_order_id(filed.work_order_id());
  dispatch.set_department_id(kRoads);
  dispatch.set_urgent(true);
  const WorkOrder urgent = Fixture::Ok(f.lifecycle->Dispatch(Dispatcher(), dispatch));
  CHECK(urgent.urgent());
  CHECK(Due(urgent) == Cst(2026, 4, 4));
  CHECK(urgent.timeline().rbegin()->action() == "marked_urgent");
  auto dispatched = f.NotificationsOf("work_order.dispatched");
  REQUIRE_FALSE(dispatched.empty());
  CHECK(dispatched.back().urgent());

  // Transferred later, it keeps its deadline.
  f.clock.Advance(absl::Hours(2));
  dispatch.set_department_id(kHousing);
  CHECK(Due(Fixture::Ok(f.lifecycle->Dispatch(Dispatcher(), dispatch))) == Cst(2026, 4, 4));
}

TEST_CASE("a work order goes straight through to a satisfied callback and closes") {
  Fixture f;
  const std::string id = f.Complain().work_order_id();
  CHECK(f.Dispatch(id, kRoads).state() == v1::DISPATCHED);
  CHECK(f.SignFor(id, kRoads).state() == v1::SIGNED_FOR);
  CHECK(f.Handle(id, kRoads).state() == v1::HANDLED);
  f.clock.Advance(absl::Hours(2));
  WorkOrder replied = f.Reply(id, kRoads);
  CHECK(replied.state() == v1::REPLIED);
  CHECK(replied.replied_on_time());
  // The callback is due the working day after the reply (Friday 3 April).
  CHECK(store::FromProtoTime(replied.callback_due_time()) == Cst(2026, 4, 4));
  WorkOrder closed = f.Callback(id, f.principals["citizen-1"], v1::SATISFIED);
  CHECK(closed.state() == v1::CLOSED);
  CHECK(closed.callback_result() == v1::SATISFIED);
  CHECK(closed.has_close_time());
  CHECK(Actions(closed) == std::vector<std::string>{"received", "dispatched", "signed_for",
                                                    "handled", "replied", "callback", "closed"});

  auto dispatched = f.NotificationsOf("work_order.dispatched");
  REQUIRE(dispatched.size() == 1);
  CHECK(dispatched[0].recipient_id() == "dept:" + kRoads);
  CHECK(dispatched[0].params().at("due_date") == "2026-04-10");
  auto replies = f.NotificationsOf("work_order.replied");
  REQUIRE(replies.size() == 1);
  CHECK(replies[0].recipient_id() == "citizen-1");
  CHECK(replies[0].params().at("reply") == "经核查，已责令停工整改。");
  CHECK(f.NotificationsOf("work_order.callback_requested").size() == 1);
  // Every event id is unique (the outbox would refuse a duplicate anyway).
  std::set<std::string> ids;
  for (const auto& e : f.Notifications()) CHECK(ids.insert(e.event_id()).second);
}

TEST_CASE("steps out of order are refused and leave the order unchanged") {
  Fixture f;
  const std::string id = f.Complain().work_order_id();
  v1::ReplyWorkOrderRequest reply;
  reply.set_work_order_id(id);
  reply.set_reply("答复");
  CHECK(f.lifecycle->Reply(Handler(kRoads), reply).status().code() ==
        absl::StatusCode::kNotFound);  // Not theirs (yet).
  f.Dispatch(id, kRoads);
  CHECK(f.lifecycle->Reply(Handler(kRoads), reply).status().code() ==
        absl::StatusCode::kFailedPrecondition);
  v1::RecordCallbackRequest callback;
  callback.set_work_order_id(id);
  callback.set_result(v1::SATISFIED);
  CHECK(f.lifecycle->RecordCallback(f.principals["citizen-1"], callback).status().code() ==
        absl::StatusCode::kFailedPrecondition);
  auto now = Fixture::Ok(f.queries->Get(&f.principals["citizen-1"], id));
  CHECK(now.state() == v1::DISPATCHED);
  CHECK(Actions(now) == std::vector<std::string>{"received", "dispatched"});
}

TEST_CASE("only dispatchers dispatch, only the assigned department handles") {
  Fixture f;
  const std::string id = f.Complain().work_order_id();
  v1::DispatchWorkOrderRequest dispatch;
  dispatch.set_work_order_id(id);
  dispatch.set_department_id(kRoads);
  CHECK(f.lifecycle->Dispatch(Handler(kRoads), dispatch).status().code() ==
        absl::StatusCode::kPermissionDenied);
  CHECK(f.lifecycle->Dispatch(f.principals["citizen-1"], dispatch).status().code() ==
        absl::StatusCode::kPermissionDenied);
  f.Dispatch(id, kRoads);
  v1::SignForWorkOrderRequest sign;
  sign.set_work_order_id(id);
  // Another department cannot even tell the order exists.
  CHECK(f.lifecycle->SignFor(Handler(kHousing), sign).status().code() ==
        absl::StatusCode::kNotFound);
  // The complainant can see it but not act for the department.
  CHECK(f.lifecycle->SignFor(f.principals["citizen-1"], sign).status().code() ==
        absl::StatusCode::kPermissionDenied);
  auth::v1::Principal clerk = Handler(kRoads);
  clerk.clear_roles();
  clerk.add_roles("clerk");
  CHECK(f.lifecycle->SignFor(clerk, sign).status().code() == absl::StatusCode::kNotFound);
  dispatch.set_department_id("not-a-code");
  dispatch.clear_work_order_id();
  auto bad = f.lifecycle->Dispatch(Dispatcher(), dispatch);
  CHECK(bad.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(bad.status().message(), "work_order_id"));
  CHECK(absl::StrContains(bad.status().message(), "department_id"));
}

TEST_CASE("a dispatch rule places a new order without a dispatcher, others wait in the queue") {
  Fixture f;
  v1::DispatchRule rule;
  rule.set_region_code("440106000000");
  rule.set_target_department_id(kRoads);
  Fixture::Ok(f.rules->Put(rule));
  WorkOrder placed = f.Complain("citizen-1", "440106001001");  // A community in Tianhe.
  CHECK(placed.state() == v1::DISPATCHED);
  CHECK(placed.assigned_department_id() == kRoads);
  CHECK(f.NotificationsOf("work_order.dispatched").size() == 1);
  WorkOrder waiting = f.Complain("citizen-2", "440104000000");  // Yuexiu: no rule.
  CHECK(waiting.state() == v1::RECEIVED);
  auto queue = Fixture::Ok(f.queries->ListQueue(Dispatcher(), {}));
  REQUIRE(queue.work_orders_size() == 1);
  CHECK(queue.work_orders(0).work_order_id() == waiting.work_order_id());
  CHECK(f.queries->ListQueue(Handler(kRoads), {}).status().code() ==
        absl::StatusCode::kPermissionDenied);
}

TEST_CASE("the most specific dispatch rule wins, whatever order the rules are in") {
  WorkOrder o;
  o.set_kind(v1::COMPLAINT);
  o.set_implementation_code("XK00105001-" + kHousing);
  o.set_department_id(kHousing);
  o.set_category_code("noise");
  o.mutable_location()->set_region_code("440106001001");
  auto rule = [](std::string id, std::string target) {
    v1::DispatchRule r;
    r.set_rule_id(std::move(id));
    r.set_target_department_id(std::move(target));
    return r;
  };
  v1::DispatchRule province = rule("a", "P"), district = rule("b", "D"), category = rule("c", "C"),
                   department = rule("d", "DEP"), basic = rule("e", "B"), exact = rule("f", "X"),
                   other_kind = rule("g", "K");
  province.set_region_code("440000000000");
  district.set_region_code("440106000000");
  category.set_category_code("noise");
  department.set_department_id(kHousing);
  basic.set_item_code("XK00105001");
  exact.set_item_code("XK00105001-" + kHousing);
  other_kind.set_item_code("XK00105001-" + kHousing);
  other_kind.set_kind(v1::REPORT);
  std::vector<v1::DispatchRule> rules = {province, district};
  CHECK(MatchRule(rules, o)->target_department_id() == "D");
  rules.push_back(category);
  CHECK(MatchRule(rules, o)->target_department_id() == "C");
  rules.push_back(department);
  CHECK(MatchRule(rules, o)->target_department_id() == "DEP");
  rules.push_back(basic);
  CHECK(MatchRule(rules, o)->target_department_id() == "B");
  rules.insert(rules.begin(), exact);
  rules.push_back(other_kind);  // More specific, but the kind does not match.
  CHECK(MatchRule(rules, o)->target_department_id() == "X");
  o.mutable_location()->set_region_code("450100000000");
  CHECK_FALSE(MatchRule({province, district}, o).has_value());
}

TEST_CASE("a rule without criteria or a target is refused naming every problem") {
  Fixture f;
  v1::DispatchRule rule;
  rule.set_region_code("4401");
  auto put = f.rules->Put(rule);
  REQUIRE(put.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(put.status().message(), "target_department_id"));
  CHECK(absl::StrContains(put.status().message(), "region_code"));
  CHECK(f.rules->List().empty());
  CHECK(f.rules->Delete("dr_missing").code() == absl::StatusCode::kNotFound);
}

TEST_CASE("a mis-dispatched order is returned with its reason and re-dispatched elsewhere") {
  Fixture f;
  const std::string id = f.Complain().work_order_id();
  f.Dispatch(id, kRoads);
  f.SignFor(id, kRoads);
  v1::ReturnWorkOrderRequest ret;
  ret.set_work_order_id(id);
  auto no_reason = f.lifecycle->Return(Handler(kRoads), ret);
  CHECK(no_reason.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(no_reason.status().message(), "reason"));
  ret.set_reason("属住建部门职责");
  WorkOrder returned = Fixture::Ok(f.lifecycle->Return(Handler(kRoads), ret));
  CHECK(returned.state() == v1::RECEIVED);
  CHECK(returned.assigned_department_id().empty());
  CHECK(returned.return_count() == 1);
  CHECK(returned.timeline().rbegin()->note() == "属住建部门职责");
  // Back in the queue, and no longer visible to the department that returned it.
  auto queue = Fixture::Ok(f.queries->ListQueue(Dispatcher(), {}));
  REQUIRE(queue.work_orders_size() == 1);
  CHECK(f.queries->Get(&f.principals["citizen-1"], id).ok());
  auto roads = Handler(kRoads);
  CHECK(f.queries->Get(&roads, id).status().code() == absl::StatusCode::kNotFound);

  f.ThroughReply(id, kHousing);
  CHECK(f.Callback(id, Dispatcher(), v1::SATISFIED).state() == v1::CLOSED);
  // The citizen's deadline did not restart with the mis-dispatch.
  CHECK(Due(Fixture::Ok(f.queries->Get(&f.principals["citizen-1"], id))) == Cst(2026, 4, 11));
}

TEST_CASE("a return after the return window is refused") {
  Fixture f;
  const std::string id = f.Complain().work_order_id();
  f.Dispatch(id, kRoads);
  // Dispatched Thursday: the window covers Friday and Tuesday (after Qingming).
  f.clock.Set(Cst(2026, 4, 7, 23, 59));
  v1::ReturnWorkOrderRequest ret;
  ret.set_work_order_id(id);
  ret.set_reason("不属本部门");
  auto late = ret;
  f.clock.Set(Cst(2026, 4, 8, 9));
  auto refused = f.lifecycle->Return(Handler(kRoads), late);
  CHECK(refused.status().code() == absl::StatusCode::kFailedPrecondition);
  f.clock.Set(Cst(2026, 4, 7, 23, 59));
  CHECK(f.lifecycle->Return(Handler(kRoads), ret).ok());
}

TEST_CASE("a reopened order cannot be returned as mis-dispatched") {
  Fixture f;
  const std::string id = f.Complain().work_order_id();
  f.ThroughReply(id, kRoads);
  f.clock.Set(Cst(2026, 4, 3, 10));
  REQUIRE(f.Callback(id, f.principals["citizen-1"], v1::DISSATISFIED).state() == v1::DISPATCHED);
  // The next morning: inside a return window counted from the reopening.
  f.clock.Set(Cst(2026, 4, 7, 9));
  v1::ReturnWorkOrderRequest ret;
  ret.set_work_order_id(id);
  ret.set_reason("不属本部门");
  auto refused = f.lifecycle->Return(Handler(kRoads), ret);
  CHECK(refused.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(absl::StrContains(refused.status().message(), "reopened"));
  CHECK(Fixture::Ok(f.queries->Get(&f.principals["citizen-1"], id)).assigned_department_id() ==
        kRoads);
}

TEST_CASE("an approved extension moves the deadline by working days, refusals and the cap hold") {
  Fixture f;
  const std::string id = f.Complain().work_order_id();
  f.Dispatch(id, kRoads);
  v1::RequestExtensionRequest ask;
  ask.set_work_order_id(id);
  ask.set_days(3);
  ask.set_reason("需现场勘查");
  // Not before signing for.
  CHECK(f.lifecycle->RequestExtension(Handler(kRoads), ask).status().code() ==
        absl::StatusCode::kFailedPrecondition);
  f.SignFor(id, kRoads);
  WorkOrder pending = Fixture::Ok(f.lifecycle->RequestExtension(Handler(kRoads), ask));
  CHECK(pending.extension().state() == v1::EXTENSION_PENDING);
  CHECK(f.lifecycle->RequestExtension(Handler(kRoads), ask).status().code() ==
        absl::StatusCode::kFailedPrecondition);  // One pending at a time.
  v1::DecideExtensionRequest decide;
  decide.set_work_order_id(id);
  decide.set_approve(true);
  CHECK(f.lifecycle->DecideExtension(Handler(kRoads), decide).status().code() ==
        absl::StatusCode::kPermissionDenied);
  WorkOrder approved = Fixture::Ok(f.lifecycle->DecideExtension(Dispatcher(), decide));
  // 10 April + Mon 13, Tue 14, Wed 15.
  CHECK(Due(approved) == Cst(2026, 4, 16));
  CHECK(approved.extension_days_granted() == 3);
  CHECK(approved.extension().state() == v1::EXTENSION_APPROVED);

  ask.set_days(8);  // 3 + 8 > 10.
  auto capped = f.lifecycle->RequestExtension(Handler(kRoads), ask);
  CHECK(capped.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(capped.status().message(), "at most 7"));
  ask.set_days(2);
  Fixture::Ok(f.lifecycle->RequestExtension(Handler(kRoads), ask));
  decide.set_approve(false);
  auto no_note = f.lifecycle->DecideExtension(Dispatcher(), decide);
  CHECK(no_note.status().code() == absl::StatusCode::kInvalidArgument);  // Refusals say why.
  decide.set_note("可先行答复");
  WorkOrder refused = Fixture::Ok(f.lifecycle->DecideExtension(Dispatcher(), decide));
  CHECK(refused.extension().state() == v1::EXTENSION_REFUSED);
  CHECK(Due(refused) == Cst(2026, 4, 16));
  CHECK(f.lifecycle->DecideExtension(Dispatcher(), decide).status().code() ==
        absl::StatusCode::kFailedPrecondition);  // Nothing pending any more.

  // Each notice says which it was, and the refusal why.
  auto granted = f.NotificationsOf("work_order.extension_approved");
  REQUIRE(granted.size() == 1);
  CHECK(granted[0].params().at("due_date") == "2026-04-15");  // Its last day.
  auto denied = f.NotificationsOf("work_order.extension_refused");
  REQUIRE(denied.size() == 1);
  CHECK(denied[0].params().at("reason") == "可先行答复");
  CHECK(denied[0].recipient_id() == "dept:" + kRoads);
}

TEST_CASE("a dissatisfied callback reopens the order once, the second one closes it") {
  Fixture f;
  const std::string id = f.Complain().work_order_id();
  f.ThroughReply(id, kRoads);
  f.clock.Set(Cst(2026, 4, 3, 10));
  WorkOrder reopened = f.Callback(id, f.principals["citizen-1"], v1::DISSATISFIED);
  CHECK(reopened.state() == v1::DISPATCHED);
  CHECK(reopened.assigned_department_id() == kRoads);
  CHECK(reopened.reopen_count() == 1);
  // A fresh limit from the reopening: Tue 7 .. Mon 13.
  CHECK(Due(reopened) == Cst(2026, 4, 14));
  CHECK(f.NotificationsOf("work_order.dispatched").size() == 2);

  f.SignFor(id, kRoads);
  f.Handle(id, kRoads);
  f.Reply(id, kRoads);
  WorkOrder closed = f.Callback(id, f.principals["citizen-1"], v1::DISSATISFIED);
  CHECK(closed.state() == v1::CLOSED);
  CHECK(closed.callback_result() == v1::DISSATISFIED);
  CHECK(closed.reopen_count() == 1);
  auto a = Actions(closed);
  CHECK(std::count(a.begin(), a.end(), "reopened") == 1);
}

TEST_CASE("the callback is the complainant's or a dispatcher's to record") {
  Fixture f;
  const std::string id = f.Complain().work_order_id();
  f.ThroughReply(id, kRoads);
  v1::RecordCallbackRequest r;
  r.set_work_order_id(id);
  r.set_result(v1::SATISFIED);
  CHECK(f.lifecycle->RecordCallback(Handler(kRoads), r).status().code() ==
        absl::StatusCode::kPermissionDenied);  // A department may not grade itself.
  CHECK(f.lifecycle->RecordCallback(Citizen("citizen-2"), r).status().code() ==
        absl::StatusCode::kNotFound);
  r.set_result(v1::NOT_REACHABLE);
  CHECK(f.lifecycle->RecordCallback(f.principals["citizen-1"], r).status().code() ==
        absl::StatusCode::kPermissionDenied);
  CHECK(Fixture::Ok(f.lifecycle->RecordCallback(Dispatcher(), r)).state() == v1::CLOSED);
}

TEST_CASE("an overdue order gets one reminder on its last day and one notice after it") {
  Fixture f;
  const std::string id = f.Complain().work_order_id();
  f.Dispatch(id, kRoads);
  const std::string queued = f.Complain("citizen-2").work_order_id();  // Never dispatched.
  CHECK(Fixture::Ok(f.escalations->Sweep()).reminders == 0);

  f.clock.Set(Cst(2026, 4, 9, 23, 59));  // Thursday: not the last day yet.
  auto none = Fixture::Ok(f.escalations->Sweep());
  CHECK(none.reminders + none.notices == 0);
  f.clock.Set(Cst(2026, 4, 10, 8));  // Friday, the last day.
  auto reminders = Fixture::Ok(f.escalations->Sweep());
  CHECK(reminders.reminders == 2);
  CHECK(reminders.notices == 0);
  CHECK(Fixture::Ok(f.escalations->Sweep()).reminders == 0);  // Once only.

  f.clock.Set(Cst(2026, 4, 11, 0, 30));  // Past 24:00 of the last day.
  auto notices = Fixture::Ok(f.escalations->Sweep());
  CHECK(notices.notices == 2);
  CHECK(Fixture::Ok(f.escalations->Sweep()).notices == 0);

  auto escalated = f.NotificationsOf("work_order.escalated");
  REQUIRE(escalated.size() == 4);
  std::multiset<std::string> recipients;
  for (const auto& e : escalated) recipients.insert(e.recipient_id());
  CHECK(recipients.count("dept:" + kRoads) == 2);
  CHECK(recipients.count("dept:" + kCentre) == 2);  // The queued one goes to the centre.
  for (const auto& e : escalated) {
    CHECK(e.urgent() == (e.params().at("level") == "notice"));
  }
  WorkOrder o = Fixture::Ok(f.queries->Get(&f.principals["citizen-1"], id));
  CHECK(o.escalation_level() == 2);

  // A late reply is recorded as late.
  f.SignFor(id, kRoads);
  f.Handle(id, kRoads);
  CHECK_FALSE(f.Reply(id, kRoads).replied_on_time());
  CHECK(Fixture::Ok(f.queries->Get(&f.principals["citizen-2"], queued)).escalation_level() == 2);
}

TEST_CASE("an approved extension lifts the escalation and earns a new reminder") {
  Fixture f;
  const std::string id = f.Complain().work_order_id();
  f.Dispatch(id, kRoads);
  f.SignFor(id, kRoads);
  f.clock.Set(Cst(2026, 4, 10, 8));
  CHECK(Fixture::Ok(f.escalations->Sweep()).reminders == 1);
  v1::RequestExtensionRequest ask;
  ask.set_work_order_id(id);
  ask.set_days(2);
  ask.set_reason("待检测结果");
  Fixture::Ok(f.lifecycle->RequestExtension(Handler(kRoads), ask));
  v1::DecideExtensionRequest decide;
  decide.set_work_order_id(id);
  decide.set_approve(true);
  WorkOrder extended = Fixture::Ok(f.lifecycle->DecideExtension(Dispatcher(), decide));
  CHECK(extended.escalation_level() == 0);
  CHECK(Due(extended) == Cst(2026, 4, 15));
  f.clock.Set(Cst(2026, 4, 11, 1));  // The old deadline passes: nothing happens.
  auto quiet = Fixture::Ok(f.escalations->Sweep());
  CHECK(quiet.reminders + quiet.notices == 0);
  f.clock.Set(Cst(2026, 4, 14, 1));
  CHECK(Fixture::Ok(f.escalations->Sweep()).reminders == 1);
}

TEST_CASE("a repeated hotline ticket id creates one work order") {
  Fixture f;
  v1::IngestHotlineTicketRequest t;
  t.set_hotline_id("gz12345");
  t.set_hotline_ticket_id("T-20260402-0001");
  t.set_kind(v1::COMPLAINT);
  t.set_title("路灯不亮");
  t.set_caller_phone("13900139000");
  auth::v1::Principal hotline;
  hotline.set_kind(auth::v1::SERVICE);
  hotline.set_subject("gz12345");
  WorkOrder first = Fixture::Ok(f.intake->IngestHotline(hotline, t));
  WorkOrder again = Fixture::Ok(f.intake->IngestHotline(hotline, t));
  CHECK(again.work_order_id() == first.work_order_id());
  CHECK(again.number() == first.number());
  CHECK(first.channel() == v1::HOTLINE);
  CHECK(first.complainant().phone() == "13900139000");
  // Knowing a ticket id is not enough to learn who called.
  CHECK(again.complainant().phone().empty());
  CHECK(Fixture::Ok(f.intake->IngestHotline(Dispatcher(), t)).complainant().phone() ==
        "13900139000");
  // Another department's handler learns that the ticket exists, not what
  // it says.
  const auto not_theirs = f.intake->IngestHotline(Handler(kRoads), t);
  CHECK(not_theirs.status().code() == absl::StatusCode::kAlreadyExists);
  CHECK_FALSE(absl::StrContains(not_theirs.status().message(), first.title()));
  CHECK(absl::StrContains(not_theirs.status().message(), first.number()));
  CHECK(f.CountRows("SELECT COUNT(*) FROM work_orders") == 1);
  t.set_hotline_ticket_id("T-20260402-0002");
  CHECK(Fixture::Ok(f.intake->IngestHotline(hotline, t)).work_order_id() != first.work_order_id());
  t.set_hotline_id("sz12345");  // Another hotline may reuse the ticket id.
  Fixture::Ok(f.intake->IngestHotline(hotline, t));
  CHECK(f.CountRows("SELECT COUNT(*) FROM work_orders") == 3);
  // The centre marks a ticket urgent; a department's handler filing one
  // does not.
  v1::IngestHotlineTicketRequest urgent = t;
  urgent.set_hotline_ticket_id("T-20260402-0099");
  urgent.set_urgent(true);
  const auto by_department = f.intake->IngestHotline(Handler(kRoads), urgent);
  CHECK(by_department.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(by_department.status().message(), "urgent: the 12345 hotline"));
  CHECK(Fixture::Ok(f.intake->IngestHotline(hotline, urgent)).urgent());
  // Citizens cannot pose as a hotline.
  CHECK(f.intake->IngestHotline(Citizen("c"), t).status().code() ==
        absl::StatusCode::kPermissionDenied);
}

TEST_CASE("a hotline ticket with bad fields is refused naming every one") {
  Fixture f;
  v1::IngestHotlineTicketRequest t;
  t.set_caller_phone("12345");
  t.mutable_location()->mutable_coordinates()->set_latitude(123);
  auth::v1::Principal hotline;
  hotline.set_kind(auth::v1::SERVICE);
  hotline.set_subject("gz12345");
  auto bad = f.intake->IngestHotline(hotline, t);
  REQUIRE(bad.status().code() == absl::StatusCode::kInvalidArgument);
  for (const char* field : {"hotline_id", "hotline_ticket_id", "kind", "title", "caller_phone",
                            "location.coordinates.latitude"}) {
    INFO(field);
    CHECK(absl::StrContains(bad.status().message(), field));
  }
  CHECK_FALSE(absl::StrContains(bad.status().message(), "12345"));  // No personal data echoed.
  CHECK(f.CountRows("SELECT COUNT(*) FROM work_orders") == 0);
}

TEST_CASE("another citizen cannot see a complaint and handlers see a masked phone") {
  Fixture f;
  const std::string id = f.Complain().work_order_id();
  f.Dispatch(id, kRoads);
  const auth::v1::Principal other = Citizen("citizen-2");
  CHECK(f.queries->Get(&other, id).status().code() == absl::StatusCode::kNotFound);
  CHECK(f.queries->Get(nullptr, id).status().code() == absl::StatusCode::kNotFound);
  CHECK(Fixture::Ok(f.queries->ListMine(other, {})).work_orders_size() == 0);
  const auto housing = Handler(kHousing);
  CHECK(f.queries->Get(&housing, id).status().code() == absl::StatusCode::kNotFound);

  WorkOrder own = Fixture::Ok(f.queries->Get(&f.principals["citizen-1"], id));
  CHECK(own.complainant().phone() == "13800138000");
  CHECK(Fixture::Ok(f.queries->ListMine(f.principals["citizen-1"], {})).work_orders_size() == 1);
  const auto dispatcher = Dispatcher();
  WorkOrder seen_by_dispatcher = Fixture::Ok(f.queries->Get(&dispatcher, id));
  CHECK(seen_by_dispatcher.complainant().phone() == "13800138000");
  CHECK(seen_by_dispatcher.complainant().account_id() == "citizen-1");
  const auto roads = Handler(kRoads);
  WorkOrder seen_by_handler = Fixture::Ok(f.queries->Get(&roads, id));
  CHECK(seen_by_handler.complainant().phone() == "138****8000");
  CHECK(seen_by_handler.complainant().name() == "张三");
  const auto op = Operator();
  WorkOrder seen_by_operator = Fixture::Ok(f.queries->Get(&op, id));
  CHECK(seen_by_operator.complainant().phone().empty());
  CHECK(seen_by_operator.complainant().account_id().empty());
  CHECK(seen_by_operator.complainant().name().empty());
  CHECK(seen_by_operator.title() == "噪音扰民");
  auto dept_list = Fixture::Ok(f.queries->ListDepartment(roads, [] {
    v1::ListDepartmentWorkOrdersRequest r;
    r.set_department_id(kRoads);
    return r;
  }()));
  REQUIRE(dept_list.work_orders_size() == 1);
  CHECK(dept_list.work_orders(0).complainant().phone() == "138****8000");
  v1::ListDepartmentWorkOrdersRequest others;
  others.set_department_id(kRoads);
  CHECK(f.queries->ListDepartment(housing, others).status().code() ==
        absl::StatusCode::kPermissionDenied);
}

TEST_CASE("a report may be anonymous and then shows its filer to nobody else") {
  Fixture f;
  v1::SubmitWorkOrderRequest r;
  r.set_kind(v1::REPORT);
  r.set_title("某店销售假药");
  r.set_anonymous(true);
  r.set_contact_phone("13700137000");
  auto citizen = Citizen("citizen-1");
  WorkOrder filed = Fixture::Ok(f.intake->Submit(&citizen, r));
  const auto dispatcher = Dispatcher();
  WorkOrder seen = Fixture::Ok(f.queries->Get(&dispatcher, filed.work_order_id()));
  CHECK(seen.complainant().anonymous());
  CHECK(seen.complainant().account_id().empty());
  CHECK(seen.complainant().phone().empty());
  CHECK(seen.complainant().name().empty());
  // The filer can follow it.
  CHECK(Fixture::Ok(f.queries->Get(&citizen, filed.work_order_id())).complainant().phone() ==
        "13700137000");

  // Without a session, only an anonymous report is accepted, and nothing of
  // the filer is kept.
  WorkOrder nobody = Fixture::Ok(f.intake->Submit(nullptr, r));
  CHECK(nobody.complainant().phone().empty());
  r.set_anonymous(false);
  CHECK(f.intake->Submit(nullptr, r).status().code() == absl::StatusCode::kUnauthenticated);
  // A report may leave its kind to its category, signed in or not.
  v1::SubmitWorkOrderRequest by_category;
  by_category.set_category_code("illegal-activity");
  by_category.set_title("某店销售假药");
  by_category.set_anonymous(true);
  CHECK(Fixture::Ok(f.intake->Submit(nullptr, by_category)).kind() == v1::REPORT);
  by_category.set_category_code("suggestion");
  CHECK(f.intake->Submit(nullptr, by_category).status().code() ==
        absl::StatusCode::kUnauthenticated);
  r.set_kind(v1::COMPLAINT);
  r.set_anonymous(true);
  auto anonymous_complaint = f.intake->Submit(&citizen, r);
  CHECK(anonymous_complaint.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(anonymous_complaint.status().message(), "anonymous"));

  // Nobody to call back: the reply closes it.
  f.Dispatch(nobody.work_order_id(), kHousing);
  f.SignFor(nobody.work_order_id(), kHousing);
  f.Handle(nobody.work_order_id(), kHousing);
  WorkOrder closed = f.Reply(nobody.work_order_id(), kHousing);
  CHECK(closed.state() == v1::CLOSED);
  CHECK(closed.callback_result() == v1::NOT_REACHABLE);
}

TEST_CASE("a submission is idempotent on its request id per submitter") {
  Fixture f;
  v1::SubmitWorkOrderRequest r;
  r.set_request_id("idem-1");
  r.set_kind(v1::SUGGESTION);
  r.set_title("建议延长窗口服务时间");
  auto a = Citizen("citizen-1");
  auto b = Citizen("citizen-2");
  WorkOrder first = Fixture::Ok(f.intake->Submit(&a, r));
  CHECK(Fixture::Ok(f.intake->Submit(&a, r)).work_order_id() == first.work_order_id());
  CHECK(Fixture::Ok(f.intake->Submit(&b, r)).work_order_id() != first.work_order_id());
  CHECK(f.CountRows("SELECT COUNT(*) FROM work_orders") == 2);
}

TEST_CASE(
    "a category sets the kind and checks its attributes, and window staff file for walk-ins") {
  Fixture f;
  v1::SubmitWorkOrderRequest r;
  r.set_category_code("road-damage");
  r.set_title("路面塌陷");
  (*r.mutable_attributes())["severity"] = "catastrophic";
  (*r.mutable_attributes())["colour"] = "red";
  auto clerk = Handler(kRoads);
  clerk.clear_roles();
  clerk.add_roles("clerk");
  auto bad = f.intake->Submit(&clerk, r);
  REQUIRE(bad.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(bad.status().message(), "attributes.severity"));
  CHECK(absl::StrContains(bad.status().message(), "attributes.colour"));
  r.mutable_attributes()->erase("colour");
  (*r.mutable_attributes())["severity"] = "dangerous";
  r.set_contact_name("李四");
  r.set_contact_phone("13600136000");
  WorkOrder o = Fixture::Ok(f.intake->Submit(&clerk, r));
  CHECK(o.kind() == v1::COMPLAINT);
  CHECK(o.channel() == v1::WINDOW);
  // Staff who are not window clerks file nothing for anyone.
  auto approver = Handler(kRoads);
  approver.clear_roles();
  approver.add_roles("approver");
  CHECK(f.intake->Submit(&approver, r).status().code() == absl::StatusCode::kPermissionDenied);
  r.set_citizen_account_id(std::string(300, 'a'));
  CHECK(absl::StrContains(f.intake->Submit(&clerk, r).status().message(), "citizen_account_id"));
  r.clear_citizen_account_id();
  r.set_kind(v1::PRAISE);
  CHECK(f.intake->Submit(&clerk, r).status().code() == absl::StatusCode::kInvalidArgument);
  r.set_category_code("no-such");
  CHECK(f.intake->Submit(&clerk, r).status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("the dispatch queue pages oldest first") {
  Fixture f;
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(f.Complain(absl::StrCat("citizen-", i)).work_order_id());
    f.clock.Advance(absl::Minutes(1));
  }
  std::vector<std::string> seen;
  v1::ListDispatchQueueRequest r;
  r.set_page_size(2);
  do {
    auto page = Fixture::Ok(f.queries->ListQueue(Dispatcher(), r));
    for (const auto& o : page.work_orders()) seen.push_back(o.work_order_id());
    r.set_page_token(page.next_page_token());
  } while (!r.page_token().empty());
  CHECK(seen == ids);
  r.set_page_token("garbage!");
  CHECK(f.queries->ListQueue(Dispatcher(), r).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("only orders filed through Open311 are public, and without the complainant") {
  Fixture f;
  auth::v1::Principal gateway;
  gateway.set_kind(auth::v1::SERVICE);
  gateway.set_subject("gateway");
  v1::SubmitWorkOrderRequest r;
  r.set_category_code("streetlight");
  r.set_title("路灯不亮");
  r.set_description("The light at the corner is out");
  r.set_channel(v1::OPEN311);
  r.set_contact_email("someone@example.org");
  r.mutable_location()->mutable_coordinates()->set_latitude(23.13);
  r.mutable_location()->mutable_coordinates()->set_longitude(113.26);
  WorkOrder o = Fixture::Ok(f.intake->Submit(&gateway, r));
  CHECK(o.channel() == v1::OPEN311);
  auto pub = Fixture::Ok(f.queries->GetPublic(o.work_order_id()));
  CHECK(pub.category_name() == "路灯故障");
  CHECK(pub.description() == "The light at the corner is out");
  CHECK(pub.SerializeAsString().find("someone@example.org") == std::string::npos);
  const std::string web = f.Complain().work_order_id();
  CHECK(f.queries->GetPublic(web).status().code() == absl::StatusCode::kNotFound);
  v1::ListPublicWorkOrdersRequest list;
  CHECK(Fixture::Ok(f.queries->ListPublic(list)).work_orders_size() == 1);
  list.set_status(v1::ONLY_CLOSED);
  CHECK(Fixture::Ok(f.queries->ListPublic(list)).work_orders_size() == 0);
}

}  // namespace
}  // namespace onewindow::complaint::testing
