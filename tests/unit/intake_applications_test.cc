// Submission: validation against the guide, idempotency, licence reuse,
// numbers, who may read what, and the events a submission leaves behind.
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/synchronization/notification.h"
#include "onewindow/approval/v1/approval.pb.h"
#include "onewindow/notification/v1/notification.pb.h"
#include "services/intake/intake_metrics.h"
#include "tests/unit/intake_fixture.h"

namespace onewindow::intake::test {
namespace {

using intake::v1::Application;

void RequireInvalid(const absl::StatusOr<Application>& result,
                    std::initializer_list<const char*> mentions) {
  INFO(result.status().ToString());
  REQUIRE(result.status().code() == absl::StatusCode::kInvalidArgument);
  for (const char* m : mentions) {
    INFO(m);
    CHECK(absl::StrContains(result.status().message(), m));
  }
}

// The business licence the guide's "licence" material accepts, held by
// `holder`.
intake::v1::Licence BusinessLicence(const std::string& holder) {
  intake::v1::Licence held;
  held.set_licence_type(kLicenceType);
  held.set_number("91440101MA5CXXXX1A");
  held.set_holder_id(holder);
  held.set_title("营业执照");
  held.set_issuer_department_id(kOtherDepartment);
  return held;
}

TEST_CASE("a complete online application gets a number, a timeline and hand-off events") {
  World w;
  const auto citizen = Citizen("acc_a");
  Application a = w.SubmitComplete(citizen, "key-1");
  CHECK(absl::StartsWith(a.application_id(), "app_"));
  CHECK(a.number() == "SQ20260105-000001");
  CHECK(a.status() == intake::v1::SUBMITTED);
  CHECK(a.applicant_id() == "acc_a");
  CHECK(a.submitted_by() == "acc_a");
  CHECK(a.channel() == intake::v1::ONLINE);
  CHECK(a.applicant_kind() == catalog::v1::NATURAL_PERSON);
  CHECK(a.department_id() == kDepartment);
  CHECK(a.item_name() == "食品经营许可（新办）");
  CHECK(a.delivery().method() == intake::v1::ELECTRONIC);
  REQUIRE(a.materials_size() == 2);
  CHECK(a.materials(0).source() == intake::v1::UPLOADED);
  CHECK(a.materials(0).name() == "申请表");
  CHECK(a.materials(1).content_type() == "image/png");
  REQUIRE(a.timeline_size() == 1);
  CHECK(a.timeline(0).status() == intake::v1::SUBMITTED);
  CHECK(a.timeline(0).actor() == "acc_a");

  // Five working days promised from Monday: due at the end of Monday the 12th.
  CHECK(store::FromProtoTime(a.due_time()) ==
        absl::FromCivil(absl::CivilDay(2026, 1, 13), workday::ChinaStandardTime()));
  CHECK(a.working_days_left() == Approx(5.6));

  Application second = w.SubmitComplete(citizen, "key-2");
  CHECK(second.number() == "SQ20260105-000002");

  auto open = w.Events(kTopicOpenCase);
  REQUIRE(open.size() == 2);
  approval::v1::OpenCaseRequest handed;
  REQUIRE(handed.ParseFromString(open[0].second));
  CHECK(handed.application_id() == a.application_id());
  CHECK(handed.event_id() == open[0].first);
  CHECK(handed.application_number() == a.number());
  CHECK(handed.department_id() == kDepartment);
  CHECK(handed.applicant_id() == "acc_a");
  CHECK(handed.channel() == "online");
  CHECK(handed.catalog_revision() == 1);
  auto notes = w.Events(kTopicNotify);
  REQUIRE(notes.size() == 2);
  notification::v1::NotifyRequest told;
  REQUIRE(told.ParseFromString(notes[0].second));
  CHECK(told.event().type() == "application.submitted");
  CHECK(told.event().recipient_id() == "acc_a");
  CHECK(told.event().params().at("number") == a.number());
  CHECK(told.event().params().at("item_name") == a.item_name());
  CHECK(told.event().params().at("due_date") == "2026-01-12");
}

TEST_CASE("a submission missing several required materials names all of them at once") {
  World w;
  intake::v1::SubmitApplicationRequest r = World::Request("k", "");
  r.clear_materials();
  RequireInvalid(w.applications->Submit(Citizen("acc_a"), r),
                 {"materials: missing required materials", "申请表 (form)", "营业执照 (licence)"});
  CHECK(w.Count("SELECT COUNT(*) FROM applications") == 0);
  CHECK(w.Count("SELECT COUNT(*) FROM outbox") == 0);
}

TEST_CASE("request problems are all reported together, before anything is looked up") {
  World w;
  w.guides.SetUnavailable(true);
  intake::v1::SubmitApplicationRequest r;
  r.add_materials();
  r.set_delivery_method(intake::v1::POST);
  (*r.mutable_form())["big"] = std::string(9000, 'x');
  RequireInvalid(
      w.applications->Submit(Citizen("acc_a"), r),
      {"request_id: required", "implementation_code: required", "catalog_revision: required",
       "materials[0].guide_material_id: required", "materials[0].material_id: required",
       "postal_address: required", "form.big: longer than"});
}

TEST_CASE("a request's own problems and what its guide refuses come in one answer") {
  World w;
  const auto citizen = Citizen("acc_a");
  auto r = World::Request("k", w.Upload(citizen).material_id());
  r.set_delivery_method(intake::v1::POST);
  RequireInvalid(w.applications->Submit(citizen, r),
                 {"postal_address: required for delivery by post",
                  "materials: missing required materials: 营业执照 (licence)"});
  r.set_catalog_revision(9);
  RequireInvalid(w.applications->Submit(citizen, r),
                 {"postal_address: required for delivery by post",
                  "implementation_code, catalog_revision: implementation", "has no revision 9"});

  // A field refused on its own is not judged again from its placeholder.
  const auto clerk = Staff("acc_clerk", kOtherDepartment, "clerk");
  auto desk = World::Request("desk", w.Upload(clerk, PdfBytes(), "acc_walkin").material_id());
  desk.set_applicant_id("acc_walkin");
  const auto refused = w.applications->Submit(clerk, desk);
  RequireInvalid(refused, {"applicant_kind: required", "营业执照 (licence)"});
  CHECK_FALSE(absl::StrContains(refused.status().message(), "does not take applications"));
  // Without the applicant, whose uploads they are cannot be told: no
  // upload is called missing.
  // What the guide says alone still comes.
  desk.clear_applicant_id();
  auto* passport = desk.add_materials();
  passport->set_guide_material_id("passport");
  passport->set_material_id("mat_x");
  const auto no_applicant = w.applications->Submit(clerk, desk);
  RequireInvalid(no_applicant,
                 {"applicant_id: required", "materials[1].guide_material_id: not a material"});
  CHECK_FALSE(absl::StrContains(no_applicant.status().message(), "no such upload"));
  CHECK_FALSE(absl::StrContains(no_applicant.status().message(), "missing required"));
  // A material no licence covers is missing whoever applies, and is said.
  desk.mutable_materials()->DeleteSubrange(0, 1);
  const auto no_form = w.applications->Submit(clerk, desk);
  RequireInvalid(no_form, {"applicant_id: required", "missing required materials: 申请表 (form)"});
  CHECK_FALSE(absl::StrContains(no_form.status().message(), "营业执照"));
  CHECK(w.Count("SELECT COUNT(*) FROM applications") == 0);
}

TEST_CASE("more attachments than an application may have is one problem, no upload looked up") {
  MaterialLimits limits;
  limits.max_materials_per_application = 3;
  World w(limits);
  w.guides.SetUnavailable(true);
  auto r = World::Request("k", "mat_1", "mat_2");
  for (int i = 0; i < 2; ++i) {
    auto* m = r.add_materials();
    m->set_guide_material_id("form");
    m->set_material_id(absl::StrCat("mat_unknown_", i));
  }
  const auto result = w.applications->Submit(Citizen("acc_a"), r);
  RequireInvalid(result, {"materials: 4 files, more than the 3 an application may have"});
  CHECK_FALSE(absl::StrContains(result.status().message(), "materials["));
  CHECK(w.Count("SELECT COUNT(*) FROM applications") == 0);
}

TEST_CASE("unknown enum values and overlong ids are refused naming the field") {
  World w;
  w.guides.SetUnavailable(true);
  const auto clerk = Staff("acc_clerk", kOtherDepartment, "clerk");
  auto r = World::Request(std::string(129, 'k'), std::string(129, 'm'));
  r.mutable_materials(0)->set_guide_material_id(std::string(129, 'g'));
  r.set_applicant_id(std::string(129, 'a'));
  r.set_applicant_kind(static_cast<catalog::v1::ApplicantKind>(42));
  r.set_delivery_method(static_cast<intake::v1::DeliveryMethod>(43));
  RequireInvalid(w.applications->Submit(clerk, r),
                 {"request_id: longer than 128 bytes", "applicant_id: longer than 128 bytes",
                  "applicant_kind: unknown value 42", "delivery_method: unknown value 43",
                  "materials[0].guide_material_id: longer than 128 bytes",
                  "materials[0].material_id: longer than 128 bytes"});

  (*r.mutable_form())[std::string(200, 'f')] = "x";
  (*r.mutable_form())[""] = "y";
  RequireInvalid(w.applications->Submit(clerk, r),
                 {"form.ffffffffffffffffffffffffffffffff…: name longer than 128 bytes",
                  "form: a field has an empty name"});
  CHECK(w.Count("SELECT COUNT(*) FROM applications") == 0);
}

TEST_CASE("each problem against the guide is named with its field") {
  World w;
  const auto citizen = Citizen("acc_a");
  const auto mine = w.Upload(citizen);
  const auto theirs = w.Upload(Citizen("acc_b"));

  SECTION("an unknown revision") {
    auto r = World::Request("k", mine.material_id(), mine.material_id());
    r.set_catalog_revision(9);
    RequireInvalid(w.applications->Submit(citizen, r),
                   {"implementation_code, catalog_revision: implementation", "has no revision 9"});
  }
  SECTION("an unknown item") {
    auto r = World::Request("k", mine.material_id(), mine.material_id());
    r.set_implementation_code("11440100MB2C00000X4440200300199");
    RequireInvalid(w.applications->Submit(citizen, r),
                   {"implementation_code, catalog_revision: implementation "
                    "11440100MB2C00000X4440200300199 not found"});
  }
  SECTION("a material not in the guide, someone else's upload, one upload twice") {
    auto r = World::Request("k", mine.material_id(), theirs.material_id());
    auto* extra = r.add_materials();
    extra->set_guide_material_id("passport");
    extra->set_material_id(mine.material_id());
    auto* twice = r.add_materials();
    twice->set_guide_material_id("photo");
    twice->set_material_id(mine.material_id());
    RequireInvalid(w.applications->Submit(citizen, r),
                   {"materials[1].material_id: no such upload",
                    "materials[2].guide_material_id: not a material of this guide",
                    "materials[3].material_id: attached twice",
                    "missing required materials: 营业执照 (licence)"});
  }
  SECTION("an applicant kind the item does not take") {
    catalog::v1::Implementation only_people = TestImplementation(2);
    only_people.clear_applicant_kinds();
    only_people.add_applicant_kinds(catalog::v1::NATURAL_PERSON);
    w.guides.Put(only_people);
    const auto company = Enterprise("ent_1");
    const auto upload = w.Upload(company);
    auto r = World::Request("k", upload.material_id(), upload.material_id());
    r.set_catalog_revision(2);
    RequireInvalid(w.applications->Submit(company, r), {"applicant_kind", "legal persons"});
  }
  SECTION("a channel the item does not offer") {
    catalog::v1::Implementation info_only = TestImplementation(2);
    info_only.mutable_guide()->set_online_depth(catalog::v1::INFORMATION_ONLY);
    w.guides.Put(info_only);
    auto r = World::Request("k", mine.material_id());
    r.set_catalog_revision(2);
    RequireInvalid(w.applications->Submit(citizen, r),
                   {"channel: the item takes no applications online"});
    r.set_channel(intake::v1::WINDOW);
    RequireInvalid(w.applications->Submit(citizen, r), {"channel: applicants apply online"});
  }
  SECTION("a withdrawn item") {
    catalog::v1::Implementation withdrawn = TestImplementation(2);
    withdrawn.set_state(catalog::v1::WITHDRAWN);
    w.guides.Put(withdrawn);
    auto r = World::Request("k", mine.material_id());
    r.set_catalog_revision(2);
    RequireInvalid(w.applications->Submit(citizen, r), {"the item is withdrawn"});
  }
  SECTION("more bytes than an application may hold") {
    World small({20 << 20, 30, 50});
    const auto a = small.Upload(citizen, PdfBytes("twenty bytes"));
    const auto b = small.Upload(citizen, PdfBytes("twenty more"));
    RequireInvalid(
        small.applications->Submit(citizen, World::Request("k", a.material_id(), b.material_id())),
        {"bytes in all, more than the 30"});
  }
  SECTION("the catalog being down is not the applicant's fault") {
    w.guides.SetUnavailable(true);
    auto s = w.applications->Submit(citizen, World::Request("k", mine.material_id()));
    CHECK(s.status().code() == absl::StatusCode::kUnavailable);
  }
}

TEST_CASE("the same idempotency key answers with the same application") {
  World w;
  const auto citizen = Citizen("acc_a");
  const auto request = w.CompleteRequest(citizen, "key-1");
  bool created = false;
  auto first = w.applications->Submit(citizen, request, &created);
  REQUIRE(first.ok());
  CHECK(created);
  // Even with the catalog down, a retry gets its first answer.
  w.guides.SetUnavailable(true);
  auto again = w.applications->Submit(citizen, request, &created);
  REQUIRE(again.ok());
  CHECK_FALSE(created);  // Not counted as a new submission.
  CHECK(again->application_id() == first->application_id());
  CHECK(again->number() == first->number());
  CHECK(w.Count("SELECT COUNT(*) FROM applications") == 1);
  CHECK(w.Count("SELECT COUNT(*) FROM outbox WHERE topic = 'approval.open_case'") == 1);

  // Another applicant's identical key is theirs alone.
  w.guides.SetUnavailable(false);
  const auto other = Citizen("acc_b");
  const auto f2 = w.Upload(other);
  const auto l2 = w.Upload(other);
  auto theirs =
      w.applications->Submit(other, World::Request("key-1", f2.material_id(), l2.material_id()));
  REQUIRE(theirs.ok());
  CHECK(theirs->application_id() != first->application_id());
}

TEST_CASE("the same idempotency key with a different body is refused") {
  World w;
  const auto citizen = Citizen("acc_a");
  auto request = w.CompleteRequest(citizen, "key-1");
  REQUIRE(w.applications->Submit(citizen, request).ok());
  (*request.mutable_form())["shop_name"] = "新街面馆";
  auto other = w.applications->Submit(citizen, request);
  CHECK(other.status().code() == absl::StatusCode::kAlreadyExists);
  CHECK(absl::StrContains(other.status().message(), "request_id"));
}

TEST_CASE("twenty concurrent requests with one key create one application") {
  World w;
  const auto citizen = Citizen("acc_a");
  const auto request = w.CompleteRequest(citizen, "key-1");
  std::vector<absl::StatusOr<Application>> results(20);
  std::vector<std::thread> threads;
  for (int i = 0; i < 20; ++i) {
    threads.emplace_back([&, i] { results[i] = w.applications->Submit(citizen, request); });
  }
  for (auto& t : threads) t.join();
  for (const auto& r : results) {
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    CHECK(r->application_id() == results[0]->application_id());
    CHECK(r->number() == results[0]->number());
  }
  CHECK(w.Count("SELECT COUNT(*) FROM applications") == 1);
  CHECK(w.Count("SELECT COUNT(*) FROM timeline") == 1);
  CHECK(w.Count("SELECT COUNT(*) FROM outbox") == 2);
  CHECK(w.Count("SELECT last FROM application_numbers") == 1);
}

TEST_CASE("a retry gets its first answer even when the request would now be refused") {
  World w;
  const auto company = Enterprise("ent_1");
  intake::v1::Licence held = BusinessLicence("ent_1");
  *held.mutable_valid_until() = store::ToProtoTime(kNow + absl::Hours(1));
  REQUIRE(w.licences->Register(Service("demo-loader"), {held}).ok());
  const auto form = w.Upload(company);
  const auto request = World::Request("key-1", form.material_id());
  auto first = w.applications->Submit(company, request);
  REQUIRE(first.ok());

  // The licence that stood in for a material has expired since.
  w.clock.Advance(absl::Hours(2));
  RequireInvalid(w.applications->Submit(company, World::Request("key-2", form.material_id())),
                 {"营业执照 (licence)"});
  bool created = true;
  auto again = w.applications->Submit(company, request, &created);
  INFO(again.status().ToString());
  REQUIRE(again.ok());
  CHECK_FALSE(created);
  CHECK(again->application_id() == first->application_id());

  // And a changed body under the used key is refused as such, not for
  // what it lacks.
  auto changed = request;
  (*changed.mutable_form())["shop_name"] = "新街面馆";
  CHECK(w.applications->Submit(company, changed).status().code() ==
        absl::StatusCode::kAlreadyExists);
  CHECK(w.Count("SELECT COUNT(*) FROM applications") == 1);
}

TEST_CASE("numbers count on per day across restarts and clock steps, and retries use none") {
  World w;
  const auto citizen = Citizen("acc_a");
  CHECK(w.SubmitComplete(citizen, "key-1").number() == "SQ20260105-000001");
  const auto request = w.CompleteRequest(citizen, "key-2");
  REQUIRE(w.applications->Submit(citizen, request).ok());
  REQUIRE(w.applications->Submit(citizen, request).ok());
  CHECK(w.SubmitComplete(citizen, "key-3").number() == "SQ20260105-000003");

  // A restarted intake reads the day's count from the store.
  w.applications = std::make_unique<Applications>(ApplicationDeps{w.db.get(),
                                                                  &w.guides,
                                                                  w.materials.get(),
                                                                  w.licences.get(),
                                                                  &w.withdrawer,
                                                                  &w.calendar,
                                                                  &w.clock,
                                                                  {}});
  CHECK(w.SubmitComplete(citizen, "key-4").number() == "SQ20260105-000004");

  // Midnight in China Standard Time starts a new count.
  w.clock.Advance(absl::Hours(24));
  CHECK(w.SubmitComplete(citizen, "key-5").number() == "SQ20260106-000001");
  // A clock set back across midnight goes on with that day's count.
  w.clock.Advance(-absl::Hours(24));
  CHECK(w.SubmitComplete(citizen, "key-6").number() == "SQ20260105-000005");
  w.clock.Advance(absl::Hours(24));
  CHECK(w.SubmitComplete(citizen, "key-7").number() == "SQ20260106-000002");
}

// Stores applications numbered 2 and 3 of 2026-01-05 as a second intake on
// the same file would; `counted` also records them in the day's count.
void NumberTwoMoreElsewhere(World& w, bool counted) {
  REQUIRE(w.db->Write([counted](store::Connection& db) {
                db.exec(
                    "INSERT INTO applications (id, number, applicant_id, submitted_by,"
                    " department_id, implementation_code, status, submit_time, update_time,"
                    " request_id, request_hash, record) VALUES"
                    " ('app_x2', 'SQ20260105-000002', 'acc_b', 'acc_b', 'd', 'c', 1, 1, 1, 'k2',"
                    " 'h', x''), ('app_x3', 'SQ20260105-000003', 'acc_b', 'acc_b', 'd', 'c', 1, 1,"
                    " 1, 'k3', 'h', x'')");
                if (counted) db.exec("UPDATE application_numbers SET last = 3");
                return absl::OkStatus();
              })
              .ok());
}

TEST_CASE("numbering catches up when another writer counted on in the store") {
  World w;
  const auto citizen = Citizen("acc_a");
  CHECK(w.SubmitComplete(citizen, "key-1").number() == "SQ20260105-000001");
  NumberTwoMoreElsewhere(w, /*counted=*/true);
  CHECK(w.SubmitComplete(citizen, "key-2").number() == "SQ20260105-000004");
  CHECK(w.SubmitComplete(citizen, "key-3").number() == "SQ20260105-000005");
  CHECK(w.Count("SELECT last FROM application_numbers") == 5);
}

TEST_CASE(
    "a number held by an application the day's count never recorded fails the submission "
    "whole") {
  World w;
  const auto citizen = Citizen("acc_a");
  CHECK(w.SubmitComplete(citizen, "key-1").number() == "SQ20260105-000001");
  NumberTwoMoreElsewhere(w, /*counted=*/false);
  const int64_t events = w.Count("SELECT COUNT(*) FROM outbox");
  auto refused = w.applications->Submit(citizen, w.CompleteRequest(citizen, "key-2"));
  CHECK(refused.status().code() == absl::StatusCode::kInternal);
  CHECK(absl::StrContains(refused.status().message(),
                          "application number SQ20260105-000002 is taken though counted free"));
  CHECK(w.Count("SELECT COUNT(*) FROM applications") == 3);
  CHECK(w.Count("SELECT COUNT(*) FROM timeline") == 1);
  CHECK(w.Count("SELECT COUNT(*) FROM outbox") == events);
  CHECK(w.Count("SELECT last FROM application_numbers") == 1);
}

TEST_CASE("a submission run again after its group was undone is stored once, whole") {
  World w;
  const auto citizen = Citizen("acc_a");
  const auto request = w.CompleteRequest(citizen, "key-1");
  // The committer is held so that the submission and a write that fails
  // after writing commit in one group, which undoes both and runs the
  // submission again.
  absl::Notification holding, release;
  w.db->WriteGroupedAsync(
      [&](store::Connection&) {
        holding.Notify();
        release.WaitForNotification();
        return absl::OkStatus();
      },
      [](absl::Status) {});
  holding.WaitForNotification();
  absl::Notification answered, failed;
  absl::StatusOr<Application> submitted;
  w.applications->SubmitAsync(citizen, request, [&](absl::StatusOr<Application> a, bool) {
    submitted = std::move(a);
    answered.Notify();
  });
  w.db->WriteGroupedRepeatableAsync(
      [](store::Connection& db) {
        db.exec("INSERT INTO application_numbers(day, last) VALUES('19700101', 1)");
        return absl::InternalError("failed after writing");
      },
      [&](absl::Status) { failed.Notify(); });
  release.Notify();
  failed.WaitForNotification();
  answered.WaitForNotification();
  INFO(submitted.status().ToString());
  REQUIRE(submitted.ok());
  CHECK(submitted->materials_size() == 2);
  CHECK(submitted->timeline_size() == 1);
  CHECK(w.Count("SELECT COUNT(*) FROM applications") == 1);
  CHECK(w.Count("SELECT COUNT(*) FROM timeline") == 1);
  CHECK(w.Count("SELECT COUNT(*) FROM outbox") == 2);
  CHECK(w.Count("SELECT COUNT(*) FROM application_numbers WHERE day = '19700101'") == 0);
  auto stored = w.applications->Get(citizen, submitted->application_id());
  REQUIRE(stored.ok());
  CHECK(stored->number() == submitted->number());
  CHECK(stored->materials_size() == 2);
  // The undone run's number is not taken back.
  CHECK(submitted->number() == "SQ20260105-000002");
}

TEST_CASE("a licence the applicant holds stands in for the material and is shown as such") {
  World w;
  const auto company = Enterprise("ent_1");
  intake::v1::Licence held = BusinessLicence("ent_1");
  intake::v1::Licence expired = held;
  expired.set_number("OLD-1");
  *expired.mutable_issue_time() = store::ToProtoTime(kNow - absl::Hours(24 * 800));
  *expired.mutable_valid_until() = store::ToProtoTime(kNow - absl::Hours(24));
  auto registered = w.licences->Register(Service("demo-loader"), {expired, held});
  REQUIRE(registered.ok());
  CHECK(registered->registered() == 2);

  // The guide's requirements already show it as held.
  intake::v1::GetRequirementsRequest ask;
  ask.set_implementation_code(ImplementationCode());
  auto requirements = w.applications->GetRequirements(company, ask);
  REQUIRE(requirements.ok());
  REQUIRE(requirements->materials_size() == 3);
  CHECK(requirements->materials(1).held_licence().number() == "91440101MA5CXXXX1A");
  CHECK_FALSE(requirements->materials(0).has_held_licence());

  const auto form = w.Upload(company);
  auto a = w.applications->Submit(company, World::Request("k", form.material_id()));
  INFO(a.status().ToString());
  REQUIRE(a.ok());
  REQUIRE(a->materials_size() == 2);
  const auto& reused = a->materials(1);
  CHECK(reused.guide_material_id() == "licence");
  CHECK(reused.source() == intake::v1::LICENCE);
  CHECK(reused.material_id().empty());
  CHECK(reused.licence_title() == "营业执照");
  CHECK_FALSE(reused.licence_id().empty());

  // Someone else's licence helps nobody else.
  const auto other = Enterprise("ent_2");
  const auto f2 = w.Upload(other);
  RequireInvalid(w.applications->Submit(other, World::Request("k", f2.material_id())),
                 {"营业执照 (licence)"});
}

TEST_CASE("a window clerk submits for a walk-in applicant into the same record") {
  World w;
  const auto clerk = Staff("acc_clerk", kOtherDepartment, "clerk");
  // The clerk scans the papers for the applicant, who owns them.
  const auto form = w.Upload(clerk, PdfBytes(), "acc_walkin");
  const auto licence = w.Upload(clerk, PdfBytes(), "acc_walkin");
  CHECK(form.owner_id() == "acc_walkin");
  CHECK(form.uploaded_by() == "acc_clerk");
  auto request = World::Request("desk-1", form.material_id(), licence.material_id());

  RequireInvalid(w.applications->Submit(clerk, request),
                 {"applicant_id: required", "applicant_kind: required"});
  request.set_applicant_id("acc_walkin");
  request.set_applicant_kind(catalog::v1::NATURAL_PERSON);
  auto a = w.applications->Submit(clerk, request);
  INFO(a.status().ToString());
  REQUIRE(a.ok());
  CHECK(a->channel() == intake::v1::WINDOW);
  CHECK(a->applicant_id() == "acc_walkin");
  CHECK(a->submitted_by() == "acc_clerk");
  CHECK(a->delivery().method() == intake::v1::WINDOW_PICKUP);
  // The applicant follows it online like any other.
  CHECK(w.applications->Get(Citizen("acc_walkin"), a->application_id()).ok());
  auto listed = w.applications->List(Citizen("acc_walkin"), {});
  REQUIRE(listed.ok());
  CHECK(listed->applications_size() == 1);

  auto hotline = request;
  hotline.set_request_id("call-1");
  hotline.set_channel(intake::v1::HOTLINE);
  auto by_phone = w.applications->Submit(clerk, hotline);
  REQUIRE(by_phone.ok());
  CHECK(by_phone->channel() == intake::v1::HOTLINE);

  // Staff without the clerk role do not accept applications.
  auto reviewer = w.applications->Submit(Staff("acc_r", kDepartment, "reviewer"), request);
  CHECK(reviewer.status().code() == absl::StatusCode::kPermissionDenied);
}

TEST_CASE("another applicant's application and materials look missing") {
  World w;
  Application a = w.SubmitComplete(Citizen("acc_a"), "k");
  const std::string id = a.application_id();
  CHECK(w.applications->Get(Citizen("acc_b"), id).status().code() == absl::StatusCode::kNotFound);
  CHECK(w.applications->Get(Staff("s", kOtherDepartment, "reviewer"), id).status().code() ==
        absl::StatusCode::kNotFound);
  CHECK(w.applications->Get(Citizen("acc_b"), "app_nonexistent").status().code() ==
        absl::StatusCode::kNotFound);
  // The handling department, supervisors and services read it.
  CHECK(w.applications->Get(Staff("s", kDepartment, "reviewer"), id).ok());
  CHECK(w.applications->Get(Person(auth::v1::OPERATOR, "op"), id).ok());
  CHECK(w.applications->Get(Service("complaint"), id).ok());

  const std::string material = a.materials(0).material_id();
  CHECK(w.materials->Get(Citizen("acc_b"), material).status().code() ==
        absl::StatusCode::kNotFound);
  CHECK(w.materials->Get(Staff("s", kOtherDepartment, "reviewer"), material).status().code() ==
        absl::StatusCode::kNotFound);
  CHECK(w.materials->Get(Staff("s", kDepartment, "reviewer"), material).ok());
  CHECK(w.materials->Get(Citizen("acc_a"), material).ok());

  // Nor can anyone attach another's upload to their own application.
  const auto mine = w.Upload(Citizen("acc_b"));
  RequireInvalid(
      w.applications->Submit(Citizen("acc_b"), World::Request("k", mine.material_id(), material)),
      {"materials[1].material_id: no such upload"});
}

TEST_CASE("applicants list their own applications with filters, staff their department's") {
  World w;
  const auto a = Citizen("acc_a");
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(w.SubmitComplete(a, absl::StrCat("k", i)).application_id());
    w.clock.Advance(absl::Minutes(1));
  }
  w.SubmitComplete(Citizen("acc_b"), "k0");
  REQUIRE(w.Report(ids[1], intake::v1::ACCEPTED, "e1").ok());

  intake::v1::ListApplicationsRequest all;
  all.set_page_size(2);
  auto page = w.applications->List(a, all);
  REQUIRE(page.ok());
  REQUIRE(page->applications_size() == 2);
  CHECK(page->applications(0).application_id() == ids[4]);  // Newest first.
  std::vector<std::string> seen;
  while (true) {
    for (const auto& app : page->applications()) seen.push_back(app.application_id());
    if (page->next_page_token().empty()) break;
    all.set_page_token(page->next_page_token());
    page = w.applications->List(a, all);
    REQUIRE(page.ok());
  }
  CHECK(seen.size() == 5);

  intake::v1::ListApplicationsRequest accepted;
  accepted.add_statuses(intake::v1::ACCEPTED);
  auto filtered = w.applications->List(a, accepted);
  REQUIRE(filtered.ok());
  REQUIRE(filtered->applications_size() == 1);
  CHECK(filtered->applications(0).application_id() == ids[1]);
  CHECK(filtered->applications(0).working_days_left() > 4);
  accepted.add_statuses(static_cast<intake::v1::ApplicationStatus>(77));
  CHECK(w.applications->List(a, accepted).status().message() == "statuses: unknown status 77");

  auto staff = w.applications->List(Staff("s", kDepartment, "reviewer"), {});
  REQUIRE(staff.ok());
  CHECK(staff->applications_size() == 6);
  auto other_staff = w.applications->List(Staff("s", kOtherDepartment, "reviewer"), {});
  REQUIRE(other_staff.ok());
  CHECK(other_staff->applications_size() == 0);

  intake::v1::ListApplicationsRequest bad;
  bad.set_page_token("!!");
  CHECK(w.applications->List(a, bad).status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("the deadline counts working days and skips the Spring Festival") {
  World w;
  // Friday 13 February 2026; the holiday runs 15-23 February, with make-up
  // working days on Saturday 14 and Saturday 28 February.
  w.clock.Set(
      absl::FromCivil(absl::CivilSecond(2026, 2, 13, 10, 0, 0), workday::ChinaStandardTime()));
  Application a = w.SubmitComplete(Citizen("acc_a"), "k");
  const absl::Time due = store::FromProtoTime(a.due_time());
  // Saturday the 14th is worked, then nothing until the 24th: the fifth
  // working day is Friday the 27th.
  CHECK(due == absl::FromCivil(absl::CivilDay(2026, 2, 28), workday::ChinaStandardTime()));
  CHECK(DueDateText(due) == "2026-02-27");
}

TEST_CASE("an instant item is due the day it is submitted, as approval counts it") {
  World w;
  catalog::v1::Implementation instant = TestImplementation(2);
  instant.mutable_guide()->set_handling(catalog::v1::INSTANT);
  instant.mutable_guide()->set_promised_limit_days(0);
  w.guides.Put(instant);
  // Friday 13 February 2026, before the Spring Festival.
  w.clock.Set(
      absl::FromCivil(absl::CivilSecond(2026, 2, 13, 10, 0, 0), workday::ChinaStandardTime()));
  const auto form = w.Upload(Citizen("acc_a"));
  const auto licence = w.Upload(Citizen("acc_a"));
  auto r = World::Request("k", form.material_id(), licence.material_id());
  r.set_catalog_revision(2);
  auto a = w.applications->Submit(Citizen("acc_a"), r);
  REQUIRE(a.ok());
  CHECK(a->promised_limit_days() == 0);
  CHECK(store::FromProtoTime(a->due_time()) ==
        absl::FromCivil(absl::CivilDay(2026, 2, 14), workday::ChinaStandardTime()));
}

TEST_CASE("submissions are counted by channel, every known channel exported from the start") {
  prometheus::Registry registry;
  IntakeMetrics metrics(registry);
  metrics.Submitted(intake::v1::WINDOW);
  metrics.Submitted(intake::v1::WINDOW);
  metrics.Submitted(intake::v1::ONLINE);
  metrics.Submitted(static_cast<intake::v1::Channel>(42));
  std::map<std::string, double> by_channel;
  for (const auto& family : registry.Collect()) {
    if (family.name != "onewindow_intake_applications_submitted_total") continue;
    for (const auto& metric : family.metric) {
      REQUIRE(metric.label.size() == 1);
      by_channel[metric.label[0].value] = metric.counter.value;
    }
  }
  CHECK(by_channel ==
        std::map<std::string, double>{{"online", 1}, {"window", 2}, {"hotline", 0}, {"", 1}});
}

TEST_CASE("an application number pads its sequence to six digits and keeps any beyond") {
  CHECK(FormatApplicationNumber("20260105", 7) == "SQ20260105-000007");
  CHECK(FormatApplicationNumber("20260105", 999999) == "SQ20260105-999999");
  CHECK(FormatApplicationNumber("20260105", 1234567) == "SQ20260105-1234567");
}

}  // namespace
}  // namespace onewindow::intake::test
