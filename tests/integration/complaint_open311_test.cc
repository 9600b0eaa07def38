// Open311 GeoReport v2 end to end through the gateway: list services, read
// a service definition, post a request with an api_key, fetch it by id and
// watch its status change as the work order is handled.
#include <catch2/catch.hpp>

#include "absl/strings/match.h"
#include "libs/testing/http_client.h"
#include "libs/testing/json_fields.h"
#include "tests/integration/complaint_fixture.h"

namespace onewindow::complaint_it {
namespace {

using Stub = v1::ComplaintService::Stub;
using testing::HttpConnection;

const testing::Headers kForm = {{"Content-Type", "application/x-www-form-urlencoded"}};

// The service_request_id from a POST reply: [{"service_request_id":"wo_…",…}].
std::string RequestId(const std::string& body) {
  return testing::JsonField(body, "service_request_id");
}

TEST_CASE("an Open311 client lists services, files a request and follows it to closed") {
  ComplaintStack s;
  HttpConnection http(s.stack->gateway_port());

  auto services = http.Request("GET", "/open311/v2/services.json?jurisdiction_id=gz.example");
  REQUIRE(services.ok());
  INFO(services->body);
  CHECK(services->status == 200);
  CHECK(absl::StrContains(services->body, R"("service_code":"road-damage")"));
  CHECK(absl::StrContains(services->body, R"("metadata":true)"));

  auto definition = http.Request("GET", "/open311/v2/services/road-damage.json");
  REQUIRE(definition.ok());
  CHECK(definition->status == 200);
  CHECK(absl::StrContains(definition->body, R"("datatype":"singlevaluelist")"));
  CHECK(absl::StrContains(definition->body, R"("key":"dangerous")"));

  const std::string form =
      absl::StrCat("api_key=", kOpen311Key,
                   "&jurisdiction_id=gz.example&service_code=road-damage&lat=23.1291&long=113.2644"
                   "&address_string=%E5%A4%A9%E6%B2%B3%E8%B7%AF1%E5%8F%B7"  // 天河路1号
                   "&description=Deep+pothole+in+the+bus+lane&email=a%40example.org&first_name=Ann"
                   "&attribute%5Bseverity%5D=dangerous");
  auto posted = http.Request("POST", "/open311/v2/requests.json", form, kForm);
  REQUIRE(posted.ok());
  INFO(posted->body);
  REQUIRE(posted->status == 200);
  const std::string id = RequestId(posted->body);
  REQUIRE(absl::StartsWith(id, "wo_"));
  CHECK(absl::StrContains(posted->body, "service_notice"));

  auto fetched = http.Request("GET", absl::StrCat("/open311/v2/requests/", id, ".json"));
  REQUIRE(fetched.ok());
  INFO(fetched->body);
  CHECK(fetched->status == 200);
  CHECK(absl::StrContains(fetched->body, R"("status":"open")"));
  CHECK(absl::StrContains(fetched->body, R"("service_code":"road-damage")"));
  CHECK(absl::StrContains(fetched->body, R"("lat":23.1291)"));
  CHECK(absl::StrContains(fetched->body, "+08:00"));
  CHECK_FALSE(absl::StrContains(fetched->body, "a@example.org"));  // Contact stays private.

  // The city works the order.
  v1::WorkOrder order;
  v1::DispatchWorkOrderRequest dispatch;
  dispatch.set_work_order_id(id);
  dispatch.set_department_id(kRoads);
  REQUIRE(s.Call(Handler(kCentre), &Stub::DispatchWorkOrder, dispatch, &order).ok());
  auto dispatched = http.Request("GET", absl::StrCat("/open311/v2/requests/", id, ".json"));
  REQUIRE(dispatched.ok());
  CHECK(absl::StrContains(dispatched->body, kRoads));  // agency_responsible
  v1::SignForWorkOrderRequest sign;
  sign.set_work_order_id(id);
  REQUIRE(s.Call(Handler(kRoads), &Stub::SignForWorkOrder, sign, &order).ok());
  v1::HandleWorkOrderRequest handle;
  handle.set_work_order_id(id);
  handle.set_note("Filled");
  REQUIRE(s.Call(Handler(kRoads), &Stub::HandleWorkOrder, handle, &order).ok());
  v1::ReplyWorkOrderRequest reply;
  reply.set_work_order_id(id);
  reply.set_reply("The pothole was filled on Friday.");
  REQUIRE(s.Call(Handler(kRoads), &Stub::ReplyWorkOrder, reply, &order).ok());
  v1::RecordCallbackRequest callback;
  callback.set_work_order_id(id);
  callback.set_result(v1::SATISFIED);
  REQUIRE(s.Call(Handler(kCentre), &Stub::RecordCallback, callback, &order).ok());

  auto closed = http.Request("GET", absl::StrCat("/open311/v2/requests/", id, ".json"));
  REQUIRE(closed.ok());
  INFO(closed->body);
  CHECK(absl::StrContains(closed->body, R"("status":"closed")"));
  CHECK(absl::StrContains(closed->body, "The pothole was filled on Friday."));

  auto listed = http.Request(
      "GET", absl::StrCat("/open311/v2/requests.json?service_request_id=", id, "&status=closed"));
  REQUIRE(listed.ok());
  CHECK(listed->status == 200);
  CHECK(RequestId(listed->body) == id);
  auto none_open = http.Request("GET", "/open311/v2/requests.json?status=open");
  REQUIRE(none_open.ok());
  CHECK(none_open->body == "[]");
}

TEST_CASE("Open311 errors come as an array of code and description") {
  ComplaintStack s;
  HttpConnection http(s.stack->gateway_port());
  const std::string valid =
      "service_code=streetlight&address_string=Main+Street&description=Light+out";

  auto no_key = http.Request("POST", "/open311/v2/requests.json", valid, kForm);
  REQUIRE(no_key.ok());
  CHECK(no_key->status == 403);
  CHECK(absl::StartsWith(no_key->body, R"([{"code":403,"description":)"));
  auto wrong_key = http.Request("POST", "/open311/v2/requests.json",
                                valid + "&api_key=not-the-key-at-all", kForm);
  REQUIRE(wrong_key.ok());
  CHECK(wrong_key->status == 403);

  const std::string key = absl::StrCat("&api_key=", kOpen311Key);
  auto unknown_service =
      http.Request("POST", "/open311/v2/requests.json",
                   "service_code=unicorns&address_string=Main+Street" + key, kForm);
  REQUIRE(unknown_service.ok());
  CHECK(unknown_service->status == 404);
  // The unknown service does not hide what else is wrong.
  auto unknown_and_phone =
      http.Request("POST", "/open311/v2/requests.json",
                   "service_code=unicorns&address_string=Main+Street&phone=12" + key, kForm);
  REQUIRE(unknown_and_phone.ok());
  CHECK(unknown_and_phone->status == 404);
  CHECK(absl::StrContains(unknown_and_phone->body, "service_code: unknown"));
  CHECK(absl::StrContains(unknown_and_phone->body, "phone: "));
  // In the client's own words, not the backend's.
  CHECK_FALSE(absl::StrContains(unknown_and_phone->body, "contact_phone"));
  // A name inside a problem is the client's own and stays.
  auto odd_attribute = http.Request(
      "POST", "/open311/v2/requests.json",
      "service_code=streetlight&address_string=Main+Street&attribute[contact_phone]=1" + key,
      kForm);
  REQUIRE(odd_attribute.ok());
  CHECK(odd_attribute->status == 400);
  CHECK(absl::StrContains(odd_attribute->body, "attributes.contact_phone"));
  auto no_location =
      http.Request("POST", "/open311/v2/requests.json", "service_code=streetlight" + key, kForm);
  REQUIRE(no_location.ok());
  CHECK(no_location->status == 400);
  CHECK(absl::StrContains(no_location->body, "location"));
  auto other_jurisdiction = http.Request("POST", "/open311/v2/requests.json",
                                         valid + key + "&jurisdiction_id=elsewhere", kForm);
  REQUIRE(other_jurisdiction.ok());
  CHECK(other_jurisdiction->status == 404);
  auto unknown_definition = http.Request("GET", "/open311/v2/services/unicorns.json");
  REQUIRE(unknown_definition.ok());
  CHECK(unknown_definition->status == 404);
  auto unknown_request = http.Request("GET", "/open311/v2/requests/wo_nope.json");
  REQUIRE(unknown_request.ok());
  CHECK(unknown_request->status == 404);
  auto xml = http.Request("GET", "/open311/v2/services.xml");
  REQUIRE(xml.ok());
  CHECK(xml->status == 400);
  auto bad_date = http.Request("GET", "/open311/v2/requests.json?start_date=yesterday");
  REQUIRE(bad_date.ok());
  CHECK(bad_date->status == 400);
  CHECK(absl::StrContains(bad_date->body, "start_date"));
  // Bytes that are not text name nothing, and a key that is not text is
  // refused: neither reaches the backend, which could not parse them.
  auto not_text = http.Request("GET", "/open311/v2/requests/%FF.json");
  REQUIRE(not_text.ok());
  CHECK(not_text->status == 404);
  testing::Headers with_key = kForm;
  with_key.emplace_back("Idempotency-Key", "caf\xE9");
  auto key_not_text = http.Request("POST", "/open311/v2/requests.json", valid + key, with_key);
  REQUIRE(key_not_text.ok());
  CHECK(key_not_text->status == 400);
  CHECK(absl::StrContains(key_not_text->body, "Idempotency-Key"));

  // JSON bodies work too, and a web citizen's order never shows in Open311.
  auto json = http.Request("POST", "/open311/v2/requests.json",
                           absl::StrCat(R"({"api_key":")", kOpen311Key,
                                        R"(","service_code":"streetlight","lat":23.1,"long":113.3,)"
                                        R"("description":"Dark corner"})"),
                           {{"Content-Type", "application/json"}});
  REQUIRE(json.ok());
  INFO(json->body);
  CHECK(json->status == 200);
  v1::SubmitWorkOrderRequest web;
  web.set_kind(v1::COMPLAINT);
  web.set_title("private matter");
  v1::WorkOrder private_order;
  REQUIRE(s.Call(Citizen("citizen-1"), &Stub::SubmitWorkOrder, web, &private_order).ok());
  auto hidden = http.Request(
      "GET", absl::StrCat("/open311/v2/requests/", private_order.work_order_id(), ".json"));
  REQUIRE(hidden.ok());
  CHECK(hidden->status == 404);
}

}  // namespace
}  // namespace onewindow::complaint_it
