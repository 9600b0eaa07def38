// Progress by number and query code, for applicants who do not sign in.
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "services/intake/query_code.h"
#include "tests/unit/intake_fixture.h"

namespace onewindow::intake::test {
namespace {

using intake::v1::Application;

intake::v1::LookupProgressRequest Lookup(const std::string& number, const std::string& code) {
  intake::v1::LookupProgressRequest r;
  r.set_number(number);
  r.set_query_code(code);
  return r;
}

const auth::v1::Principal& Clerk() {
  static const auth::v1::Principal* const kClerk =
      new auth::v1::Principal(Staff("acc_clerk", kOtherDepartment, "clerk"));
  return *kClerk;
}

// What a clerk sends for a walk-in applicant, their papers scanned.
intake::v1::SubmitApplicationRequest WindowRequest(World& w, const std::string& key) {
  const auto form = w.Upload(Clerk(), PdfBytes(), "acc_walkin");
  const auto licence = w.Upload(Clerk(), PdfBytes(), "acc_walkin");
  auto request = World::Request(key, form.material_id(), licence.material_id());
  request.set_applicant_id("acc_walkin");
  request.set_applicant_kind(catalog::v1::NATURAL_PERSON);
  return request;
}

Application Submit(World& w, const intake::v1::SubmitApplicationRequest& request) {
  auto a = w.applications->Submit(Clerk(), request);
  INFO(a.status().ToString());
  REQUIRE(a.ok());
  return *a;
}

TEST_CASE("query codes are ten characters people cannot confuse, and differ each time") {
  std::set<std::string> seen;
  // A small pool: most codes span two draws.
  auth::RandomPool random(16);
  for (int i = 0; i < 200; ++i) {
    const std::string code = NewQueryCode(random);
    CHECK(code.size() == static_cast<size_t>(kQueryCodeLength));
    CHECK(code.find_first_of("01IO") == std::string::npos);
    seen.insert(code);
  }
  CHECK(seen.size() == 200);
}

TEST_CASE("a typed query code is read without regard to case, spaces and hyphens") {
  auto code = NormalizeQueryCode(" abcd-efgh 23 ");
  REQUIRE(code.ok());
  CHECK(*code == "ABCDEFGH23");
  CHECK(NormalizeQueryCode("").status().message() == "query_code: required");
  CHECK(absl::StrContains(NormalizeQueryCode("ABCDEFGH2").status().message(),
                          "10 characters, not 9"));
  CHECK(absl::StrContains(NormalizeQueryCode("ABCDEFGH20").status().message(), "query_code"));
  CHECK_FALSE(QueryCodesEqual("", ""));
  CHECK(QueryCodesEqual("ABCDEFGH23", "ABCDEFGH23"));
  CHECK_FALSE(QueryCodesEqual("ABCDEFGH23", "ABCDEFGH24"));
}

TEST_CASE("a walk-in applicant follows their case by number and query code, without signing in") {
  World w;
  const Application a = Submit(w, WindowRequest(w, "desk-1"));
  REQUIRE(a.query_code().size() == static_cast<size_t>(kQueryCodeLength));
  REQUIRE(w.Report(a.application_id(), intake::v1::ACCEPTED, "evt-1").ok());
  REQUIRE(w.Report(a.application_id(), intake::v1::REJECTED, "evt-2", [](auto& r) {
             r.set_reason("经营场所不符合要求");
             r.set_appeal("60日内向市人民政府申请行政复议");
           }).ok());

  // Typed as people do: lower case, with a hyphen.
  std::string typed = absl::AsciiStrToLower(a.query_code());
  typed.insert(5, "-");
  auto progress = w.applications->LookupProgress(Lookup(a.number(), typed));
  INFO(progress.status().ToString());
  REQUIRE(progress.ok());
  CHECK(progress->number() == a.number());
  CHECK(progress->item_name() == a.item_name());
  CHECK(progress->status() == intake::v1::REJECTED);
  CHECK(progress->status_reason() == "经营场所不符合要求");
  CHECK(progress->appeal() == "60日内向市人民政府申请行政复议");
  REQUIRE(progress->steps_size() == 3);
  CHECK(progress->steps(0).status() == intake::v1::SUBMITTED);
  CHECK(progress->steps(2).status() == intake::v1::REJECTED);
  // Nothing about the applicant or who handled it.
  const std::string text = progress->DebugString();
  CHECK_FALSE(absl::StrContains(text, "acc_walkin"));
  CHECK_FALSE(absl::StrContains(text, "acc_clerk"));
  for (const auto& [field, value] : a.form()) CHECK_FALSE(absl::StrContains(text, value));
}

TEST_CASE("a wrong query code and an unknown number answer alike") {
  World w;
  const Application a = Submit(w, WindowRequest(w, "desk-1"));
  std::string wrong = a.query_code();
  wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
  auto refused = w.applications->LookupProgress(Lookup(a.number(), wrong));
  CHECK(refused.status().code() == absl::StatusCode::kNotFound);
  auto unknown = w.applications->LookupProgress(Lookup("SQ20000101-000001", a.query_code()));
  CHECK(unknown.status().code() == absl::StatusCode::kNotFound);
  CHECK(refused.status().message() ==
        absl::StrCat("no application ", a.number(), " with this query code"));
  CHECK(unknown.status().message() == "no application SQ20000101-000001 with this query code");

  auto not_a_number = w.applications->LookupProgress(Lookup("SQ2026-1", a.query_code()));
  CHECK(not_a_number.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(not_a_number.status().message(), "number: as on the receipt"));
  auto malformed = w.applications->LookupProgress(Lookup("", "short"));
  CHECK(malformed.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(malformed.status().message(), "number: required"));
  CHECK(absl::StrContains(malformed.status().message(), "query_code:"));
}

TEST_CASE("a day's millionth application is found by its seven-digit number") {
  World w;
  const std::string day = absl::FormatTime("%Y%m%d", w.clock.Now(), workday::ChinaStandardTime());
  REQUIRE(w.db->Write([&](store::Connection& db) {
                db.exec(absl::StrCat("INSERT INTO application_numbers(day, last) VALUES('", day,
                                     "', 999999)"));
                return absl::OkStatus();
              })
              .ok());
  const Application a = Submit(w, WindowRequest(w, "desk-1"));
  REQUIRE(a.number() == absl::StrCat("SQ", day, "-1000000"));
  auto progress = w.applications->LookupProgress(Lookup(a.number(), a.query_code()));
  INFO(progress.status().ToString());
  CHECK(progress.ok());
}

TEST_CASE("a withdrawal's reason, the applicant's own words, is not shown by number and code") {
  World w;
  const Application a = Submit(w, WindowRequest(w, "desk-1"));
  intake::v1::WithdrawApplicationRequest withdraw;
  withdraw.set_application_id(a.application_id());
  withdraw.set_reason("家中有事，不再开店");
  REQUIRE(w.applications->Withdraw(Citizen("acc_walkin"), withdraw, "r").ok());
  auto progress = w.applications->LookupProgress(Lookup(a.number(), a.query_code()));
  REQUIRE(progress.ok());
  CHECK(progress->status() == intake::v1::WITHDRAWN);
  CHECK(progress->status_reason().empty());
}

TEST_CASE("the query code is kept for a retry and shown only to those who print receipts") {
  World w;
  const auto request = WindowRequest(w, "desk-1");
  const Application a = Submit(w, request);
  const Application again = Submit(w, request);
  CHECK(again.application_id() == a.application_id());
  CHECK(again.query_code() == a.query_code());

  const std::string id = a.application_id();
  auto by = [&](const auth::v1::Principal& p) {
    auto got = w.applications->Get(p, id);
    INFO(got.status().ToString());
    REQUIRE(got.ok());
    return got->query_code();
  };
  CHECK(by(Citizen("acc_walkin")) == a.query_code());
  CHECK(by(Staff("acc_clerk", kOtherDepartment, "clerk")) == a.query_code());
  CHECK(by(Staff("acc_s", kDepartment, "reviewer")) == a.query_code());
  CHECK(by(Person(auth::v1::OPERATOR, "op")).empty());
  CHECK(by(Service("complaint")).empty());

  auto listed = w.applications->List(Citizen("acc_walkin"), {});
  REQUIRE(listed.ok());
  REQUIRE(listed->applications_size() == 1);
  CHECK(listed->applications(0).query_code().empty());
}

}  // namespace
}  // namespace onewindow::intake::test
