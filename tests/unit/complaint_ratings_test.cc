// Service ratings (好差评) with rectification of bad ones, rating aggregates
// and the supervision report, on a FakeClock without gRPC.
#include "tests/unit/complaint_fixture.h"

namespace onewindow::complaint::testing {
namespace {

v1::RateApplicationRequest Rate(const std::string& application, int level,
                                const std::string& text = "") {
  v1::RateApplicationRequest r;
  r.set_application_id(application);
  r.set_level(level);
  r.set_text(text);
  return r;
}

TEST_CASE("a bad rating opens exactly one rectification order even when submitted twice") {
  Fixture f;
  f.directory.Add("app-1", "citizen-1", intake::v1::DELIVERED);
  const auto citizen = Citizen("citizen-1");
  v1::Rating first = Fixture::Ok(f.ratings->Rate(citizen, Rate("app-1", 1, "材料反复退回")));
  v1::Rating second = Fixture::Ok(f.ratings->Rate(citizen, Rate("app-1", 1, "材料反复退回")));
  CHECK(second.rating_id() == first.rating_id());
  REQUIRE_FALSE(first.rectification_work_order_id().empty());
  CHECK(second.rectification_work_order_id() == first.rectification_work_order_id());
  CHECK(f.CountRows("SELECT COUNT(*) FROM ratings") == 1);
  CHECK(f.CountRows("SELECT COUNT(*) FROM work_orders WHERE kind = 7") == 1);
  CHECK(f.NotificationsOf("rectification.opened").size() == 1);
  // The rater is thanked; the department hears of it, at once when bad.
  auto thanks = f.NotificationsOf("rating.received");
  REQUIRE(thanks.size() == 1);
  CHECK(thanks[0].recipient_id() == "citizen-1");
  CHECK_FALSE(thanks[0].urgent());
  auto told = f.NotificationsOf("rating.submitted");
  REQUIRE(told.size() == 1);
  CHECK(told[0].recipient_id() == "dept:" + kHousing);
  CHECK(told[0].urgent());
  CHECK(told[0].params().at("level") == "1");

  v1::WorkOrder order = Fixture::Ok(f.queries->Get(&citizen, first.rectification_work_order_id()));
  CHECK(order.kind() == v1::RECTIFICATION);
  CHECK(order.state() == v1::DISPATCHED);
  CHECK(order.assigned_department_id() == kHousing);
  CHECK(order.rating_id() == first.rating_id());
  CHECK(order.application_id() == "app-1");
  // 15 working days from Thursday 2 April, Qingming skipped: Friday 24 April.
  CHECK(store::FromProtoTime(order.due_time()) == Cst(2026, 4, 25));
  auto opened = f.NotificationsOf("rectification.opened")[0];
  CHECK(opened.recipient_id() == "dept:" + kHousing);
  CHECK(opened.params().at("level") == "1");
  CHECK(opened.params().at("number") == "SQ-app-1");
  CHECK(opened.params().at("item_name") == "房屋登记");
  CHECK(opened.params().at("work_order_number") == order.number());
}

TEST_CASE("a different second rating of the same application is refused") {
  Fixture f;
  f.directory.Add("app-1", "citizen-1", intake::v1::APPROVED);
  const auto citizen = Citizen("citizen-1");
  Fixture::Ok(f.ratings->Rate(citizen, Rate("app-1", 2)));
  CHECK(f.ratings->Rate(citizen, Rate("app-1", 5, "其实挺好")).status().code() ==
        absl::StatusCode::kAlreadyExists);
  CHECK(f.CountRows("SELECT COUNT(*) FROM work_orders WHERE kind = 7") == 1);
}

TEST_CASE("only the applicant rates, and only a closed application") {
  Fixture f;
  f.directory.Add("app-1", "citizen-1", intake::v1::IN_REVIEW);
  f.directory.Add("app-2", "citizen-1", intake::v1::WITHDRAWN);
  CHECK(f.ratings->Rate(Citizen("citizen-2"), Rate("app-2", 1)).status().code() ==
        absl::StatusCode::kNotFound);
  CHECK(f.ratings->Rate(Citizen("citizen-1"), Rate("app-1", 1)).status().code() ==
        absl::StatusCode::kFailedPrecondition);
  CHECK(f.ratings->Rate(Citizen("citizen-1"), Rate("app-9", 1)).status().code() ==
        absl::StatusCode::kNotFound);
  CHECK(f.ratings->Rate(Handler(kHousing), Rate("app-2", 5)).status().code() ==
        absl::StatusCode::kPermissionDenied);
  CHECK(f.CountRows("SELECT COUNT(*) FROM ratings") == 0);
  CHECK(Fixture::Ok(f.ratings->Rate(Citizen("citizen-1"), Rate("app-2", 3))).level() == 3);
  for (auto status : {intake::v1::NOT_ACCEPTED, intake::v1::APPROVED, intake::v1::REJECTED,
                      intake::v1::RESULT_ISSUED, intake::v1::DELIVERED, intake::v1::WITHDRAWN}) {
    CHECK(IsClosed(status));
  }
  for (auto status : {intake::v1::SUBMITTED, intake::v1::ACCEPTED, intake::v1::IN_REVIEW,
                      intake::v1::SUPPLEMENT_NEEDED, intake::v1::SUPPLEMENTED}) {
    CHECK_FALSE(IsClosed(status));
  }
}

TEST_CASE("a rating with bad fields names every one and asks nobody") {
  Fixture f;
  v1::RateApplicationRequest r;
  r.set_level(9);
  r.set_efficiency(7);
  r.set_text(std::string(3000, 'x'));
  auto bad = f.ratings->Rate(Citizen("citizen-1"), r);
  REQUIRE(bad.status().code() == absl::StatusCode::kInvalidArgument);
  for (const char* field : {"application_id", "level", "efficiency", "text"}) {
    INFO(field);
    CHECK(absl::StrContains(bad.status().message(), field));
  }
  CHECK(f.directory.lookups == 0);
}

TEST_CASE("good ratings open nothing and level 3 is not a bad rating") {
  Fixture f;
  const auto citizen = Citizen("citizen-1");
  for (int level = 3; level <= 5; ++level) {
    const std::string app = absl::StrCat("app-", level);
    f.directory.Add(app, "citizen-1", intake::v1::DELIVERED);
    CHECK(Fixture::Ok(f.ratings->Rate(citizen, Rate(app, level)))
              .rectification_work_order_id()
              .empty());
  }
  CHECK(f.CountRows("SELECT COUNT(*) FROM work_orders") == 0);
  CHECK(f.NotificationsOf("rating.received").size() == 3);
  auto told = f.NotificationsOf("rating.submitted");
  REQUIRE(told.size() == 3);
  for (const auto& e : told) CHECK_FALSE(e.urgent());
}

TEST_CASE("the rectification reply reaches the rater as a follow-up and asks for the callback") {
  Fixture f;
  f.directory.Add("app-1", "citizen-1", intake::v1::REJECTED);
  const auto citizen = Citizen("citizen-1");
  const std::string id = Fixture::Ok(f.ratings->Rate(citizen, Rate("app-1", 2, "窗口态度差")))
                             .rectification_work_order_id();
  // The department sees the rater's name, not more.
  const auto housing = Handler(kHousing);
  CHECK(Fixture::Ok(f.queries->Get(&housing, id)).complainant().name() == "张三");
  f.SignFor(id, kHousing);
  f.Handle(id, kHousing);
  f.Reply(id, kHousing);
  auto follow_up = f.NotificationsOf("rating.follow_up");
  REQUIRE(follow_up.size() == 1);
  CHECK(follow_up[0].recipient_id() == "citizen-1");
  CHECK(follow_up[0].params().at("reply") == "经核查，已责令停工整改。");
  CHECK(follow_up[0].params().at("number") == "SQ-app-1");
  CHECK(follow_up[0].params().at("level") == "2");
  CHECK(f.NotificationsOf("work_order.replied").empty());
  CHECK(f.NotificationsOf("work_order.callback_requested").size() == 1);
  CHECK(f.Callback(id, citizen, v1::SATISFIED).state() == v1::CLOSED);
}

TEST_CASE("rating aggregates per department, item and region carry counts only") {
  Fixture f;
  const std::string roads_code = "XK00105001-" + kRoads;
  int n = 0;
  auto rate = [&](const std::string& dept, int level) {
    const std::string app = absl::StrCat("app-", ++n);
    f.directory.Add(app, "citizen-1", intake::v1::DELIVERED, dept);
    Fixture::Ok(f.ratings->Rate(Citizen("citizen-1"), Rate(app, level, "个人意见")));
  };
  rate(kHousing, 5);
  rate(kHousing, 4);
  rate(kHousing, 1);
  rate(kRoads, 3);
  v1::GetRatingStatsRequest by_dept;
  v1::RatingStats stats = Fixture::Ok(f.reports->RatingStats(by_dept));
  REQUIRE(stats.groups_size() == 2);
  const v1::RatingAggregate& housing =
      stats.groups(0).key() == kHousing ? stats.groups(0) : stats.groups(1);
  CHECK(housing.count() == 3);
  CHECK(housing.bad_count() == 1);
  CHECK(housing.average() == Approx(10.0 / 3));
  CHECK(housing.satisfaction_rate() == Approx(2.0 / 3));
  CHECK(housing.level_counts(0) == 1);
  CHECK(housing.level_counts(4) == 1);
  CHECK(stats.total().count() == 4);
  const std::string serialized = stats.SerializeAsString();
  CHECK(serialized.find("citizen-1") == std::string::npos);
  CHECK(serialized.find("个人意见") == std::string::npos);

  v1::GetRatingStatsRequest by_item;
  by_item.set_group_by(v1::BY_ITEM);
  by_item.set_implementation_code(roads_code);
  stats = Fixture::Ok(f.reports->RatingStats(by_item));
  REQUIRE(stats.groups_size() == 1);
  CHECK(stats.groups(0).key() == roads_code);
  CHECK(stats.groups(0).count() == 1);

  v1::GetRatingStatsRequest by_region;
  by_region.set_group_by(v1::BY_REGION);
  by_region.set_region_code("440100000000");
  stats = Fixture::Ok(f.reports->RatingStats(by_region));
  REQUIRE(stats.groups_size() == 1);
  CHECK(stats.groups(0).key() == "440106000000");
  CHECK(stats.groups(0).count() == 4);
  by_region.set_region_code("450000000000");
  CHECK(Fixture::Ok(f.reports->RatingStats(by_region)).total().count() == 0);
  by_region.set_region_code("12");
  CHECK(f.reports->RatingStats(by_region).status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("the supervision report gives on-time, satisfaction and reopen rates per department") {
  Fixture f;
  // Roads: one on time and satisfied, one dissatisfied and reopened.
  std::string a = f.Complain("c1").work_order_id();
  std::string b = f.Complain("c2").work_order_id();
  for (const auto& id : {a, b}) {
    f.ThroughReply(id, kRoads);
  }
  f.Callback(a, f.principals["c1"], v1::SATISFIED);
  f.Callback(b, f.principals["c2"], v1::DISSATISFIED);
  // Housing: one left overdue.
  std::string c = f.Complain("c3").work_order_id();
  f.Dispatch(c, kHousing);
  f.clock.Set(Cst(2026, 4, 13, 9));
  REQUIRE(f.escalations->Sweep().ok());

  v1::GetSupervisionReportRequest request;
  CHECK(f.reports->Supervision(Citizen("c1"), request).status().code() ==
        absl::StatusCode::kPermissionDenied);
  CHECK(f.reports->Supervision(Handler(kRoads), request).status().code() ==
        absl::StatusCode::kPermissionDenied);
  v1::SupervisionReport report = Fixture::Ok(f.reports->Supervision(Operator(), request));
  REQUIRE(report.rows_size() == 2);
  const v1::SupervisionRow& roads =
      report.rows(0).key() == kRoads ? report.rows(0) : report.rows(1);
  const v1::SupervisionRow& housing =
      report.rows(0).key() == kRoads ? report.rows(1) : report.rows(0);
  CHECK(roads.received() == 2);
  CHECK(roads.replied() == 2);
  CHECK(roads.on_time_rate() == Approx(1.0));
  CHECK(roads.reopened() == 1);
  CHECK(roads.reopen_rate() == Approx(0.5));
  CHECK(roads.called_back() == 2);
  CHECK(roads.satisfaction_rate() == Approx(0.5));
  CHECK(housing.overdue_open() == 1);
  CHECK(housing.escalated() == 1);
  CHECK(report.total().received() == 3);

  request.set_group_by(v1::BY_KIND);
  report = Fixture::Ok(f.reports->Supervision(Dispatcher(), request));
  REQUIRE(report.rows_size() == 1);
  CHECK(report.rows(0).key() == "COMPLAINT");
  request.set_group_by(v1::BY_DEPARTMENT);
  request.set_department_id(kRoads);
  CHECK(Fixture::Ok(f.reports->Supervision(Handler(kRoads), request)).rows_size() == 1);
}

}  // namespace
}  // namespace onewindow::complaint::testing
