#pragma once

// A complaint service assembled from its plain classes over a temporary
// SQLite file, the real holiday calendar and a FakeClock: every rule runs as
// in production, without gRPC.

#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "libs/codes/credit_code.h"
#include "libs/store/database.h"
#include "libs/store/times.h"
#include "libs/testing/process.h"
#include "libs/workday/calendar.h"
#include "libs/workday/clock.h"
#include "libs/workday/deadline.h"
#include "onewindow/notification/v1/notification.pb.h"
#include "services/complaint/application_directory.h"
#include "services/complaint/categories.h"
#include "services/complaint/dispatch_rules.h"
#include "services/complaint/escalations.h"
#include "services/complaint/lifecycle.h"
#include "services/complaint/order_intake.h"
#include "services/complaint/order_queries.h"
#include "services/complaint/ratings.h"
#include "services/complaint/reports.h"
#include "services/complaint/schema.h"

#ifndef OW_SOURCE_DIR
#error "OW_SOURCE_DIR must name the repository root (set by tests/unit/CMakeLists.txt)"
#endif

namespace onewindow::complaint::testing {

namespace v1 = ::onewindow::complaint::v1;

// An instant given as CST wall time.
inline absl::Time Cst(int year, int month, int day, int hour = 0, int minute = 0) {
  return absl::FromCivil(absl::CivilSecond(year, month, day, hour, minute, 0),
                         workday::ChinaStandardTime());
}

// A valid unified social credit code of a government body from 8 digits.
inline std::string Dept(const std::string& digits8) {
  const std::string first17 = absl::StrCat("114401", digits8, "MB2");
  return first17 + codes::CreditCodeCheckChar(first17);
}

inline const std::string kCentre = Dept("00000001");  // The 12345 centre.
inline const std::string kRoads = Dept("00000002");
inline const std::string kHousing = Dept("00000003");

inline auth::v1::Principal Citizen(const std::string& id) {
  auth::v1::Principal p;
  p.set_kind(auth::v1::CITIZEN);
  p.set_subject(id);
  p.set_display_name("张三");
  return p;
}

inline auth::v1::Principal Handler(const std::string& department) {
  auth::v1::Principal p;
  p.set_kind(auth::v1::STAFF);
  p.set_subject(absl::StrCat("staff-", department));
  p.set_department_id(department);
  p.add_roles("complaint_handler");
  return p;
}

inline auth::v1::Principal Dispatcher() { return Handler(kCentre); }

inline auth::v1::Principal Operator() {
  auth::v1::Principal p;
  p.set_kind(auth::v1::OPERATOR);
  p.set_subject("operator-1");
  return p;
}

// Applications the tests rate, without intake.
class FakeDirectory : public ApplicationDirectory {
 public:
  absl::StatusOr<ApplicationFacts> Lookup(const std::string& id) override {
    ++lookups;
    auto it = apps.find(id);
    if (it == apps.end()) return absl::NotFoundError("no such application");
    return it->second;
  }
  void Add(const std::string& id, const std::string& applicant,
           intake::v1::ApplicationStatus status, const std::string& department = kHousing) {
    ApplicationFacts f;
    f.application_id = id;
    f.number = absl::StrCat("SQ-", id);
    f.applicant_id = applicant;
    f.status = status;
    f.implementation_code = absl::StrCat("XK00105001-", department);
    f.item_name = "房屋登记";
    f.department_id = department;
    f.region_code = "440106000000";
    apps[id] = f;
  }
  std::map<std::string, ApplicationFacts> apps;
  int lookups = 0;
};

struct Fixture {
  // Thursday 2 April 2026, 09:00 CST: the Qingming break (4-6 April) is
  // two days away, so deadlines have to skip it.
  static absl::Time Start() { return Cst(2026, 4, 2, 9); }

  Fixture() : clock(Start()) {
    auto opened =
        store::Database::Open({absl::StrCat(dir.path(), "/complaint.db")}, ComplaintMigrations());
    INFO(opened.status().ToString());
    REQUIRE(opened.ok());
    db = *std::move(opened);
    auto loaded = workday::Calendar::LoadDirectory(std::string(OW_SOURCE_DIR) + "/deploy/calendar");
    INFO(loaded.status().ToString());
    REQUIRE(loaded.ok());
    calendar = *std::move(loaded);
    policy.dispatch_departments = {kCentre};
    rules = std::make_unique<DispatchRules>(db.get());
    REQUIRE(rules->Load().ok());
    categories = std::make_unique<Categories>(db.get());
    REQUIRE(categories->Init().ok());
    const Env env{db.get(), &calendar, &clock, &policy};
    intake = std::make_unique<OrderIntake>(env, rules.get(), categories.get());
    lifecycle = std::make_unique<Lifecycle>(env);
    queries = std::make_unique<OrderQueries>(env, categories.get());
    escalations = std::make_unique<Escalations>(env);
    ratings = std::make_unique<Ratings>(env, &directory);
    reports = std::make_unique<Reports>(db.get(), &clock, &policy);
  }

  // A complaint from a signed-in citizen.
  v1::WorkOrder Complain(const std::string& citizen = "citizen-1",
                         const std::string& region = "440106000000") {
    v1::SubmitWorkOrderRequest r;
    r.set_kind(v1::COMPLAINT);
    r.set_title("噪音扰民");
    r.set_description("工地夜间施工");
    r.set_contact_phone("13800138000");
    r.mutable_location()->set_region_code(region);
    principals[citizen] = Citizen(citizen);
    auto order = intake->Submit(&principals[citizen], r);
    INFO(order.status().ToString());
    REQUIRE(order.ok());
    return *order;
  }

  v1::WorkOrder Dispatch(const std::string& id, const std::string& department) {
    v1::DispatchWorkOrderRequest r;
    r.set_work_order_id(id);
    r.set_department_id(department);
    return Ok(lifecycle->Dispatch(Dispatcher(), r));
  }
  v1::WorkOrder SignFor(const std::string& id, const std::string& department) {
    v1::SignForWorkOrderRequest r;
    r.set_work_order_id(id);
    return Ok(lifecycle->SignFor(Handler(department), r));
  }
  v1::WorkOrder Handle(const std::string& id, const std::string& department) {
    v1::HandleWorkOrderRequest r;
    r.set_work_order_id(id);
    r.set_note("已责令工地停止夜间施工");
    return Ok(lifecycle->Handle(Handler(department), r));
  }
  v1::WorkOrder Reply(const std::string& id, const std::string& department) {
    v1::ReplyWorkOrderRequest r;
    r.set_work_order_id(id);
    r.set_reply("经核查，已责令停工整改。");
    return Ok(lifecycle->Reply(Handler(department), r));
  }
  // Dispatched to `department`, which signs for, handles and answers it.
  v1::WorkOrder ThroughReply(const std::string& id, const std::string& department) {
    Dispatch(id, department);
    SignFor(id, department);
    Handle(id, department);
    return Reply(id, department);
  }
  v1::WorkOrder Callback(const std::string& id, const auth::v1::Principal& who,
                         v1::CallbackResult result) {
    v1::RecordCallbackRequest r;
    r.set_work_order_id(id);
    r.set_result(result);
    return Ok(lifecycle->RecordCallback(who, r));
  }

  template <typename T>
  static T Ok(absl::StatusOr<T> v) {
    INFO(v.status().ToString());
    REQUIRE(v.ok());
    return *std::move(v);
  }

  // Every notification enqueued so far, in order.
  std::vector<notification::v1::Event> Notifications() {
    std::vector<notification::v1::Event> out;
    REQUIRE(db->Read([&](store::Connection& d) {
                SQLite::Statement q(d, "SELECT payload FROM outbox ORDER BY sequence");
                while (q.executeStep()) {
                  notification::v1::NotifyRequest r;
                  const SQLite::Column c = q.getColumn(0);
                  REQUIRE(r.ParseFromArray(c.getBlob(), c.getBytes()));
                  out.push_back(r.event());
                }
                return absl::OkStatus();
              }).ok());
    return out;
  }
  std::vector<notification::v1::Event> NotificationsOf(const std::string& type) {
    std::vector<notification::v1::Event> out;
    for (auto& e : Notifications()) {
      if (e.type() == type) out.push_back(e);
    }
    return out;
  }

  int64_t CountRows(const std::string& sql) {
    int64_t n = 0;
    REQUIRE(db->Read([&](store::Connection& d) {
                SQLite::Statement q(d, sql);
                q.executeStep();
                n = q.getColumn(0).getInt64();
                return absl::OkStatus();
              }).ok());
    return n;
  }

  ::onewindow::testing::TempDir dir;
  std::unique_ptr<store::Database> db;
  workday::Calendar calendar;
  workday::FakeClock clock;
  Policy policy;
  std::unique_ptr<DispatchRules> rules;
  std::unique_ptr<Categories> categories;
  std::unique_ptr<OrderIntake> intake;
  std::unique_ptr<Lifecycle> lifecycle;
  std::unique_ptr<OrderQueries> queries;
  std::unique_ptr<Escalations> escalations;
  FakeDirectory directory;
  std::unique_ptr<Ratings> ratings;
  std::unique_ptr<Reports> reports;
  std::map<std::string, auth::v1::Principal> principals;
};

}  // namespace onewindow::complaint::testing
