// The pure parts of the gateway's Open311 GeoReport v2 adapter: parameter
// parsing, mapping onto complaint requests, and the JSON it answers with.
#include <catch2/catch.hpp>

#include "absl/strings/match.h"
#include "absl/time/civil_time.h"
#include "services/gateway/open311.h"

namespace onewindow::gateway {
namespace {

namespace v1 = complaint::v1;
using open311::Params;

absl::Time Cst(int y, int m, int d, int h = 0) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, h, 0, 0), absl::FixedTimeZone(8 * 3600));
}

google::protobuf::Timestamp Ts(absl::Time t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  return ts;
}

TEST_CASE("an Open311 form is decoded, with list attributes joined") {
  auto p = open311::ParseForm(
      "service_code=road-damage&description=Deep+hole%21&attribute%5Bkinds%5D%5B%5D=a"
      "&attribute%5Bkinds%5D%5B%5D=b&address_string=%E5%A4%A9%E6%B2%B3");
  REQUIRE(p.ok());
  CHECK(p->at("service_code") == "road-damage");
  CHECK(p->at("description") == "Deep hole!");
  CHECK(p->at("attribute[kinds]") == "a,b");
  CHECK(p->at("address_string") == "天河");
  CHECK(open311::ParseForm("a=%zz").status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(open311::ParseForm("a=%FF%FE").status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("an Open311 JSON body flattens, attributes included") {
  auto p = open311::ParseJsonObject(
      R"({"service_code":"noise","lat":23.5,"long":113.25,"attribute":{"severity":"major",)"
      R"("kinds":["a","b"]},"email":null})");
  REQUIRE(p.ok());
  CHECK(p->at("lat") == "23.5");
  CHECK(p->at("attribute[severity]") == "major");
  CHECK(p->at("attribute[kinds]") == "a,b");
  CHECK(p->count("email") == 0);
  CHECK_FALSE(open311::ParseJsonObject("[1,2]").ok());
  CHECK_FALSE(open311::ParseJsonObject("{nope").ok());
}

TEST_CASE("a request maps onto an Open311-channel work order, naming every problem") {
  Params p = {{"service_code", "road-damage"},
              {"lat", "23.1291"},
              {"long", "113.2644"},
              {"description", "Pothole by the school\nIt is 30 cm deep"},
              {"first_name", "Ann"},
              {"last_name", "Lee"},
              {"email", "ann@example.org"},
              {"attribute[severity]", "major"}};
  auto r = open311::ToSubmitRequest(p);
  REQUIRE(r.ok());
  CHECK(r->channel() == v1::OPEN311);
  CHECK(r->category_code() == "road-damage");
  CHECK(r->title() == "Pothole by the school");
  CHECK(r->location().coordinates().latitude() == Approx(23.1291));
  CHECK(r->contact_name() == "Ann Lee");
  CHECK(r->attributes().at("severity") == "major");

  auto bad = open311::ToSubmitRequest({{"lat", "north"}});
  REQUIRE(bad.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(bad.status().message(), "service_code"));
  CHECK(absl::StrContains(bad.status().message(), "lat, long"));
  auto nowhere = open311::ToSubmitRequest({{"service_code", "noise"}});
  CHECK(absl::StrContains(nowhere.status().message(), "location"));
  auto by_address = open311::ToSubmitRequest({{"service_code", "noise"}, {"address_id", "77"}});
  REQUIRE(by_address.ok());
  CHECK(by_address->location().address() == "address_id 77");
  CHECK(by_address->title() == "Open311 noise");
}

TEST_CASE("a request listing defaults to the last 90 days and filters by status") {
  const absl::Time now = Cst(2026, 4, 2, 9);
  auto all = open311::ToListRequest({}, now);
  REQUIRE(all.ok());
  CHECK(all->start_time().seconds() == absl::ToUnixSeconds(now - absl::Hours(24 * 90)));
  CHECK(all->status() == v1::OPEN_FILTER_UNSPECIFIED);
  CHECK(all->limit() == 1000);
  auto open = open311::ToListRequest({{"status", "open"}, {"service_code", "noise"}}, now);
  REQUIRE(open.ok());
  CHECK(open->status() == v1::ONLY_OPEN);
  CHECK(open->category_code() == "noise");
  auto ids = open311::ToListRequest({{"service_request_id", "wo_a, wo_b"}}, now);
  REQUIRE(ids.ok());
  CHECK(ids->work_order_ids_size() == 2);
  CHECK_FALSE(ids->has_start_time());  // Ids are looked up whenever they were filed.
  auto window = open311::ToListRequest(
      {{"start_date", "2026-03-01T00:00:00+08:00"}, {"end_date", "2026-03-02T00:00:00Z"}}, now);
  REQUIRE(window.ok());
  CHECK(window->start_time().seconds() == absl::ToUnixSeconds(Cst(2026, 3, 1)));
  auto bad = open311::ToListRequest({{"status", "pending"}, {"end_date", "soon"}}, now);
  REQUIRE(bad.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(bad.status().message(), "status"));
  CHECK(absl::StrContains(bad.status().message(), "end_date"));
  CHECK_FALSE(
      open311::ToListRequest(
          {{"start_date", "2026-03-02T00:00:00Z"}, {"end_date", "2026-03-01T00:00:00Z"}}, now)
          .ok());
  // absl::ParseTime's own words for the ends of time are no dates here.
  for (const char* never : {"infinite-past", "infinite-future"}) {
    auto endless = open311::ToListRequest({{"start_date", never}}, now);
    CHECK(endless.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(absl::StrContains(endless.status().message(), "start_date"));
  }
}

TEST_CASE("requests render as Open311 JSON with CST times and null coordinates") {
  v1::PublicWorkOrder closed;
  closed.set_work_order_id("wo_1");
  closed.set_state(v1::CLOSED);
  closed.set_category_code("road-damage");
  closed.set_category_name("道路破损");
  closed.set_description("He said \"deep\"");
  *closed.mutable_receive_time() = Ts(Cst(2026, 4, 2, 9));
  *closed.mutable_update_time() = Ts(Cst(2026, 4, 3, 9));
  *closed.mutable_due_time() = Ts(Cst(2026, 4, 11));
  closed.mutable_location()->mutable_coordinates()->set_latitude(23.1291);
  closed.mutable_location()->mutable_coordinates()->set_longitude(113.2644);
  v1::PublicWorkOrder open;
  open.set_work_order_id("wo_2");
  open.set_state(v1::DISPATCHED);
  const std::string json = open311::RenderRequests({closed, open});
  INFO(json);
  CHECK(absl::StartsWith(json, R"([{"service_request_id":"wo_1","status":"closed")"));
  CHECK(absl::StrContains(json, R"("requested_datetime":"2026-04-02T09:00:00+08:00")"));
  CHECK(absl::StrContains(json, R"("lat":23.1291,"long":113.2644)"));
  CHECK(absl::StrContains(json, R"(He said \"deep\")"));
  CHECK(absl::StrContains(json, R"("service_request_id":"wo_2","status":"open")"));
  CHECK(absl::StrContains(json, R"("lat":null,"long":null)"));
  CHECK(open311::RenderRequests({}) == "[]");
  CHECK(open311::RenderError(403, "api_key: missing") ==
        R"([{"code":403,"description":"api_key: missing"}])");
}

TEST_CASE("services and a service definition render the category's attributes") {
  v1::ListCategoriesResponse list;
  v1::Category* c = list.add_categories();
  c->set_code("road-damage");
  c->set_name("道路破损");
  c->add_keywords("pothole");
  c->add_keywords("坑洼");
  v1::CategoryAttribute* a = c->add_attributes();
  a->set_code("severity");
  a->set_datatype(v1::SINGLE_VALUE_LIST);
  a->set_required(true);
  a->add_values()->set_key("minor");
  list.add_categories()->set_code("noise");
  const std::string services = open311::RenderServices(list);
  INFO(services);
  CHECK(absl::StrContains(services, R"("metadata":true)"));
  CHECK(absl::StrContains(services, R"("metadata":false)"));
  CHECK(absl::StrContains(services, R"("keywords":"pothole,坑洼")"));
  CHECK(absl::StrContains(services, R"("type":"realtime")"));
  const std::string definition = open311::RenderDefinition(*c);
  INFO(definition);
  CHECK(absl::StrContains(definition, R"("datatype":"singlevaluelist","required":true)"));
  CHECK(absl::StrContains(definition, R"("values":[{"key":"minor","name":""}])"));
}

TEST_CASE("Open311 status codes and route labels") {
  CHECK(open311::HttpStatusFor(absl::StatusCode::kInvalidArgument) == 400);
  CHECK(open311::HttpStatusFor(absl::StatusCode::kPermissionDenied) == 403);
  CHECK(open311::HttpStatusFor(absl::StatusCode::kUnauthenticated) == 403);
  CHECK(open311::HttpStatusFor(absl::StatusCode::kNotFound) == 404);
  CHECK(open311::HttpStatusFor(absl::StatusCode::kUnavailable) == 503);
  CHECK(Open311::RouteLabel("/open311/v2/requests/wo_123.json") ==
        "/open311/v2/requests/{id}.json");
  CHECK(Open311::RouteLabel("/open311/v2/services.json") == "/open311/v2/services.json");
  CHECK(Open311::RouteLabel("/open311/v2/../../etc") == "/open311/unknown");
  CHECK(Open311::Owns("/open311/v2/services.json"));
  CHECK_FALSE(Open311::Owns("/api/v1/open311"));
}

}  // namespace
}  // namespace onewindow::gateway
