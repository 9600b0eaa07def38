// After submission: approval's reports, supplements, withdrawal, results
// and their delivery.
#include "absl/strings/match.h"
#include "libs/outbox/batch_receiver.h"
#include "onewindow/approval/v1/approval.pb.h"
#include "onewindow/notification/v1/notification.pb.h"
#include "tests/unit/intake_fixture.h"

namespace onewindow::intake::test {
namespace {

using intake::v1::Application;

std::vector<std::string> NotificationTypes(World& w) {
  std::vector<std::string> types;
  for (const auto& [id, payload] : w.Events(kTopicNotify)) {
    notification::v1::NotifyRequest n;
    REQUIRE(n.ParseFromString(payload));
    types.push_back(n.event().type());
  }
  return types;
}

Application Fetch(World& w, const std::string& id) {
  auto a = w.applications->Get(Citizen("acc_a"), id);
  INFO(a.status().ToString());
  REQUIRE(a.ok());
  return *a;
}

TEST_CASE("approval's reports build the timeline and are applied once per event id") {
  World w;
  const Application a = w.SubmitComplete(Citizen("acc_a"), "k");
  const std::string id = a.application_id();
  const absl::Time due = kNow + absl::Hours(24 * 7);
  auto applied = w.Report(id, intake::v1::ACCEPTED, "evt-1", [&](auto& r) {
    *r.mutable_due_time() = store::ToProtoTime(due);
    r.set_case_id("case_1");
  });
  REQUIRE(applied.ok());
  CHECK(*applied);
  auto again = w.Report(id, intake::v1::ACCEPTED, "evt-1");
  REQUIRE(again.ok());
  CHECK_FALSE(*again);
  REQUIRE(w.Report(id, intake::v1::IN_REVIEW, "evt-2").ok());

  Application now = Fetch(w, id);
  CHECK(now.status() == intake::v1::IN_REVIEW);
  CHECK(now.case_id() == "case_1");
  CHECK(store::FromProtoTime(now.due_time()) == due);
  REQUIRE(now.timeline_size() == 3);
  CHECK(now.timeline(1).status() == intake::v1::ACCEPTED);
  CHECK(now.timeline(1).actor() == kDepartment);
  CHECK(now.timeline(2).status() == intake::v1::IN_REVIEW);
  // In review is not worth a message; acceptance is.
  CHECK(NotificationTypes(w) ==
        std::vector<std::string>{"application.submitted", "application.accepted"});
}

TEST_CASE("reports recorded together each get their own answer, a bad one failing alone") {
  World w;
  const Application a = w.SubmitComplete(Citizen("acc_a"), "k");
  const Application b = w.SubmitComplete(Citizen("acc_b"), "k");
  auto report = [](const std::string& event, const std::string& application,
                   intake::v1::ApplicationStatus status) {
    intake::v1::RecordTransitionRequest r;
    r.set_event_id(event);
    r.set_application_id(application);
    r.set_status(status);
    return r;
  };
  const std::vector<intake::v1::RecordTransitionRequest> batch = {
      report("e1", a.application_id(), intake::v1::ACCEPTED),
      report("e2", "app_missing", intake::v1::ACCEPTED),
      report("e3", b.application_id(), intake::v1::RESULT_ISSUED),  // Not before a decision.
      report("e4", b.application_id(), intake::v1::ACCEPTED),
      report("e1", a.application_id(), intake::v1::ACCEPTED)};
  const auth::v1::Principal approval = Service("approval");
  std::vector<char> applied(batch.size(), 0);
  api::v1::HandoffResults results;
  outbox::ApplyEach(
      batch.size(),
      [&](size_t i, outbox::Done done) {
        w.applications->RecordTransitionAsync(approval, batch[i],
                                              [&applied, i, done](absl::StatusOr<bool> r) {
                                                if (r.ok()) applied[i] = *r;
                                                done(r.status());
                                              });
      },
      log::Logger::Stderr("test"), &results);
  REQUIRE(results.results_size() == 5);
  CHECK(results.results(0).code() == 0);
  CHECK(results.results(1).code() == static_cast<int>(absl::StatusCode::kNotFound));
  CHECK(results.results(2).code() == static_cast<int>(absl::StatusCode::kFailedPrecondition));
  CHECK(results.results(3).code() == 0);
  CHECK(results.results(4).code() == 0);
  CHECK(applied == std::vector<char>{1, 0, 0, 1, 0});
  CHECK(Fetch(w, a.application_id()).status() == intake::v1::ACCEPTED);
  CHECK(w.applications->Get(Citizen("acc_b"), b.application_id())->status() ==
        intake::v1::ACCEPTED);
  // The refused report left nothing: e3 was not marked seen.
  CHECK(w.Count("SELECT COUNT(*) FROM transition_events WHERE event_id = 'e3'") == 0);
}

TEST_CASE("only services report transitions, and only steps that can follow") {
  World w;
  const Application a = w.SubmitComplete(Citizen("acc_a"), "k");
  intake::v1::RecordTransitionRequest r;
  r.set_event_id("e");
  r.set_application_id(a.application_id());
  r.set_status(intake::v1::APPROVED);
  CHECK(w.applications->RecordTransition(Citizen("acc_a"), r).status().code() ==
        absl::StatusCode::kPermissionDenied);
  CHECK(w.applications->RecordTransition(Staff("s", kDepartment, "approver"), r).status().code() ==
        absl::StatusCode::kPermissionDenied);

  auto early = w.Report(a.application_id(), intake::v1::RESULT_ISSUED, "e1");
  CHECK(early.status().code() == absl::StatusCode::kFailedPrecondition);
  auto unknown = w.Report("app_missing", intake::v1::ACCEPTED, "e2");
  CHECK(unknown.status().code() == absl::StatusCode::kNotFound);
  auto empty = w.Report(a.application_id(), intake::v1::SUPPLEMENT_NEEDED, "e3");
  CHECK(empty.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(empty.status().message(), "supplement: required"));
  // A refused report leaves nothing behind, so a fixed one can follow.
  CHECK(Fetch(w, a.application_id()).timeline_size() == 1);
  CHECK(w.Count("SELECT COUNT(*) FROM transition_events") == 0);
}

TEST_CASE("a deadline more than ten years from its step is refused, not counted day by day") {
  World w;
  const Application a = w.SubmitComplete(Citizen("acc_a"), "k");
  const auto far = w.Report(a.application_id(), intake::v1::ACCEPTED, "e1", [](auto& r) {
    r.mutable_due_time()->set_seconds(9'000'000'000'000'000);
  });
  CHECK(far.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(far.status().message(), "due_time: more than 10 years"));
  CHECK(Fetch(w, a.application_id()).status() == intake::v1::SUBMITTED);

  const auto near = w.Report(a.application_id(), intake::v1::ACCEPTED, "e2", [&](auto& r) {
    *r.mutable_due_time() = store::ToProtoTime(kNow + absl::Hours(24 * 30));
  });
  REQUIRE(near.ok());
  CHECK(Fetch(w, a.application_id()).working_days_left() > 15);
}

TEST_CASE("a rejection carries its reason and how to appeal, and ends the clock") {
  World w;
  const Application a = w.SubmitComplete(Citizen("acc_a"), "k");
  REQUIRE(w.Report(a.application_id(), intake::v1::REJECTED, "e1", [](auto& r) {
             r.set_reason("经营场所不符合要求");
             r.set_appeal("可于六十日内申请行政复议，或六个月内提起行政诉讼");
           }).ok());
  Application now = Fetch(w, a.application_id());
  CHECK(now.status() == intake::v1::REJECTED);
  CHECK(now.status_reason() == "经营场所不符合要求");
  CHECK(absl::StrContains(now.appeal(), "行政复议"));
  CHECK_FALSE(now.has_due_time());
  CHECK(now.timeline(1).appeal() == now.appeal());
  // Nothing follows a rejection.
  CHECK(w.Report(a.application_id(), intake::v1::APPROVED, "e2").status().code() ==
        absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("the applicant supplies everything asked for and the case resumes") {
  World w;
  const auto citizen = Citizen("acc_a");
  const Application a = w.SubmitComplete(citizen, "k");
  const std::string id = a.application_id();
  REQUIRE(w.Report(id, intake::v1::SUPPLEMENT_NEEDED, "evt-s", [](auto& r) {
             auto* one = r.add_supplement();
             one->set_material_name("营业执照");
             one->set_reason("复印件不清晰");
             auto* two = r.add_supplement();
             two->set_material_name("场所平面图");
             two->set_reason("缺少");
           }).ok());
  Application waiting = Fetch(w, id);
  CHECK(waiting.status() == intake::v1::SUPPLEMENT_NEEDED);
  CHECK(waiting.pending_supplement_size() == 2);
  CHECK_FALSE(waiting.has_due_time());  // The clock stands still.

  const auto scan = w.Upload(citizen);
  const auto plan = w.Upload(citizen, PngBytes());
  intake::v1::SupplementApplicationRequest supply;
  supply.set_application_id(id);
  supply.set_request_id("sup-1");
  auto* m = supply.add_materials();
  m->set_material_name("营业执照");
  m->set_material_id(scan.material_id());

  SECTION("an answer missing an item names what is still missing") {
    auto partial = w.applications->Supplement(citizen, supply);
    CHECK(partial.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(absl::StrContains(partial.status().message(), "still missing: 场所平面图"));
  }
  SECTION("an answer to something not asked is refused") {
    auto* extra = supply.add_materials();
    extra->set_material_name("身份证");
    extra->set_material_id(plan.material_id());
    auto wrong = w.applications->Supplement(citizen, supply);
    CHECK(absl::StrContains(wrong.status().message(), "materials[1].material_name: not asked for"));
  }
  SECTION("an overlong key, overlong ids or too many files are refused before any lookup") {
    auto overlong = supply;
    overlong.set_request_id(std::string(129, 'k'));
    CHECK(absl::StrContains(w.applications->Supplement(citizen, overlong).status().message(),
                            "request_id: longer than 128 bytes"));
    auto long_id = supply;
    long_id.mutable_materials(0)->set_material_id(std::string(129, 'm'));
    const auto refused = w.applications->Supplement(citizen, long_id);
    CHECK(absl::StrContains(refused.status().message(),
                            "materials[0].material_id: longer than 128 bytes"));
    CHECK_FALSE(absl::StrContains(refused.status().message(), "no such upload"));
    auto many = supply;
    for (int i = 0; i < 50; ++i) *many.add_materials() = supply.materials(0);
    CHECK(absl::StrContains(w.applications->Supplement(citizen, many).status().message(),
                            "materials: 51 files, more than the 50"));
    CHECK(Fetch(w, id).status() == intake::v1::SUPPLEMENT_NEEDED);
  }
  SECTION("only the applicant supplements") {
    CHECK(w.applications->Supplement(Citizen("acc_b"), supply).status().code() ==
          absl::StatusCode::kNotFound);
  }
  SECTION("a complete answer resumes the case, once") {
    auto* second = supply.add_materials();
    second->set_material_name("场所平面图");
    second->set_material_id(plan.material_id());
    auto done = w.applications->Supplement(citizen, supply);
    INFO(done.status().ToString());
    REQUIRE(done.ok());
    CHECK(done->status() == intake::v1::SUPPLEMENTED);
    CHECK(done->pending_supplement_size() == 0);
    REQUIRE(done->materials_size() == 4);
    CHECK(done->materials(2).round() == 1);
    CHECK(done->materials(2).guide_material_id() == "licence");  // Mapped by name.
    CHECK(done->materials(3).guide_material_id().empty());
    CHECK(done->timeline().rbegin()->status() == intake::v1::SUPPLEMENTED);

    auto resumes = w.Events(kTopicResumeCase);
    REQUIRE(resumes.size() == 1);
    approval::v1::ResumeCaseRequest resume;
    REQUIRE(resume.ParseFromString(resumes[0].second));
    CHECK(resume.application_id() == id);
    CHECK(resume.supplied_materials_size() == 2);
    CHECK(NotificationTypes(w).back() == "application.supplemented");

    // The retry answers the same; a new key finds nothing to supplement.
    auto retry = w.applications->Supplement(citizen, supply);
    REQUIRE(retry.ok());
    CHECK(w.Events(kTopicResumeCase).size() == 1);
    supply.set_request_id("sup-2");
    CHECK(w.applications->Supplement(citizen, supply).status().code() ==
          absl::StatusCode::kFailedPrecondition);
    // The handling department may now read the new files too.
    CHECK(w.materials->Get(Staff("s", kDepartment, "reviewer"), plan.material_id()).ok());
  }
}

TEST_CASE("a list of materials too long for a notification is shortened, never refused") {
  World w;
  const Application a = w.SubmitComplete(Citizen("acc_a"), "k");
  // Two names of 667 three-byte characters: 4,005 bytes joined, over the
  // 4,000 notification takes.
  std::string long_name;
  for (int i = 0; i < 667; ++i) long_name += "材";
  REQUIRE(w.Report(a.application_id(), intake::v1::SUPPLEMENT_NEEDED, "evt-s", [&](auto& r) {
             r.add_supplement()->set_material_name(long_name);
             r.add_supplement()->set_material_name(long_name + "料");
           }).ok());
  const auto events = w.Events(kTopicNotify);
  REQUIRE(events.size() == 2);
  notification::v1::NotifyRequest n;
  REQUIRE(n.ParseFromString(events.back().second));
  CHECK(n.event().type() == "application.supplement_needed");
  const std::string& materials = n.event().params().at("materials");
  CHECK(materials.size() <= 4000);
  CHECK(materials.size() > 3990);
  CHECK(absl::StartsWith(materials, long_name + "、"));
  CHECK(absl::EndsWith(materials, "材…"));  // Whole characters only.
  // The whole list stays on the application.
  CHECK(Fetch(w, a.application_id()).pending_supplement(1).material_name() == long_name + "料");
}

TEST_CASE("the applicant withdraws before a decision, not after") {
  World w;
  const auto citizen = Citizen("acc_a");
  const Application a = w.SubmitComplete(citizen, "k");
  intake::v1::WithdrawApplicationRequest withdraw;
  withdraw.set_application_id(a.application_id());
  withdraw.set_reason("不再需要");

  SECTION("before a decision") {
    CHECK(w.applications->Withdraw(Citizen("acc_b"), withdraw, "r").status().code() ==
          absl::StatusCode::kNotFound);
    CHECK(
        w.applications->Withdraw(Staff("s", kDepartment, "clerk"), withdraw, "r").status().code() ==
        absl::StatusCode::kPermissionDenied);
    auto done = w.applications->Withdraw(citizen, withdraw, "r");
    INFO(done.status().ToString());
    REQUIRE(done.ok());
    CHECK(done->status() == intake::v1::WITHDRAWN);
    CHECK(done->status_reason() == "不再需要");
    CHECK(w.withdrawer.calls == 1);
    CHECK(w.withdrawer.last_application_id == a.application_id());
    CHECK(NotificationTypes(w).back() == "application.withdrawn");
    // Twice is still withdrawn, without asking approval again.
    REQUIRE(w.applications->Withdraw(citizen, withdraw, "r").ok());
    CHECK(w.withdrawer.calls == 1);
    // Approval confirming it later changes nothing.
    auto confirmed = w.Report(a.application_id(), intake::v1::WITHDRAWN, "e-w");
    REQUIRE(confirmed.ok());
    CHECK(Fetch(w, a.application_id()).timeline_size() == 2);
  }
  SECTION("approval has decided in the meantime") {
    w.withdrawer.answer = absl::FailedPreconditionError("decided");
    auto refused = w.applications->Withdraw(citizen, withdraw, "r");
    CHECK(refused.status().code() == absl::StatusCode::kFailedPrecondition);
    CHECK(Fetch(w, a.application_id()).status() == intake::v1::SUBMITTED);
  }
  SECTION("approval cannot be asked") {
    w.withdrawer.answer = absl::UnavailableError("down");
    CHECK(w.applications->Withdraw(citizen, withdraw, "r").status().code() ==
          absl::StatusCode::kUnavailable);
    CHECK(Fetch(w, a.application_id()).status() == intake::v1::SUBMITTED);
  }
  SECTION("after the decision reached intake") {
    REQUIRE(w.Report(a.application_id(), intake::v1::APPROVED, "e1").ok());
    auto refused = w.applications->Withdraw(citizen, withdraw, "r");
    CHECK(refused.status().code() == absl::StatusCode::kFailedPrecondition);
    CHECK(w.withdrawer.calls == 0);
  }
}

TEST_CASE("an issued licence joins the holder's wallet and electronic delivery is immediate") {
  World w;
  const auto citizen = Citizen("acc_a");
  const Application a = w.SubmitComplete(citizen, "k");
  REQUIRE(w.Report(a.application_id(), intake::v1::APPROVED, "e1").ok());
  REQUIRE(w.Report(a.application_id(), intake::v1::RESULT_ISSUED, "e2", [](auto& r) {
             r.mutable_result()->set_licence_type("food_licence");
             r.mutable_result()->set_number("JY14401060000001");
             r.mutable_result()->set_holder_id("someone_else");  // Ignored: the applicant holds it.
             *r.mutable_result()->mutable_valid_until() =
                 store::ToProtoTime(kNow + absl::Hours(24 * 365 * 5));
           }).ok());
  Application now = Fetch(w, a.application_id());
  CHECK(now.status() == intake::v1::DELIVERED);
  CHECK(now.delivery().delivered_by() == "system");
  REQUIRE_FALSE(now.licence_id().empty());
  CHECK(now.timeline(now.timeline_size() - 2).status() == intake::v1::RESULT_ISSUED);

  auto wallet = w.licences->List(citizen, {});
  REQUIRE(wallet.ok());
  REQUIRE(wallet->licences_size() == 1);
  const auto& licence = wallet->licences(0);
  CHECK(licence.licence_id() == now.licence_id());
  CHECK(licence.holder_id() == "acc_a");
  CHECK(licence.number() == "JY14401060000001");
  CHECK(licence.title() == a.item_name());
  CHECK(licence.issuer_department_id() == kDepartment);
  CHECK(licence.application_id() == a.application_id());
  CHECK(w.licences->Get(Citizen("acc_b"), licence.licence_id()).status().code() ==
        absl::StatusCode::kNotFound);
  auto other_wallet = w.licences->List(Citizen("acc_b"), {});
  REQUIRE(other_wallet.ok());
  CHECK(other_wallet->licences_size() == 0);
  const auto types = NotificationTypes(w);
  CHECK(types[types.size() - 2] == "application.result_issued");
  CHECK(types.back() == "application.delivered");
}

TEST_CASE("a clerk hands a result over at the window, or posts it with a tracking number") {
  World w;
  const auto clerk = Staff("acc_clerk", kDepartment, "clerk");
  auto at_window = [&](intake::v1::DeliveryMethod method, const std::string& key) {
    const auto citizen = Citizen("acc_a");
    auto request = w.CompleteRequest(citizen, key);
    request.set_delivery_method(method);
    request.set_postal_address("广州市天河区天河路1号");
    auto a = w.applications->Submit(citizen, request);
    REQUIRE(a.ok());
    REQUIRE(w.Report(a->application_id(), intake::v1::APPROVED, key + "-a").ok());
    REQUIRE(w.Report(a->application_id(), intake::v1::RESULT_ISSUED, key + "-r").ok());
    return *a;
  };
  const Application pickup = at_window(intake::v1::WINDOW_PICKUP, "k1");
  CHECK(Fetch(w, pickup.application_id()).status() == intake::v1::RESULT_ISSUED);
  intake::v1::DeliverResultRequest deliver;
  deliver.set_application_id(pickup.application_id());
  CHECK(w.applications->Deliver(Citizen("acc_a"), deliver).status().code() ==
        absl::StatusCode::kPermissionDenied);
  CHECK(w.applications->Deliver(Staff("x", kOtherDepartment, "clerk"), deliver).status().code() ==
        absl::StatusCode::kNotFound);
  auto handed = w.applications->Deliver(clerk, deliver);
  REQUIRE(handed.ok());
  CHECK(handed->status() == intake::v1::DELIVERED);
  CHECK(handed->delivery().delivered_by() == "acc_clerk");

  const Application posted = at_window(intake::v1::POST, "k2");
  deliver.set_application_id(posted.application_id());
  CHECK(w.applications->Deliver(clerk, deliver).status().code() ==
        absl::StatusCode::kInvalidArgument);
  auto overlong = deliver;
  overlong.set_tracking_number(std::string(65, '1'));
  overlong.set_note(std::string(1025, 'n'));
  const auto refused = w.applications->Deliver(clerk, overlong);
  CHECK(absl::StrContains(refused.status().message(), "tracking_number: longer than 64 bytes"));
  CHECK(absl::StrContains(refused.status().message(), "note: longer than 1024 bytes"));
  deliver.set_tracking_number("SF1234567890");
  auto sent = w.applications->Deliver(clerk, deliver);
  REQUIRE(sent.ok());
  CHECK(sent->delivery().tracking_number() == "SF1234567890");
  CHECK(absl::StrContains(sent->timeline().rbegin()->note(), "SF1234567890"));
}

TEST_CASE("application figures count every status, staff see only their department") {
  World w;
  w.SubmitComplete(Citizen("acc_a"), "key-1");
  w.SubmitComplete(Citizen("acc_b"), "key-2");
  auto count = [](const intake::v1::ApplicationStats& stats, intake::v1::ApplicationStatus s) {
    for (const auto& c : stats.statuses())
      if (c.status() == s) return c.count();
    return int64_t{-1};
  };
  auto all = w.applications->Stats(Service("ops"), {}, kNow);
  REQUIRE(all.ok());
  CHECK(all->total() == 2);
  CHECK(count(*all, intake::v1::SUBMITTED) == 2);
  CHECK(count(*all, intake::v1::APPROVED) == 0);  // Zeros are listed too.

  auto own = w.applications->Stats(Staff("clerk", kDepartment, {"clerk"}), {}, kNow);
  REQUIRE(own.ok());
  CHECK(own->total() == 2);
  intake::v1::GetApplicationStatsRequest other;
  other.set_department_id("11440000000000000X");
  CHECK(
      w.applications->Stats(Staff("clerk", kDepartment, {"clerk"}), other, kNow).status().code() ==
      absl::StatusCode::kPermissionDenied);
  CHECK(w.applications->Stats(Citizen("acc_a"), {}, kNow).status().code() ==
        absl::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace onewindow::intake::test
