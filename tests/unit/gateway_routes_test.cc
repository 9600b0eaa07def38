#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <google/protobuf/compiler/importer.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/struct.pb.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/status/proto_json.h"
#include "onewindow/api/v1/annotations.pb.h"
#include "onewindow/catalog/v1/catalog.pb.h"
#include "services/gateway/openapi.h"
#include "services/gateway/path_template.h"
#include "services/gateway/route_table.h"
#include "services/gateway/transcoder.h"

#ifndef OW_SOURCE_DIR
#error "OW_SOURCE_DIR must name the repository root"
#endif

namespace {

namespace pb = google::protobuf;
using onewindow::gateway::FillRequest;
using onewindow::gateway::IsValidUtf8;
using onewindow::gateway::OpenApiDocument;
using onewindow::gateway::OpenApiOptions;
using onewindow::gateway::PathBinding;
using onewindow::gateway::PathTemplate;
using onewindow::gateway::PercentDecode;
using onewindow::gateway::Route;
using onewindow::gateway::RouteLookup;
using onewindow::gateway::RouteTable;
using onewindow::gateway::SplitPath;
using onewindow::gateway::SplitRequestTarget;
using onewindow::gateway::ToJson;

class CollectErrors : public pb::compiler::MultiFileErrorCollector {
 public:
  void AddError(const std::string& file, int line, int column,
                const std::string& message) override {
    absl::StrAppend(&errors_, file, ":", line + 1, ":", column + 1, ": ", message, "\n");
  }
  const std::string& errors() const { return errors_; }

 private:
  std::string errors_;
};

// The repository's protos and testdata from disk, plus protos a test writes
// inline (for the broken route declarations a real file should never hold).
class OverlaySourceTree : public pb::compiler::SourceTree {
 public:
  OverlaySourceTree() {
    disk_.MapPath("", OW_SOURCE_DIR "/proto");
    disk_.MapPath("", "/usr/include");
    disk_.MapPath("", OW_SOURCE_DIR "/tests/unit/testdata");
  }

  void Add(const std::string& name, std::string content) { inline_[name] = std::move(content); }

  pb::io::ZeroCopyInputStream* Open(const std::string& filename) override {
    auto it = inline_.find(filename);
    if (it != inline_.end()) {
      return new pb::io::ArrayInputStream(it->second.data(), static_cast<int>(it->second.size()));
    }
    return disk_.Open(filename);
  }

  std::string GetLastErrorMessage() override { return disk_.GetLastErrorMessage(); }

 private:
  pb::compiler::DiskSourceTree disk_;
  std::map<std::string, std::string> inline_;
};

// A descriptor pool built at run time, the way a test (or a tool) sees protos
// that are not compiled into the binary.
class RuntimeProtos {
 public:
  RuntimeProtos() : importer_(&tree_, &errors_) {}

  void AddInline(const std::string& name, std::string content) {
    tree_.Add(name, std::move(content));
  }

  const pb::FileDescriptor* Import(const std::string& name) {
    const pb::FileDescriptor* file = importer_.Import(name);
    INFO(errors_.errors());
    REQUIRE(file != nullptr);
    return file;
  }

  absl::StatusOr<RouteTable> Table(const std::vector<std::string>& names) {
    std::vector<const pb::FileDescriptor*> files;
    for (const std::string& name : names) files.push_back(Import(name));
    return RouteTable::FromPool(importer_.pool(), files);
  }

  std::unique_ptr<pb::Message> NewMessage(const pb::Descriptor* type) {
    return std::unique_ptr<pb::Message>(factory_.GetPrototype(type)->New());
  }

  const pb::DescriptorPool* pool() const { return importer_.pool(); }

 private:
  OverlaySourceTree tree_;
  CollectErrors errors_;
  pb::compiler::Importer importer_;
  pb::DynamicMessageFactory factory_;
};

RouteTable TestTable(RuntimeProtos& protos) {
  absl::StatusOr<RouteTable> table = protos.Table({"routes_test.proto"});
  INFO(table.status().ToString());
  REQUIRE(table.ok());
  return *std::move(table);
}

// One HTTP request through routing and transcoding: the request as JSON, or
// the error.
absl::StatusOr<std::string> Transcode(RuntimeProtos& protos, const RouteTable& table,
                                      const std::string& http_method, const std::string& target,
                                      const std::string& body = "") {
  auto [path, query] = SplitRequestTarget(target);
  RouteLookup lookup = table.Find(http_method, path);
  INFO(http_method << " " << target);
  REQUIRE(lookup.result == RouteLookup::Result::kFound);
  std::unique_ptr<pb::Message> request =
      protos.NewMessage(lookup.match.route->method->input_type());
  absl::Status status = FillRequest(lookup.match, query, body, request.get());
  if (!status.ok()) return status;
  return ToJson(*request);
}

std::string MethodFor(const RouteTable& table, const std::string& http_method,
                      const std::string& path) {
  RouteLookup lookup = table.Find(http_method, path);
  if (lookup.result != RouteLookup::Result::kFound) return "";
  return lookup.match.route->method->name();
}

// The error for a request that must fail as INVALID_ARGUMENT.
std::string InvalidArgument(const absl::StatusOr<std::string>& result) {
  INFO((result.ok() ? *result : result.status().ToString()));
  REQUIRE_FALSE(result.ok());
  CHECK(result.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(IsValidUtf8(result.status().message()));
  return std::string(result.status().message());
}

std::string ValueOf(const absl::StatusOr<std::string>& result) {
  INFO(result.status().ToString());
  REQUIRE(result.ok());
  return *result;
}

std::string RouteProto(const std::string& body) {
  return absl::StrCat(
      "syntax = \"proto3\";\n"
      "package onewindow.testing.inline;\n"
      "import \"onewindow/api/v1/annotations.proto\";\n"
      "message Inner { string id = 1; }\n"
      "message Req { string a = 1; string b = 2; Inner inner = 3; repeated string tags = 4;\n"
      "  int32 n = 5; }\n"
      "message Resp {}\n",
      body);
}

absl::Status InlineTableStatus(const std::string& services) {
  RuntimeProtos protos;
  protos.AddInline("inline.proto", RouteProto(services));
  return protos.Table({"inline.proto"}).status();
}

TEST_CASE("path templates parse literals and dotted variables and refuse the rest") {
  absl::StatusOr<PathTemplate> t =
      PathTemplate::Parse("/api/v1/applications/{application_id}/materials/{material.id}");
  REQUIRE(t.ok());
  CHECK(t->variables() == std::vector<std::string>{"application_id", "material.id"});
  CHECK(t->text() == "/api/v1/applications/{application_id}/materials/{material.id}");

  for (const char* bad : {"", "api/v1", "/a//b", "/a/", "/a/{x}y", "/a/{x=**}", "/a/{x}/{x}",
                          "/a/{}", "/a/{1x}", "/a/{x.}", "/a/b c", "/a/%41", "/a/..", "/a/{x"}) {
    INFO(bad);
    CHECK_FALSE(PathTemplate::Parse(bad).ok());
  }
}

TEST_CASE("paths are split before percent-decoding, so an encoded slash stays in its segment") {
  absl::StatusOr<std::vector<std::string>> segments = SplitPath("/a/b%2Fc/%E7%A4%BE%E4%BF%9D");
  REQUIRE(segments.ok());
  CHECK(*segments == std::vector<std::string>{"a", "b/c", "社保"});
  CHECK(SplitPath("/a+b")->at(0) == "a+b");
  CHECK_FALSE(SplitPath("/a/%zz").ok());
  CHECK_FALSE(SplitPath("/a/%4").ok());
  CHECK_FALSE(SplitPath("relative").ok());
  CHECK(SplitPath("/")->empty());
  CHECK(*PercentDecode("a+b%20c", /*plus_as_space=*/true) == "a b c");

  auto [path, query] = SplitRequestTarget("/x/y?a=1&b=2#frag");
  CHECK(path == "/x/y");
  CHECK(query == "a=1&b=2");
  CHECK(SplitRequestTarget("/x").second.empty());
}

TEST_CASE("a literal segment is more specific than a variable in the same place") {
  PathTemplate literal = *PathTemplate::Parse("/items/search");
  PathTemplate variable = *PathTemplate::Parse("/items/{code}");
  PathTemplate early_literal = *PathTemplate::Parse("/items/{code}/x");
  PathTemplate late_literal = *PathTemplate::Parse("/{a}/{b}/x");
  CHECK(PathTemplate::MoreSpecific(literal, variable));
  CHECK_FALSE(PathTemplate::MoreSpecific(variable, literal));
  CHECK(PathTemplate::MoreSpecific(early_literal, late_literal));
  CHECK(literal.SameShape(literal));
  CHECK_FALSE(literal.SameShape(variable));
  CHECK(PathTemplate::Parse("/items/{other}")->SameShape(variable));
}

TEST_CASE("custom http options on a runtime-imported method are read with GetExtension") {
  RuntimeProtos protos;
  const pb::FileDescriptor* file = protos.Import("routes_test.proto");
  const pb::MethodDescriptor* method =
      file->FindServiceByName("ItemService")->FindMethodByName("GetItem");
  REQUIRE(method != nullptr);
  REQUIRE(method->options().HasExtension(onewindow::api::v1::http));
  CHECK(method->options().GetExtension(onewindow::api::v1::http).get() ==
        "/api/v1/items/{implementation_code}");

  RouteTable table = TestTable(protos);
  RouteLookup lookup = table.Find("GET", "/api/v1/items/X");
  REQUIRE(lookup.result == RouteLookup::Result::kFound);
  const Route& route = *lookup.match.route;
  CHECK(route.grpc_path == "/onewindow.testing.v1.ItemService/GetItem");
  CHECK(route.access == onewindow::api::v1::PUBLIC);
  CHECK(route.summary == "One service item");
  CHECK(route.backend == "testing");
  CHECK(route.body_field.empty());

  // Unrouted and streaming methods without an option are simply skipped.
  for (const Route& r : table.routes()) {
    CHECK(r.method->name() != "ImportItems");
    CHECK(r.method->name() != "WatchItems");
  }
  lookup = table.Find("DELETE", "/api/v1/items/X");
  REQUIRE(lookup.result == RouteLookup::Result::kFound);
  CHECK(lookup.match.route->access == onewindow::api::v1::SIGNED_IN);
  lookup = table.Find("GET", "/api/v1/applications/A/materials/M");
  REQUIRE(lookup.result == RouteLookup::Result::kFound);
  // No access in the option means signed in, and callers never see UNSPECIFIED.
  CHECK(lookup.match.route->access == onewindow::api::v1::SIGNED_IN);
  CHECK(lookup.match.route->personal_data);
}

TEST_CASE("routes compiled into the binary are read from the generated pool") {
  // Referencing the generated type keeps its .pb.cc (and descriptor) linked.
  const pb::FileDescriptor* file = onewindow::catalog::v1::GetRegionRequest::descriptor()->file();
  absl::StatusOr<RouteTable> table = RouteTable::FromGeneratedPool({file->name()});
  INFO(table.status().ToString());
  REQUIRE(table.ok());
  RouteLookup lookup = table->Find("GET", "/api/v1/regions/110000000000");
  REQUIRE(lookup.result == RouteLookup::Result::kFound);
  CHECK(lookup.match.route->grpc_path == "/onewindow.catalog.v1.CatalogService/GetRegion");
  CHECK(lookup.match.route->backend == "catalog");
  CHECK(lookup.match.bindings == std::vector<PathBinding>{{"code", "110000000000"}});

  CHECK(RouteTable::FromGeneratedPool({"onewindow/nope/v1/nope.proto"}).status().code() ==
        absl::StatusCode::kNotFound);
}

TEST_CASE("every route declared in the repository's protos builds into one table") {
  RuntimeProtos protos;
  std::vector<std::string> names;
  const std::filesystem::path root = OW_SOURCE_DIR "/proto";
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root / "onewindow")) {
    if (entry.path().extension() == ".proto") {
      names.push_back(std::filesystem::relative(entry.path(), root).generic_string());
    }
  }
  REQUIRE_FALSE(names.empty());
  absl::StatusOr<RouteTable> table = protos.Table(names);
  INFO(table.status().ToString());
  REQUIRE(table.ok());
  CHECK_FALSE(table->routes().empty());

  OpenApiOptions options;
  options.material_transfer = true;
  options.ops_traffic = true;
  options.open311 = true;
  std::string doc = OpenApiDocument(*table, "OneWindow", "1", options);
  pb::Value parsed;
  CHECK(onewindow::status::JsonToMessage(doc, &parsed).ok());
  // All three material routes (the description transcoded from the table,
  // upload and download described by hand) and every other route the
  // gateway serves by hand, none clashing with a declared one.
  const auto& paths = parsed.struct_value().fields().at("paths").struct_value().fields();
  for (const auto& [path, verb] : std::vector<std::pair<std::string, std::string>>{
           {"/api/v1/materials/{material_id}", "get"},
           {"/api/v1/materials", "post"},
           {"/api/v1/materials/{material_id}/content", "get"},
           {"/healthz", "get"},
           {"/readyz", "get"},
           {"/api/openapi.json", "get"},
           {"/api/v1/sessions", "post"},
           {"/api/v1/sessions/current", "delete"},
           {"/api/v1/ops/traffic", "get"},
           {"/open311/v2/services.json", "get"},
           {"/open311/v2/services/{service_code}.json", "get"},
           {"/open311/v2/requests.json", "get"},
           {"/open311/v2/requests.json", "post"},
           {"/open311/v2/requests/{service_request_id}.json", "get"},
           {"/open311/v2/tokens/{token}.json", "get"}}) {
    INFO(verb << " " << path);
    REQUIRE(paths.count(path) == 1);
    CHECK(paths.at(path).struct_value().fields().count(verb) == 1);
  }
  for (const char* path : {"/api/v1/sessions", "/api/v1/sessions/current", "/healthz", "/readyz",
                           "/api/v1/ops/traffic"}) {
    INFO(path);
    CHECK(table->Find("GET", path).result == RouteLookup::Result::kNotFound);
  }
}

TEST_CASE("a path variable takes a percent-encoded Chinese value") {
  RuntimeProtos protos;
  RouteTable table = TestTable(protos);
  // 社保卡 encoded, as browsers send it.
  CHECK(ValueOf(Transcode(protos, table, "GET", "/api/v1/items/%E7%A4%BE%E4%BF%9D%E5%8D%A1")) ==
        R"({"implementationCode":"社保卡"})");
  // Raw UTF-8 from a lenient client works the same.
  CHECK(ValueOf(Transcode(protos, table, "GET", "/api/v1/items/社保卡")) ==
        R"({"implementationCode":"社保卡"})");
  CHECK(ValueOf(Transcode(protos, table, "GET", "/api/v1/items/a%2Fb+c")) ==
        R"({"implementationCode":"a/b+c"})");
  // Decoded bytes that are not UTF-8 cannot become a proto3 string.
  std::string message = InvalidArgument(Transcode(protos, table, "GET", "/api/v1/items/%FF%FE"));
  CHECK_THAT(message, Catch::Contains("implementation_code"));
  CHECK_THAT(message, Catch::Contains("UTF-8"));
}

TEST_CASE("a dotted path variable fills a field of a nested message") {
  RuntimeProtos protos;
  RouteTable table = TestTable(protos);
  CHECK(ValueOf(Transcode(protos, table, "GET", "/api/v1/applications/SQ-1/materials/m%201")) ==
        R"({"applicationId":"SQ-1","material":{"id":"m 1"}})");
  CHECK(ValueOf(Transcode(protos, table, "GET",
                          "/api/v1/applications/SQ-1/materials/m1?material.kind=photo")) ==
        R"({"applicationId":"SQ-1","material":{"id":"m1","kind":"photo"}})");
}

TEST_CASE("a literal route wins over a variable route that also matches") {
  RuntimeProtos protos;
  RouteTable table = TestTable(protos);
  CHECK(MethodFor(table, "GET", "/api/v1/items/search") == "SearchItems");
  CHECK(MethodFor(table, "GET", "/api/v1/items/searching") == "GetItem");
  // For a method the literal route lacks, the variable route still answers.
  CHECK(MethodFor(table, "DELETE", "/api/v1/items/search") == "DeleteItem");
}

TEST_CASE("a known path with the wrong method is method-not-allowed, an unknown path not-found") {
  RuntimeProtos protos;
  RouteTable table = TestTable(protos);

  RouteLookup lookup = table.Find("POST", "/api/v1/items/X");
  CHECK(lookup.result == RouteLookup::Result::kMethodNotAllowed);
  CHECK(lookup.allowed_methods == std::vector<std::string>{"DELETE", "GET", "PATCH", "PUT"});
  CHECK(lookup.match.route == nullptr);

  lookup = table.Find("GET", "/api/v1/items");
  CHECK(lookup.result == RouteLookup::Result::kMethodNotAllowed);
  CHECK(lookup.allowed_methods == std::vector<std::string>{"POST"});

  for (const char* path :
       {"/api/v1/nothing", "/api/v1/items/X/extra", "/api/v1/items/", "/api/v1/items//",
        "/api/v1/items/%zz", "api/v1/items", "", "/", "/api/v1/applications//materials/m"}) {
    INFO(path);
    CHECK(table.Find("GET", path).result == RouteLookup::Result::kNotFound);
  }
  // Methods are case-sensitive on the wire.
  CHECK(table.Find("get", "/api/v1/items/X").result == RouteLookup::Result::kMethodNotAllowed);
}

TEST_CASE("query parameters fill repeated, enum, bool, integer, nested and well-known fields") {
  RuntimeProtos protos;
  RouteTable table = TestTable(protos);
  CHECK(ValueOf(Transcode(
            protos, table, "GET",
            "/api/v1/items/search?query=%E6%88%B7%E5%8F%A3+%E8%BF%81%E7%A7%BB&topic=a&topic=b"
            "&status=PUBLISHED&onlineOnly=true&page_size=-2147483648"
            "&min_revision=9223372036854775807&maxVisits=4294967295&min_rating=4.5&weight=0.5"
            "&filter.region_code=4419&filter.level=4&statuses=DRAFT&statuses=3"
            "&updatedAfter=2024-05-01T08:00:00Z&time_limit_days=20&cursor=AAE%3D"
            "&ids=1&ids=-2&department_code=D1")) ==
        R"({"query":"户口 迁移","topic":["a","b"],"status":"PUBLISHED","onlineOnly":true,)"
        R"("pageSize":-2147483648,"minRevision":"9223372036854775807","maxVisits":4294967295,)"
        R"("minRating":4.5,"weight":0.5,"filter":{"regionCode":"4419","level":4},)"
        R"("statuses":["DRAFT","RETIRED"],"updatedAfter":"2024-05-01T08:00:00Z",)"
        R"("timeLimitDays":20,"cursor":"AAE=","ids":["1","-2"],"departmentCode":"D1"})");
  // Empty pieces ("&&", a trailing '&') are harmless.
  CHECK(ValueOf(Transcode(protos, table, "GET", "/api/v1/items/search?&query=x&&")) ==
        R"({"query":"x"})");
  CHECK(ValueOf(Transcode(protos, table, "GET", "/api/v1/items/search?query=")) == "{}");
}

TEST_CASE("query integers and floats are checked for syntax and range") {
  RuntimeProtos protos;
  RouteTable table = TestTable(protos);
  auto search = [&](const std::string& query) {
    return Transcode(protos, table, "GET", "/api/v1/items/search?" + query);
  };
  CHECK(ValueOf(search("page_size=2147483647")) == R"({"pageSize":2147483647})");
  std::string message = InvalidArgument(search("page_size=2147483648"));
  CHECK_THAT(message, Catch::Contains("page_size") && Catch::Contains("out of range for int32"));
  CHECK_THAT(InvalidArgument(search("min_revision=9223372036854775808")),
             Catch::Contains("min_revision") && Catch::Contains("int64"));
  CHECK_THAT(InvalidArgument(search("maxVisits=-1")), Catch::Contains("maxVisits"));
  CHECK_THAT(InvalidArgument(search("maxVisits=4294967296")),
             Catch::Contains("out of range for uint32"));
  for (const char* bad : {"page_size=1.5", "page_size=", "page_size=%201", "page_size=+1",
                          "page_size=0x10", "page_size=1e3", "page_size=--1", "page_size=-"}) {
    INFO(bad);
    CHECK_THAT(InvalidArgument(search(bad)), Catch::Contains("page_size"));
  }
  CHECK_THAT(InvalidArgument(search("weight=1e39")), Catch::Contains("out of range for float"));
  CHECK_THAT(InvalidArgument(search("min_rating=1e999")), Catch::Contains("out of range"));
  CHECK_THAT(InvalidArgument(search("min_rating=abc")), Catch::Contains("min_rating"));
  CHECK(ValueOf(search("min_rating=-Infinity")) == R"({"minRating":"-Infinity"})");
  CHECK_THAT(InvalidArgument(search("updated_after=yesterday")),
             Catch::Contains("updated_after") && Catch::Contains("RFC 3339"));
  CHECK_THAT(InvalidArgument(search("time_limit_days=99999999999")),
             Catch::Contains("time_limit_days"));
  CHECK_THAT(InvalidArgument(search("cursor=%%%")), Catch::Contains("cursor"));
  CHECK_THAT(InvalidArgument(search("cursor=!!")), Catch::Contains("base64"));
}

TEST_CASE("query enums take names or numbers, bools only true or false") {
  RuntimeProtos protos;
  RouteTable table = TestTable(protos);
  auto search = [&](const std::string& query) {
    return Transcode(protos, table, "GET", "/api/v1/items/search?" + query);
  };
  CHECK(ValueOf(search("status=2")) == R"({"status":"PUBLISHED"})");
  CHECK(ValueOf(search("status=RETIRED")) == R"({"status":"RETIRED"})");
  CHECK_THAT(InvalidArgument(search("status=9")),
             Catch::Contains("status") && Catch::Contains("onewindow.testing.v1.ItemStatus"));
  CHECK_THAT(InvalidArgument(search("status=published")), Catch::Contains("status"));
  CHECK(ValueOf(search("online_only=false")) == "{}");
  for (const char* bad : {"online_only=1", "online_only=TRUE", "online_only=yes", "online_only="}) {
    INFO(bad);
    CHECK_THAT(InvalidArgument(search(bad)), Catch::Contains("online_only"));
  }
}

TEST_CASE("an unknown query parameter is rejected by name") {
  RuntimeProtos protos;
  RouteTable table = TestTable(protos);
  auto search = [&](const std::string& query) {
    return Transcode(protos, table, "GET", "/api/v1/items/search?" + query);
  };
  CHECK_THAT(InvalidArgument(search("query=x&colour=red")),
             Catch::Contains("unknown") && Catch::Contains("'colour'"));
  CHECK_THAT(InvalidArgument(search("filter.colour=red")), Catch::Contains("'filter.colour'"));
  CHECK_THAT(InvalidArgument(search("query.x=1")), Catch::Contains("query"));
  // A name that is not UTF-8 is escaped in the message, never echoed raw.
  CHECK_THAT(InvalidArgument(search("%FF%00=1")), Catch::Contains("\\xFF\\x00"));
  CHECK_THAT(InvalidArgument(search("%zz=1")), Catch::Contains("percent-encoded"));
  CHECK_THAT(InvalidArgument(search("query=%zz")), Catch::Contains("'query'"));
  CHECK_THAT(InvalidArgument(search("query")), Catch::Contains("no value"));
  CHECK_THAT(InvalidArgument(search("=1")), Catch::Contains("empty name"));
  CHECK_THAT(InvalidArgument(search("query=%C3%28")), Catch::Contains("UTF-8"));
}

TEST_CASE("the query cannot repeat, override or contradict what path, body or oneof set") {
  RuntimeProtos protos;
  RouteTable table = TestTable(protos);
  auto search = [&](const std::string& query) {
    return Transcode(protos, table, "GET", "/api/v1/items/search?" + query);
  };
  CHECK_THAT(InvalidArgument(search("query=a&query=b")), Catch::Contains("more than once"));
  CHECK_THAT(InvalidArgument(search("department_code=D&region=R")),
             Catch::Contains("'region'") && Catch::Contains("scope"));
  CHECK_THAT(InvalidArgument(search("fees.name=x")), Catch::Contains("'fees.name'"));
  CHECK_THAT(InvalidArgument(search("filter=x")), Catch::Contains("'filter'"));
  CHECK_THAT(
      InvalidArgument(Transcode(protos, table, "GET", "/api/v1/items/A?implementationCode=B")),
      Catch::Contains("path"));
  CHECK_THAT(InvalidArgument(Transcode(protos, table, "POST", "/api/v1/items?name=x", "{}")),
             Catch::Contains("'name'") && Catch::Contains("body"));
  CHECK_THAT(InvalidArgument(Transcode(protos, table, "PATCH", "/api/v1/items/A?item.name=x")),
             Catch::Contains("'item.name'") && Catch::Contains("body"));
}

TEST_CASE("a JSON body fills the whole request for body \"*\" under either field naming") {
  RuntimeProtos protos;
  RouteTable table = TestTable(protos);
  CHECK(ValueOf(Transcode(protos, table, "POST", "/api/v1/items",
                          R"({"implementationCode":"C1","name":"居住证办理",
                              "topics":["a"],"time_limit_days":"5","status":"DRAFT",
                              "revision":"12345678901234"})")) ==
        R"({"implementationCode":"C1","name":"居住证办理","topics":["a"],"timeLimitDays":5,)"
        R"("status":"DRAFT","revision":"12345678901234"})");
  // An empty body is an empty object.
  CHECK(ValueOf(Transcode(protos, table, "POST", "/api/v1/items", "")) == "{}");
  CHECK(ValueOf(Transcode(protos, table, "POST", "/api/v1/items", " \r\n")) == "{}");
}

TEST_CASE("a path value wins over the body for the same field") {
  RuntimeProtos protos;
  RouteTable table = TestTable(protos);
  CHECK(ValueOf(Transcode(protos, table, "PUT", "/api/v1/items/FROM-PATH",
                          R"({"implementationCode":"FROM-BODY","name":"n"})")) ==
        R"({"implementationCode":"FROM-PATH","name":"n"})");
}

TEST_CASE("a named body field takes the JSON body, path and query fill the rest") {
  RuntimeProtos protos;
  RouteTable table = TestTable(protos);
  CHECK(ValueOf(Transcode(protos, table, "PATCH", "/api/v1/items/C1?reason=typo",
                          R"({"implementationCode":"C1","name":"新名称","labels":{"k":"v"},
                              "updateTime":"2024-01-02T03:04:05Z","timeLimitDays":null,
                              "extra":{"a":[1,"x"]},"icon":"AAE=","feeTotal":1.5,
                              "fees":[{"name":"工本费","amount_fen":"18446744073709551615"}]})")) ==
        R"({"implementationCode":"C1","item":{"implementationCode":"C1","name":"新名称",)"
        R"("labels":{"k":"v"},"updateTime":"2024-01-02T03:04:05Z","extra":{"a":[1,"x"]},)"
        R"("fees":[{"name":"工本费","amountFen":"18446744073709551615"}],"icon":"AAE=",)"
        R"("feeTotal":1.5},"reason":"typo"})");
  // The body is the Item, not the whole request.
  CHECK_THAT(InvalidArgument(
                 Transcode(protos, table, "PATCH", "/api/v1/items/C1", R"({"item":{"name":"x"}})")),
             Catch::Contains("item"));
}

TEST_CASE("a JSON body with an unknown field is rejected naming the field") {
  RuntimeProtos protos;
  RouteTable table = TestTable(protos);
  std::string message = InvalidArgument(
      Transcode(protos, table, "POST", "/api/v1/items", R"({"name":"x","colour":"red"})"));
  CHECK_THAT(message, Catch::Contains("colour"));
  CHECK_THAT(message, Catch::StartsWith("request body"));
  CHECK_THAT(InvalidArgument(Transcode(protos, table, "PATCH", "/api/v1/items/C1",
                                       R"({"fees":[{"name":"x","bogus":1}]})")),
             Catch::Contains("bogus"));
}

TEST_CASE("a JSON body with a wrong type is rejected naming the field") {
  RuntimeProtos protos;
  RouteTable table = TestTable(protos);
  auto create = [&](const std::string& body) {
    return Transcode(protos, table, "POST", "/api/v1/items", body);
  };
  // protobuf names the field by its proto name in these.
  CHECK_THAT(InvalidArgument(create(R"({"timeLimitDays":"abc"})")),
             Catch::Contains("time_limit_days"));
  CHECK_THAT(InvalidArgument(create(R"({"timeLimitDays":1.5})")),
             Catch::Contains("time_limit_days"));
  CHECK_THAT(InvalidArgument(create(R"({"timeLimitDays":3000000000})")),
             Catch::Contains("time_limit_days"));
  CHECK_THAT(InvalidArgument(create(R"({"name":5})")), Catch::Contains("name"));
  CHECK_THAT(InvalidArgument(create(R"({"name":true})")), Catch::Contains("name"));
  CHECK_THAT(InvalidArgument(create(R"({"status":"NOPE"})")), Catch::Contains("status"));
  CHECK_THAT(InvalidArgument(create(R"({"name":{"x":1}})")), Catch::Contains("name"));
  CHECK_THAT(InvalidArgument(create(R"({"name":["x"]})")), Catch::Contains("name"));
  // protobuf alone would take "a" as ["a"] and drop nulls from arrays.
  CHECK_THAT(InvalidArgument(create(R"({"topics":"a"})")),
             Catch::Contains("topics: expected a JSON array"));
  CHECK_THAT(InvalidArgument(create(R"({"topics":["a",null]})")),
             Catch::Contains("topics[1]: null"));
  CHECK(ValueOf(create(R"({"topics":null,"name":null})")) == "{}");

  auto update = [&](const std::string& body) {
    return Transcode(protos, table, "PATCH", "/api/v1/items/C1", body);
  };
  CHECK_THAT(InvalidArgument(update(R"({"fees":{"name":"x"}})")),
             Catch::Contains("fees: expected a JSON array"));
  CHECK_THAT(InvalidArgument(update(R"({"fees":[{"name":"x"},"y"]})")),
             Catch::Contains("fees[1]: expected a JSON object"));
  CHECK_THAT(InvalidArgument(update(R"({"labels":["x"]})")), Catch::Contains("labels"));
  CHECK_THAT(InvalidArgument(update(R"({"labels":{"k":1}})")), Catch::Contains("labels"));
  CHECK_THAT(InvalidArgument(update(R"({"updateTime":"yesterday"})")),
             Catch::Contains("update_time"));
  CHECK_THAT(InvalidArgument(update("[]")), Catch::Contains("expected a JSON object"));
}

TEST_CASE("a route without a body refuses one") {
  RuntimeProtos protos;
  RouteTable table = TestTable(protos);
  CHECK_THAT(InvalidArgument(Transcode(protos, table, "GET", "/api/v1/items/A", "{}")),
             Catch::Contains("no body"));
  CHECK(ValueOf(Transcode(protos, table, "GET", "/api/v1/items/A", "\n")) ==
        R"({"implementationCode":"A"})");
}

TEST_CASE("invalid UTF-8 and garbage bodies are INVALID_ARGUMENT, never a crash") {
  RuntimeProtos protos;
  RouteTable table = TestTable(protos);
  auto create = [&](const std::string& body) {
    return Transcode(protos, table, "POST", "/api/v1/items", body);
  };
  CHECK_THAT(InvalidArgument(create("{\"name\":\"\xC3\x28\"}")), Catch::Contains("UTF-8"));
  CHECK_THAT(InvalidArgument(create("{\"name\":\"\xED\xA0\x80\"}")), Catch::Contains("UTF-8"));
  CHECK_THAT(InvalidArgument(create("{\"name\":\"\xF4\x90\x80\x80\"}")), Catch::Contains("UTF-8"));
  for (const std::string& garbage :
       {std::string("{"), std::string("}"), std::string("[]"), std::string("null"),
        std::string("\"str\""), std::string("{\"name\":}"), std::string("{\"name\" \"x\"}"),
        std::string("{\"name\":\"x\"} trailing"), std::string(1000, '['), std::string(1000, '{'),
        std::string("{\"name\":\"\\ud800\"}"), std::string("{\"name\":\"\\u0000\"}"),
        std::string("\0\0\0", 3), std::string("{\"revision\":\"99999999999999999999\"}"),
        std::string("{\"revision\":1e400}"), std::string("{\"topics\":[1,[2]]}")}) {
    INFO(garbage.substr(0, 40));
    absl::StatusOr<std::string> result = create(garbage);
    if (!result.ok()) {
      CHECK(result.status().code() == absl::StatusCode::kInvalidArgument);
      CHECK(IsValidUtf8(result.status().message()));
    }
  }
  // Syntax errors say what is wrong on one line without quoting the body back.
  std::string message = InvalidArgument(create(R"({"name":"secret-id-110101"} trailing)"));
  CHECK_THAT(message, Catch::StartsWith("request body: not valid JSON"));
  CHECK_THAT(message, !Catch::Contains("secret") && !Catch::Contains("\n"));
  CHECK_FALSE(create("{").ok());
  CHECK_FALSE(create(std::string(1000, '[')).ok());

  // Random bytes and random mutations of a valid body: any outcome but a
  // crash or an error of another kind.
  std::mt19937 random(20240501);
  const std::string valid = R"({"implementationCode":"C1","topics":["a","b"],"revision":"7"})";
  for (int i = 0; i < 3000; ++i) {
    std::string body;
    if (i % 2 == 0) {
      body.resize(random() % 64);
      for (char& c : body) c = static_cast<char>(random() % 256);
    } else {
      body = valid;
      for (int k = 0; k < 3; ++k) body[random() % body.size()] = static_cast<char>(random() % 256);
    }
    absl::StatusOr<std::string> result = create(body);
    if (!result.ok()) {
      INFO(result.status().ToString());
      CHECK(result.status().code() == absl::StatusCode::kInvalidArgument);
    }
  }
  for (int i = 0; i < 2000; ++i) {
    std::string query(random() % 40, ' ');
    static constexpr char kAlphabet[] = "=&%+.aZ09_\xFF\xE7";
    for (char& c : query) c = kAlphabet[random() % (sizeof(kAlphabet) - 1)];
    absl::StatusOr<std::string> result =
        Transcode(protos, table, "GET", "/api/v1/items/search?" + query);
    if (!result.ok()) {
      INFO(query);
      CHECK(result.status().code() == absl::StatusCode::kInvalidArgument);
      CHECK(IsValidUtf8(result.status().message()));
    }
  }
}

TEST_CASE("any request path routes or misses without crashing") {
  RuntimeProtos protos;
  RouteTable table = TestTable(protos);
  std::mt19937 random(7);
  static constexpr char kAlphabet[] = "/%0aF{}+.\xE7\xFF";
  for (int i = 0; i < 3000; ++i) {
    std::string path = i % 3 == 0 ? "/api/v1/items/" : "/";
    for (size_t n = random() % 24; n > 0; --n) {
      path.push_back(kAlphabet[random() % (sizeof(kAlphabet) - 1)]);
    }
    for (const char* method : {"GET", "PATCH", "PUT"}) {
      RouteLookup lookup = table.Find(method, path);
      if (lookup.result != RouteLookup::Result::kFound) continue;
      std::unique_ptr<pb::Message> request =
          protos.NewMessage(lookup.match.route->method->input_type());
      absl::Status status = FillRequest(lookup.match, "", "", request.get());
      if (!status.ok()) {
        INFO(status.ToString());
        CHECK(status.code() == absl::StatusCode::kInvalidArgument);
      }
    }
  }
}

TEST_CASE("ToJson prints lowerCamelCase names, enum names and 64-bit integers as strings") {
  RuntimeProtos protos;
  RouteTable table = TestTable(protos);
  CHECK(ValueOf(Transcode(protos, table, "DELETE", "/api/v1/items/A?expected_revision=42")) ==
        R"({"implementationCode":"A","expectedRevision":"42"})");
  CHECK(ValueOf(Transcode(protos, table, "GET", "/api/v1/items/search?status=1")) ==
        R"({"status":"DRAFT"})");
}

// Reading the OpenAPI document in tests: a member that must be there, one
// that may be, and the document itself.
const pb::Value& Field(const pb::Value& v, const std::string& key) {
  INFO("key " << key);
  REQUIRE(v.has_struct_value());
  auto it = v.struct_value().fields().find(key);
  REQUIRE(it != v.struct_value().fields().end());
  return it->second;
}

bool Has(const pb::Value& v, const std::string& key) {
  return v.struct_value().fields().count(key) > 0;
}

pb::Value ParseJson(const std::string& doc) {
  pb::Value root;
  REQUIRE(onewindow::status::JsonToMessage(doc, &root).ok());
  return root;
}

TEST_CASE("route tables refuse duplicate routes, bad variables, bodies on GET and streaming") {
  const std::string prefix = "service S {\n";
  auto rpc = [](const std::string& name, const std::string& option,
                const std::string& shape = "(Req) returns (Resp)") {
    return absl::StrCat("  rpc ", name, shape, " { option (onewindow.api.v1.http) = {", option,
                        "}; }\n");
  };
  struct Case {
    const char* what;
    std::string services;
    const char* expect;
  };
  const std::vector<Case> cases = {
      {"same method and template",
       prefix + rpc("A", "get: '/x/{a}'") + rpc("B", "get: '/x/{a}'") + "}", "clash"},
      {"same shape, other variable names",
       prefix + rpc("A", "get: '/x/{a}'") + rpc("B", "get: '/x/{b}'") + "}", "S/A"},
      {"missing field", prefix + rpc("A", "get: '/x/{nope}'") + "}", "nope"},
      {"message field", prefix + rpc("A", "get: '/x/{inner}'") + "}", "inner"},
      {"repeated field", prefix + rpc("A", "get: '/x/{tags}'") + "}", "tags"},
      {"missing nested field", prefix + rpc("A", "get: '/x/{inner.nope}'") + "}", "nope"},
      {"through a scalar", prefix + rpc("A", "get: '/x/{a.b}'") + "}", "a.b"},
      {"GET with a body", prefix + rpc("A", "get: '/x' body: '*'") + "}", "body"},
      {"DELETE with a body", prefix + rpc("A", "delete: '/x' body: '*'") + "}", "body"},
      {"body names a scalar", prefix + rpc("A", "post: '/x' body: 'a'") + "}", "body field"},
      {"body names no field", prefix + rpc("A", "post: '/x' body: 'zz'") + "}", "zz"},
      {"streaming", prefix + rpc("A", "get: '/x'", "(Req) returns (stream Resp)") + "}",
       "streaming"},
      {"no pattern", prefix + rpc("A", "summary: 'x'") + "}", "none of"},
      {"bad template", prefix + rpc("A", "get: '/x/{a=**}'") + "}", "not supported"},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    absl::Status status = InlineTableStatus(c.services);
    CHECK(status.code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(status.message()), Catch::Contains(c.expect));
  }
  // Same template under different methods, and different shapes, are fine.
  CHECK(InlineTableStatus(prefix + rpc("A", "get: '/x/{a}'") +
                          rpc("B", "post: '/x/{a}' body: '*'") + rpc("C", "get: '/x/y'") +
                          rpc("D", "get: '/x/{a}/{b}'") + "}")
            .ok());
}

TEST_CASE("the OpenAPI document is valid JSON and lists every routed method") {
  RuntimeProtos protos;
  RouteTable table = TestTable(protos);
  const std::string doc = OpenApiDocument(table, "OneWindow test", "0.1");
  CHECK(doc == OpenApiDocument(table, "OneWindow test", "0.1"));

  pb::Value root;
  REQUIRE(onewindow::status::JsonToMessage(doc, &root).ok());
  CHECK(Field(root, "openapi").string_value() == "3.0.3");
  CHECK(Field(Field(root, "info"), "title").string_value() == "OneWindow test");

  const pb::Value& paths = Field(root, "paths");
  REQUIRE(table.routes().size() == 7);
  for (const Route& route : table.routes()) {
    std::string verb = route.http_method;
    for (char& c : verb) c = static_cast<char>(c - 'A' + 'a');
    const pb::Value& op = Field(Field(paths, route.path.text()), verb);
    CHECK(Field(op, "operationId").string_value() ==
          absl::StrCat(route.method->service()->name(), "_", route.method->name()));
    const bool secured = op.struct_value().fields().count("security") > 0;
    CHECK(secured == (route.access != onewindow::api::v1::PUBLIC));
    CHECK(Field(Field(Field(op, "responses"), "400"), "content").has_struct_value());
  }

  // Path parameters keep dotted names and are required; GET gets the rest as
  // query parameters; POST gets a body.
  const pb::Value& material =
      Field(Field(paths, "/api/v1/applications/{application_id}/materials/{material.id}"), "get");
  std::map<std::string, const pb::Value*> params;
  for (const pb::Value& p : Field(material, "parameters").list_value().values()) {
    params[Field(p, "name").string_value()] = &p;
  }
  REQUIRE(params.count("material.id") == 1);
  CHECK(Field(*params["material.id"], "in").string_value() == "path");
  CHECK(Field(*params["material.id"], "required").bool_value());
  REQUIRE(params.count("material.kind") == 1);
  CHECK(Field(*params["material.kind"], "in").string_value() == "query");

  const pb::Value& search = Field(Field(paths, "/api/v1/items/search"), "get");
  params.clear();
  for (const pb::Value& p : Field(search, "parameters").list_value().values()) {
    params[Field(p, "name").string_value()] = &p;
  }
  for (const char* name : {"query", "topic", "status", "onlineOnly", "filter.regionCode",
                           "updatedAfter", "timeLimitDays", "ids", "departmentCode"}) {
    INFO(name);
    CHECK(params.count(name) == 1);
  }
  CHECK(params.count("fees") == 0);
  CHECK(Field(Field(*params["topic"], "schema"), "type").string_value() == "array");
  CHECK(Field(Field(*params["updatedAfter"], "schema"), "format").string_value() == "date-time");

  const pb::Value& create = Field(Field(paths, "/api/v1/items"), "post");
  CHECK(Field(Field(Field(Field(create, "requestBody"), "content"), "application/json"), "schema")
            .struct_value()
            .fields()
            .at("$ref")
            .string_value() == "#/components/schemas/onewindow.testing.v1.CreateItemRequest");
  CHECK(create.struct_value().fields().count("parameters") == 0);

  const pb::Value& schemas = Field(Field(root, "components"), "schemas");
  const pb::Value& item = Field(Field(schemas, "onewindow.testing.v1.Item"), "properties");
  CHECK(Field(Field(item, "revision"), "type").string_value() == "string");
  CHECK(Field(Field(item, "revision"), "format").string_value() == "int64");
  CHECK(Field(Field(item, "updateTime"), "format").string_value() == "date-time");
  CHECK(Field(Field(item, "labels"), "type").string_value() == "object");
  CHECK(Field(Field(Field(item, "labels"), "additionalProperties"), "type").string_value() ==
        "string");
  CHECK(Field(Field(item, "topics"), "type").string_value() == "array");
  CHECK(Field(Field(item, "timeLimitDays"), "nullable").bool_value());
  CHECK(Field(Field(item, "fees"), "items").struct_value().fields().at("$ref").string_value() ==
        "#/components/schemas/onewindow.testing.v1.Fee");
  CHECK(Field(Field(Field(schemas, "onewindow.testing.v1.Fee"), "properties"), "amountFen")
            .struct_value()
            .fields()
            .at("format")
            .string_value() == "uint64");
  const pb::Value& status = Field(schemas, "onewindow.testing.v1.ItemStatus");
  CHECK(Field(status, "enum").list_value().values_size() == 4);
  const pb::Value& error = Field(Field(schemas, "Error"), "properties");
  CHECK(Field(Field(Field(error, "error"), "properties"), "details").has_struct_value());
  CHECK(Field(Field(Field(Field(root, "components"), "securitySchemes"), "ow_session"), "in")
            .string_value() == "cookie");
}

TEST_CASE("the OpenAPI document describes the material file routes the gateway serves by hand") {
  RuntimeProtos protos;
  RouteTable table = TestTable(protos);

  // Not served, not described.
  const pb::Value bare = ParseJson(OpenApiDocument(table, "OneWindow test", "0.1"));
  CHECK_FALSE(Has(Field(bare, "paths"), "/api/v1/materials"));
  CHECK_FALSE(Has(Field(bare, "paths"), "/api/v1/materials/{material_id}/content"));

  OpenApiOptions options;
  options.material_transfer = true;
  options.max_upload_bytes = 32 << 20;
  const std::string doc = OpenApiDocument(table, "OneWindow test", "0.1", options);
  CHECK(doc == OpenApiDocument(table, "OneWindow test", "0.1", options));
  const pb::Value root = ParseJson(doc);
  const pb::Value& paths = Field(root, "paths");
  const char* const kTypes[] = {"application/pdf", "image/jpeg", "image/png", "application/ofd"};

  // The upload: the raw file as the body, the name in the query, the
  // Material back as JSON, the gateway's limit stated.
  const pb::Value& upload = Field(Field(paths, "/api/v1/materials"), "post");
  CHECK(Field(upload, "operationId").string_value() == "IntakeService_UploadMaterial");
  CHECK(Has(upload, "security"));
  CHECK_THAT(Field(upload, "description").string_value(), Catch::Contains("32 MiB"));
  CHECK_THAT(Field(upload, "description").string_value(),
             Catch::Contains("PDF, JPEG, PNG and OFD, detected from the content"));
  std::map<std::string, const pb::Value*> params;
  for (const pb::Value& p : Field(upload, "parameters").list_value().values()) {
    params[Field(p, "name").string_value()] = &p;
  }
  REQUIRE(params.count("fileName") == 1);
  CHECK(Field(*params["fileName"], "in").string_value() == "query");
  REQUIRE(params.count("applicantId") == 1);
  CHECK(Field(*params["applicantId"], "in").string_value() == "query");
  const pb::Value& body = Field(upload, "requestBody");
  CHECK(Field(body, "required").bool_value());
  for (const char* type : kTypes) {
    INFO(type);
    CHECK(Field(Field(Field(Field(body, "content"), type), "schema"), "format").string_value() ==
          "binary");
  }
  const pb::Value& uploaded = Field(Field(upload, "responses"), "200");
  CHECK(Field(Field(Field(Field(uploaded, "content"), "application/json"), "schema"), "$ref")
            .string_value() == "#/components/schemas/onewindow.intake.v1.Material");
  for (const char* code : {"400", "401", "403", "413", "429", "503", "504"}) {
    INFO(code);
    CHECK(
        Field(Field(Field(Field(Field(upload, "responses"), code), "content"), "application/json"),
              "schema")
            .struct_value()
            .fields()
            .at("$ref")
            .string_value() == "#/components/schemas/Error");
  }

  // The download: the file back in its detected type, as an attachment with
  // its length; someone else's file is 404.
  const pb::Value& download = Field(Field(paths, "/api/v1/materials/{material_id}/content"), "get");
  CHECK(Field(download, "operationId").string_value() == "IntakeService_DownloadMaterial");
  CHECK(Has(download, "security"));
  const pb::Value& id = Field(download, "parameters").list_value().values(0);
  CHECK(Field(id, "name").string_value() == "material_id");
  CHECK(Field(id, "in").string_value() == "path");
  CHECK(Field(id, "required").bool_value());
  const pb::Value& file = Field(Field(download, "responses"), "200");
  for (const char* type : kTypes) {
    INFO(type);
    CHECK(Field(Field(Field(Field(file, "content"), type), "schema"), "format").string_value() ==
          "binary");
  }
  CHECK(Has(Field(file, "headers"), "Content-Disposition"));
  CHECK(Has(Field(file, "headers"), "Content-Length"));
  CHECK(Has(Field(download, "responses"), "404"));

  // The Material they answer with is among the schemas.
  const pb::Value& material =
      Field(Field(Field(root, "components"), "schemas"), "onewindow.intake.v1.Material");
  for (const char* property : {"materialId", "fileName", "contentType", "sizeBytes", "sha256"}) {
    INFO(property);
    CHECK(Has(Field(material, "properties"), property));
  }
}

TEST_CASE("the OpenAPI document describes sign-in, sign-out, the probes and the traffic endpoint") {
  RuntimeProtos protos;
  RouteTable table = TestTable(protos);
  auto ref = [](const pb::Value& response) {
    return Field(Field(Field(Field(response, "content"), "application/json"), "schema"), "$ref")
        .string_value();
  };
  auto names = [](const pb::Value& list) {
    std::vector<std::string> out;
    for (const pb::Value& v : list.list_value().values()) out.push_back(v.string_value());
    return out;
  };

  // The gateway always serves these, so they are always described; the
  // traffic endpoint only with the ops page.
  const pb::Value root = ParseJson(OpenApiDocument(table, "OneWindow test", "0.1"));
  const pb::Value& paths = Field(root, "paths");
  const pb::Value& schemas = Field(Field(root, "components"), "schemas");
  CHECK_FALSE(Has(paths, "/api/v1/ops/traffic"));

  const pb::Value& healthz = Field(Field(paths, "/healthz"), "get");
  CHECK(Field(healthz, "operationId").string_value() == "Gateway_Healthz");
  CHECK_FALSE(Has(healthz, "security"));
  const pb::Value& readyz = Field(Field(Field(paths, "/readyz"), "get"), "responses");
  CHECK(ref(Field(readyz, "200")) == "#/components/schemas/Readiness");
  CHECK(ref(Field(readyz, "503")) == "#/components/schemas/Readiness");
  CHECK_THAT(
      names(Field(Field(Field(Field(schemas, "Readiness"), "properties"), "status"), "enum")),
      Catch::Equals<std::string>({"ready", "not ready", "draining"}));
  CHECK(Has(Field(paths, "/api/openapi.json"), "get"));

  // Sign-in: the credentials in, the cookie and the CSRF token out.
  const pb::Value& sign_in = Field(Field(paths, "/api/v1/sessions"), "post");
  CHECK(Field(sign_in, "operationId").string_value() == "Gateway_SignIn");
  CHECK_FALSE(Has(sign_in, "security"));
  CHECK(Field(Field(Field(Field(sign_in, "requestBody"), "content"), "application/json"), "schema")
            .struct_value()
            .fields()
            .at("$ref")
            .string_value() == "#/components/schemas/SignIn");
  const pb::Value& credentials = Field(Field(schemas, "SignIn"), "properties");
  CHECK_THAT(names(Field(Field(credentials, "kind"), "enum")),
             Catch::Equals<std::string>({"CITIZEN_LOGIN", "ENTERPRISE_LOGIN", "STAFF_LOGIN"}));
  CHECK(Has(credentials, "loginId"));
  CHECK(Has(credentials, "password"));
  const pb::Value& signed_in = Field(Field(sign_in, "responses"), "200");
  CHECK(ref(signed_in) == "#/components/schemas/SignedIn");
  const std::string set_cookie =
      Field(Field(Field(signed_in, "headers"), "Set-Cookie"), "description").string_value();
  CHECK_THAT(set_cookie, Catch::StartsWith("ow_session=") && Catch::Contains("HttpOnly") &&
                             Catch::Contains("SameSite=Strict"));
  CHECK_THAT(set_cookie, !Catch::Contains("Secure"));
  const pb::Value& session = Field(Field(schemas, "SignedIn"), "properties");
  CHECK(Has(session, "csrfToken"));
  CHECK(Field(Field(session, "principal"), "$ref").string_value() ==
        "#/components/schemas/onewindow.auth.v1.Principal");
  CHECK(Has(Field(Field(schemas, "onewindow.auth.v1.Principal"), "properties"), "kind"));
  for (const char* code : {"400", "401", "413", "415", "429", "503", "504"}) {
    INFO(code);
    CHECK(ref(Field(Field(sign_in, "responses"), code)) == "#/components/schemas/Error");
  }
  CHECK(Has(Field(Field(Field(sign_in, "responses"), "429"), "headers"), "Retry-After"));

  // Sign-out: the cookie cleared; with a live session the CSRF token is
  // required, without one it is still 204.
  const pb::Value& sign_out = Field(Field(paths, "/api/v1/sessions/current"), "delete");
  CHECK(Field(sign_out, "operationId").string_value() == "Gateway_SignOut");
  const pb::Value& signed_out = Field(Field(sign_out, "responses"), "204");
  CHECK_THAT(Field(Field(Field(signed_out, "headers"), "Set-Cookie"), "description").string_value(),
             Catch::StartsWith("ow_session=;") && Catch::Contains("Max-Age=0"));
  CHECK(ref(Field(Field(sign_out, "responses"), "403")) == "#/components/schemas/Error");
  CHECK(ref(Field(Field(sign_out, "responses"), "503")) == "#/components/schemas/Error");
  const pb::Value& alternatives = Field(sign_out, "security");
  REQUIRE(alternatives.list_value().values_size() == 2);
  CHECK(Has(alternatives.list_value().values(0), "ow_session"));
  CHECK(Has(alternatives.list_value().values(0), "ow_csrf"));
  CHECK(alternatives.list_value().values(1).struct_value().fields().empty());

  // The cookie and the CSRF header are security schemes; writes to signed-in
  // routes ask for both, reads for the cookie alone.
  const pb::Value& schemes = Field(Field(root, "components"), "securitySchemes");
  CHECK(Field(Field(schemes, "ow_session"), "name").string_value() == "ow_session");
  CHECK(Field(Field(schemes, "ow_csrf"), "in").string_value() == "header");
  CHECK(Field(Field(schemes, "ow_csrf"), "name").string_value() == "X-CSRF-Token");
  CHECK_FALSE(Has(schemes, "open311_api_key"));
  const pb::Value& write =
      Field(Field(Field(paths, "/api/v1/items/{implementation_code}"), "delete"), "security");
  CHECK(Has(write.list_value().values(0), "ow_csrf"));
  const pb::Value& read = Field(
      Field(Field(paths, "/api/v1/applications/{application_id}/materials/{material.id}"), "get"),
      "security");
  CHECK_FALSE(Has(read.list_value().values(0), "ow_csrf"));

  // Behind TLS the cookie is __Host- prefixed and Secure.
  OpenApiOptions options;
  options.secure_cookies = true;
  options.ops_traffic = true;
  const pb::Value secure = ParseJson(OpenApiDocument(table, "OneWindow test", "0.1", options));
  CHECK(Field(Field(Field(Field(secure, "components"), "securitySchemes"), "ow_session"), "name")
            .string_value() == "__Host-ow_session");
  const pb::Value& secure_sign_in =
      Field(Field(Field(Field(secure, "paths"), "/api/v1/sessions"), "post"), "responses");
  CHECK_THAT(
      Field(Field(Field(Field(secure_sign_in, "200"), "headers"), "Set-Cookie"), "description")
          .string_value(),
      Catch::StartsWith("__Host-ow_session=") && Catch::Contains("; Secure"));

  // The traffic endpoint: operators' figures, behind a session.
  const pb::Value& traffic = Field(Field(Field(secure, "paths"), "/api/v1/ops/traffic"), "get");
  CHECK(Field(traffic, "operationId").string_value() == "Gateway_OpsTraffic");
  CHECK(Has(Field(traffic, "security").list_value().values(0), "ow_session"));
  for (const char* code : {"401", "403", "429"}) {
    INFO(code);
    CHECK(ref(Field(Field(traffic, "responses"), code)) == "#/components/schemas/Error");
  }
  CHECK(ref(Field(Field(traffic, "responses"), "200")) == "#/components/schemas/OpsTraffic");
  const pb::Value& figures =
      Field(Field(Field(Field(secure, "components"), "schemas"), "OpsTraffic"), "properties");
  for (const char* property : {"asOf", "since", "activeSessions", "total", "services", "routes",
                               "statuses", "upstreamErrors"}) {
    INFO(property);
    CHECK(Has(figures, property));
  }
  CHECK(Has(Field(Field(Field(figures, "routes"), "items"), "properties"), "p99Seconds"));
}

TEST_CASE("the OpenAPI document describes Open311 GeoReport v2 as the gateway serves it") {
  RuntimeProtos protos;
  RouteTable table = TestTable(protos);
  auto schema_of = [](const pb::Value& response) -> const pb::Value& {
    return Field(Field(Field(response, "content"), "application/json"), "schema");
  };

  // Not served, not described.
  const pb::Value bare = ParseJson(OpenApiDocument(table, "OneWindow test", "0.1"));
  CHECK_FALSE(Has(Field(bare, "paths"), "/open311/v2/services.json"));

  OpenApiOptions options;
  options.open311 = true;
  options.open311_jurisdiction_id = "testville";
  const std::string doc = OpenApiDocument(table, "OneWindow test", "0.1", options);
  CHECK(doc == OpenApiDocument(table, "OneWindow test", "0.1", options));
  const pb::Value root = ParseJson(doc);
  const pb::Value& paths = Field(root, "paths");
  const pb::Value& schemas = Field(Field(root, "components"), "schemas");

  struct Expected {
    const char* path;
    const char* verb;
    const char* operation_id;
    const char* ok_schema;  // The 200 answer's items, or null when there is none.
  };
  for (const Expected& e : std::vector<Expected>{
           {"/open311/v2/services.json", "get", "Open311_GetServiceList", "Open311Service"},
           {"/open311/v2/services/{service_code}.json", "get", "Open311_GetServiceDefinition",
            nullptr},
           {"/open311/v2/requests.json", "get", "Open311_GetServiceRequests",
            "Open311ServiceRequest"},
           {"/open311/v2/requests.json", "post", "Open311_PostServiceRequest", nullptr},
           {"/open311/v2/requests/{service_request_id}.json", "get", "Open311_GetServiceRequest",
            "Open311ServiceRequest"},
           {"/open311/v2/tokens/{token}.json", "get", "Open311_GetServiceRequestIdFromToken",
            nullptr}}) {
    INFO(e.verb << " " << e.path);
    const pb::Value& op = Field(Field(paths, e.path), e.verb);
    CHECK(Field(op, "operationId").string_value() == e.operation_id);
    CHECK(Field(op, "tags").list_value().values(0).string_value() == "open311");
    // Open311's error shape, never the gateway's session.
    CHECK(Field(schema_of(Field(Field(op, "responses"), "404")), "$ref").string_value() ==
          "#/components/schemas/Open311Errors");
    const bool session =
        Has(op, "security") && Has(Field(op, "security").list_value().values(0), "ow_session");
    CHECK_FALSE(session);
    // In front of Open311 the gateway's own refusals keep their shape.
    CHECK(Field(schema_of(Field(Field(op, "responses"), "429")), "oneOf")
              .list_value()
              .values_size() == 2);
    // Every route takes the jurisdiction, and only this one.
    bool jurisdiction = false;
    for (const pb::Value& p : Field(op, "parameters").list_value().values()) {
      if (Field(p, "name").string_value() != "jurisdiction_id") continue;
      jurisdiction = true;
      CHECK(Field(Field(p, "schema"), "enum").list_value().values(0).string_value() == "testville");
    }
    CHECK(jurisdiction);
    if (e.ok_schema != nullptr) {
      CHECK(Field(Field(schema_of(Field(Field(op, "responses"), "200")), "items"), "$ref")
                .string_value() == absl::StrCat("#/components/schemas/", e.ok_schema));
    }
  }
  // No tokens are issued: that route never succeeds.
  CHECK_FALSE(Has(Field(Field(Field(paths, "/open311/v2/tokens/{token}.json"), "get"), "responses"),
                  "200"));

  // Filing: a form or JSON body, the api_key, 403 without it, the id back.
  const pb::Value& post = Field(Field(paths, "/open311/v2/requests.json"), "post");
  CHECK(Has(Field(post, "security").list_value().values(0), "open311_api_key"));
  const pb::Value& key =
      Field(Field(Field(root, "components"), "securitySchemes"), "open311_api_key");
  CHECK(Field(key, "name").string_value() == "api_key");
  const pb::Value& content = Field(Field(post, "requestBody"), "content");
  for (const char* type : {"application/x-www-form-urlencoded", "application/json"}) {
    INFO(type);
    CHECK(Field(Field(Field(content, type), "schema"), "$ref").string_value() ==
          "#/components/schemas/Open311NewRequest");
  }
  CHECK(Field(Field(Field(Field(content, "application/x-www-form-urlencoded"), "encoding"),
                    "attribute"),
              "style")
            .string_value() == "deepObject");
  const pb::Value& input = Field(schemas, "Open311NewRequest");
  CHECK(Field(input, "required").list_value().values(0).string_value() == "service_code");
  for (const char* property : {"api_key", "service_code", "lat", "long", "address_string",
                               "address_id", "description", "media_url", "attribute"}) {
    INFO(property);
    CHECK(Has(Field(input, "properties"), property));
  }
  const pb::Value& responses = Field(post, "responses");
  CHECK(Field(schema_of(Field(responses, "200")), "$ref").string_value() ==
        "#/components/schemas/Open311Created");
  for (const char* code : {"400", "403", "404"}) {
    INFO(code);
    CHECK(Field(schema_of(Field(responses, code)), "$ref").string_value() ==
          "#/components/schemas/Open311Errors");
  }
  CHECK(Field(schema_of(Field(responses, "413")), "$ref").string_value() ==
        "#/components/schemas/Error");
  bool idempotency_key = false;
  for (const pb::Value& p : Field(post, "parameters").list_value().values()) {
    idempotency_key = idempotency_key || (Field(p, "name").string_value() == "Idempotency-Key" &&
                                          Field(p, "in").string_value() == "header");
  }
  CHECK(idempotency_key);

  // The list's filters.
  std::map<std::string, const pb::Value*> params;
  for (const pb::Value& p :
       Field(Field(Field(paths, "/open311/v2/requests.json"), "get"), "parameters")
           .list_value()
           .values()) {
    params[Field(p, "name").string_value()] = &p;
  }
  for (const char* name :
       {"service_request_id", "service_code", "start_date", "end_date", "status"}) {
    INFO(name);
    REQUIRE(params.count(name) == 1);
    CHECK(Field(*params[name], "in").string_value() == "query");
  }
  CHECK(Field(Field(*params["start_date"], "schema"), "format").string_value() == "date-time");

  // The fields GeoReport v2 clients read, as the gateway renders them.
  const pb::Value& request = Field(Field(schemas, "Open311ServiceRequest"), "properties");
  for (const char* property :
       {"service_request_id", "status", "status_notes", "service_name", "service_code",
        "description", "agency_responsible", "service_notice", "requested_datetime",
        "updated_datetime", "expected_datetime", "address", "lat", "long", "media_url"}) {
    INFO(property);
    CHECK(Has(request, property));
  }
  CHECK(Field(Field(request, "status"), "enum").list_value().values_size() == 2);
  CHECK(Field(Field(request, "lat"), "nullable").bool_value());
  const pb::Value& attribute = Field(
      Field(Field(Field(Field(schemas, "Open311ServiceDefinition"), "properties"), "attributes"),
            "items"),
      "properties");
  CHECK(Field(Field(attribute, "datatype"), "enum").list_value().values_size() == 6);
  const pb::Value& error = Field(Field(Field(schemas, "Open311Errors"), "items"), "properties");
  CHECK(Field(Field(error, "code"), "type").string_value() == "integer");
  CHECK(Has(error, "description"));
  // JSON only, and the tag says so.
  bool tagged = false;
  for (const pb::Value& tag : Field(root, "tags").list_value().values()) {
    if (Field(tag, "name").string_value() != "open311") continue;
    tagged = true;
    CHECK_THAT(Field(tag, "description").string_value(), Catch::Contains("JSON only"));
  }
  CHECK(tagged);
}

}  // namespace
