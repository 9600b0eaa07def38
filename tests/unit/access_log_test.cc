// The access log of calls by staff, operators and admins.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "libs/log/logger.h"
#include "libs/server/access_log.h"
#include "onewindow/identity/v1/identity.pb.h"
#include "onewindow/intake/v1/intake.pb.h"

namespace onewindow::server {
namespace {

class CaptureSink : public log::Sink {
 public:
  void Write(absl::string_view line) override { lines.emplace_back(line); }
  std::vector<std::string> lines;
};

auth::v1::Principal Person(auth::v1::PrincipalKind kind, const std::string& subject) {
  auth::v1::Principal p;
  p.set_kind(kind);
  p.set_subject(subject);
  return p;
}

TEST_CASE("staff, operators and admins are logged as access, applicants and services are not") {
  CHECK(IsBodyAccess(Person(auth::v1::STAFF, "acc_s")));
  CHECK(IsBodyAccess(Person(auth::v1::OPERATOR, "acc_o")));
  CHECK(IsBodyAccess(Person(auth::v1::PLATFORM_ADMIN, "acc_a")));
  CHECK_FALSE(IsBodyAccess(Person(auth::v1::CITIZEN, "acc_c")));
  CHECK_FALSE(IsBodyAccess(Person(auth::v1::ENTERPRISE, "acc_e")));
  CHECK_FALSE(IsBodyAccess(Person(auth::v1::SERVICE, "intake")));
}

TEST_CASE("an access line names the actor, the call, its record ids and how it ended") {
  auto sink = std::make_shared<CaptureSink>();
  const log::Logger logger("intake", log::Level::kInfo, sink);
  auth::v1::Principal staff = Person(auth::v1::STAFF, "acc_s1");
  staff.set_department_id("11440100MB2C12345X");
  staff.set_api_token_id("tok_1");
  intake::v1::GetApplicationRequest get;
  get.set_application_id("app_123");
  LogAccess(logger.WithRequestId("req-9"), staff, &get, absl::StatusCode::kNotFound);
  REQUIRE(sink->lines.size() == 1);
  const std::string& line = sink->lines[0];
  CHECK(absl::StrContains(line, R"("request_id":"req-9","msg":"access")"));
  CHECK(absl::StrContains(line, R"("call":"GetApplication","records":"application_id=app_123")"));
  CHECK(absl::StrContains(line, R"("code":"NOT_FOUND","actor_kind":"STAFF","actor":"acc_s1")"));
  CHECK(absl::StrContains(line, R"("department":"11440100MB2C12345X","api_token":"tok_1")"));
}

TEST_CASE("an access line never carries a resident id or a login id") {
  auto sink = std::make_shared<CaptureSink>();
  const log::Logger logger("identity", log::Level::kInfo, sink);
  identity::v1::RegisterCitizenRequest registration;
  registration.set_resident_id("11010519491231002X");
  registration.set_phone("13812341234");
  LogAccess(logger, Person(auth::v1::PLATFORM_ADMIN, "acc_a"), &registration,
            absl::StatusCode::kOk);
  identity::v1::LoginRequest login;
  login.set_login_id("11010519491231002X");
  LogAccess(logger, Person(auth::v1::PLATFORM_ADMIN, "acc_a"), &login, absl::StatusCode::kOk);
  REQUIRE(sink->lines.size() == 2);
  for (const std::string& line : sink->lines) {
    CHECK_FALSE(absl::StrContains(line, "11010519491231002X"));
    CHECK_FALSE(absl::StrContains(line, "13812341234"));
  }
  CHECK(absl::StrContains(sink->lines[0], R"("call":"RegisterCitizen","records":"")"));
}

TEST_CASE("a value typed into an id field is logged only when it has an id's shape") {
  auto sink = std::make_shared<CaptureSink>();
  const log::Logger logger("intake", log::Level::kInfo, sink);
  const auth::v1::Principal clerk = Person(auth::v1::STAFF, "acc_c");
  intake::v1::ListApplicationsRequest list;
  for (const std::string& typed :
       {std::string("11010519491231002X"), std::string("11010519491231002x"),
        std::string("110105194912310021"), std::string("13812341234"), std::string("138-1234-1234"),
        std::string("张三"), std::string("a@b.cn"), std::string("x,department_id=forged")}) {
    list.set_applicant_id(typed);
    LogAccess(logger, clerk, &list, absl::StatusCode::kOk);
  }
  intake::v1::LookupProgressRequest lookup;
  lookup.set_number("SQ20261128-000042");
  LogAccess(logger, clerk, &lookup, absl::StatusCode::kOk);
  // A department is named by its credit code, digits alone or not.
  intake::v1::ListApplicationsRequest by_department;
  by_department.set_department_id("114401000069391245");
  LogAccess(logger, clerk, &by_department, absl::StatusCode::kOk);
  REQUIRE(sink->lines.size() == 10);
  for (int i = 0; i < 8; ++i) {
    INFO(sink->lines[i]);
    CHECK(absl::StrContains(sink->lines[i], R"x("records":"applicant_id=(withheld)")x"));
  }
  CHECK(absl::StrContains(sink->lines[8], R"("records":"number=SQ20261128-000042")"));
  CHECK(absl::StrContains(sink->lines[9], R"("records":"department_id=114401000069391245")"));
}

}  // namespace
}  // namespace onewindow::server
