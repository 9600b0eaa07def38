#include <string>
#include <vector>

#include <google/protobuf/util/message_differencer.h>
#include <catch2/catch.hpp>

#include "libs/status/proto_json.h"
#include "onewindow/catalog/v1/catalog.pb.h"
#include "tools/catalog_import/fast_json.h"
#include "tools/catalog_import/import_support.h"

namespace onewindow::catalog_import {
namespace {

namespace v1 = catalog::v1;
using google::protobuf::util::MessageDifferencer;

// The fast parser must agree with protobuf's wherever it answers at all.
template <typename Message>
void AgreesWithProtobuf(const std::string& json) {
  INFO(json);
  FastJsonParser fast;
  Message ours;
  REQUIRE(fast.Parse(json, &ours));
  Message theirs;
  REQUIRE(status::JsonToMessage(json, &theirs).ok());
  CHECK(MessageDifferencer::Equals(ours, theirs));
}

template <typename Message>
bool FastAccepts(const std::string& json) {
  FastJsonParser fast;
  Message m;
  return fast.Parse(json, &m);
}

TEST_CASE("the fast JSON path reads an implementation exactly as protobuf does") {
  AgreesWithProtobuf<v1::Implementation>(
      R"({"implementationCode":"XK00101001-11440106MB12345678-01","name":"食品经营许可（新办）",)"
      R"("keywords":["餐饮","开饭店"],"revision":"3","guide":{"acceptanceConditions":"1. 条件；\n2. 材料齐全",)"
      R"("materials":[{"materialId":"M01","name":"居民身份证","required":true,"originals":1,"copies":0,)"
      R"("form":"PAPER_OR_ELECTRONIC","licenceType":"居民身份证"}],)"
      R"("stages":[{"stageId":"S1","name":"countersign","countersign":"ALL_OF",)"
      R"("countersignDepartments":["a","b"],"timeLimitDays":2}],)"
      R"("fees":[{"name":"工本费","amountFen":"2000","basis":"《通知》"}],)"
      R"("handling":"PROMISED","onSiteVisits":1,"onlineDepth":"ONLINE_APPLICATION"}})");
  AgreesWithProtobuf<v1::Region>(R"({"code":"440106000000","name":"天河区","level":"COUNTY"})");
  AgreesWithProtobuf<v1::BasicItem>(
      R"({"basic_code":"XK00101000","type":1,"applicantKinds":["NATURAL_PERSON",2]})");
  AgreesWithProtobuf<v1::SetRequiredItemsRequest>(
      R"( { "departmentCreditCode" : "11440000MB0000001F" , "basicCodes" : [ ] } )");
  AgreesWithProtobuf<v1::GetImplementationRequest>(R"({"revision":-9223372036854775808})");
  AgreesWithProtobuf<v1::CoverageReport>(R"({"departments":[{"ratio":0.75e0}]})");
}

TEST_CASE("the fast JSON path decodes escapes, including surrogate pairs") {
  AgreesWithProtobuf<v1::Region>(R"({"name":"a\"b\\c\/d\n\u4e2d\ud83d\ude00\t"})");
  FastJsonParser fast;
  v1::Region r;
  REQUIRE(fast.Parse(R"({"name":"\u5e7f\u4e1c"})", &r));
  CHECK(r.name() == "广东");
}

TEST_CASE("the fast JSON path declines whatever protobuf must judge") {
  CHECK_FALSE(FastAccepts<v1::Region>(R"({"code":"1","unknown":2})"));
  CHECK_FALSE(FastAccepts<v1::Region>(R"({"code":"1","code":"2"})"));
  CHECK_FALSE(FastAccepts<v1::Region>(R"({"code":null})"));
  CHECK_FALSE(FastAccepts<v1::Region>(R"({"code":"1",})"));
  CHECK_FALSE(FastAccepts<v1::Region>(R"({"code":"1"} trailing)"));
  CHECK_FALSE(FastAccepts<v1::Region>(R"({"code":"1)"));
  CHECK_FALSE(FastAccepts<v1::Region>(R"({"level":"NO_SUCH_LEVEL"})"));
  CHECK_FALSE(FastAccepts<v1::Region>("{\"name\":\"\xff\"}"));
  CHECK_FALSE(FastAccepts<v1::Region>(R"({"name":"\ud83d"})"));
  CHECK_FALSE(FastAccepts<v1::Guide>(R"({"statutoryLimitDays":2147483648})"));
  CHECK_FALSE(FastAccepts<v1::Guide>(R"({"statutoryLimitDays":1.5})"));
  CHECK_FALSE(FastAccepts<v1::Guide>(R"({"statutoryLimitDays":01})"));
  CHECK_FALSE(FastAccepts<v1::Implementation>(R"({"publishTime":"2025-01-01T00:00:00Z"})"));
  CHECK_FALSE(FastAccepts<v1::Implementation>(R"({"keywords":"not a list"})"));
  CHECK_FALSE(FastAccepts<v1::Implementation>(R"([])"));
}

TEST_CASE("region errors are matched to the entries they name") {
  const std::vector<std::string> codes = {"440100000000", "440106000000", "440106001000"};
  const auto errors = RegionErrors(
      "regions[0].name: required; regions: parent 440106000000 of 440106001000 is neither "
      "stored nor given; regions[9].code: out of the batch; something else",
      codes);
  REQUIRE(errors.size() == 2);
  CHECK(errors[0].first == 0);
  CHECK(errors[0].second == "regions[0].name: required");
  CHECK(errors[1].first == 2);
  CHECK(RegionErrors("the database is locked", codes).empty());
}

TEST_CASE("departments are sent parents first, whatever the file's order") {
  // c's parent b is listed after it; b's parent a before; d's parent is
  // stored already (not in the file); e and f form a cycle.
  const std::vector<std::pair<std::string, std::string>> links = {
      {"c", "b"}, {"a", ""}, {"b", "a"}, {"d", "elsewhere"}, {"e", "f"}, {"f", "e"}};
  const std::vector<int> waves = DepartmentWaves(links);
  CHECK(waves[1] == 0);  // a
  CHECK(waves[2] == 1);  // b
  CHECK(waves[0] == 2);  // c
  CHECK(waves[3] == 0);  // d
  CHECK(waves[4] >= 3);  // the cycle goes after everything that can be stored
  CHECK(waves[5] >= 3);
}

TEST_CASE("progress shows count, rate and ETA") {
  Progress p;
  p.name = "implementations.jsonl";
  p.done = 500;
  p.total = 1000;
  p.lines = 20000;
  p.seconds = 2;
  CHECK(FormatProgress(p, /*bar=*/true) ==
        "implementations.jsonl [############------------]  50%  20000 lines  10000/s  ETA 0:02");
  CHECK(FormatProgress(p, /*bar=*/false) ==
        "implementations.jsonl:  50%  20000 lines  10000/s  ETA 0:02");
  CHECK(FormatEta(3725) == "1:02:05");
  CHECK(FormatEta(-1) == "--:--");
}

}  // namespace
}  // namespace onewindow::catalog_import
