// The catalog over its real API: a generated province imported with the
// importer, searched and read through the gateway, revised and withdrawn
// over gRPC.
#include <catch2/catch.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/client/channels.h"
#include "libs/testing/grpc_context.h"
#include "libs/testing/http_client.h"
#include "libs/testing/principals.h"
#include "libs/testing/process.h"
#include "libs/testing/stack.h"
#include "onewindow/catalog/v1/catalog.grpc.pb.h"
#include "tests/integration/require_ok.h"

namespace onewindow {
namespace {

using testing::RequireOk;
using testing::Stack;

// 30 s rather than the usual 10: the calls follow a bulk import of the province.
std::unique_ptr<grpc::ClientContext> Context(const std::string& token) {
  return testing::TokenContext(token, absl::Seconds(30));
}

// Runs a catalog tool against the stack's catalog; its exit code.
int RunTool(const Stack& stack, const std::vector<std::string>& argv, const std::string& log) {
  return RequireOk(testing::RunToExit(argv,
                                      {{"OW_PRINCIPAL_KEYS", stack.principal_keys()},
                                       {"OW_CATALOG_ADDR", stack.Address("catalog")}},
                                      log, absl::Seconds(120)));
}

struct Province {
  std::unique_ptr<Stack> stack;
  std::unique_ptr<catalog::v1::CatalogService::Stub> catalog;
};

Province LoadProvince() {
  testing::StackOptions options;
  options.backends = {"catalog"};
  Province p{RequireOk(Stack::Start(options)), nullptr};
  const std::string out = absl::StrCat(p.stack->data_dir(), "/province");
  const std::string log = absl::StrCat(p.stack->data_dir(), "/tools.log");
  REQUIRE(RunTool(*p.stack,
                  {absl::StrCat(OW_BINARY_DIR, "/tools/catalog_gen/catalog_gen"),
                   absl::StrCat("--out=", out), "--implementations=2000", "--seed=7"},
                  log) == 0);
  const int imported = RunTool(*p.stack,
                               {absl::StrCat(OW_BINARY_DIR, "/tools/catalog_import/catalog_import"),
                                absl::StrCat("--dir=", out)},
                               log);
  INFO(testing::ReadFile(log));
  REQUIRE(imported == 0);
  p.catalog =
      catalog::v1::CatalogService::NewStub(client::MakeChannel(p.stack->Address("catalog")));
  return p;
}

catalog::v1::SearchItemsResponse Search(Province& p, catalog::v1::SearchItemsRequest request) {
  catalog::v1::SearchItemsResponse response;
  grpc::Status s = p.catalog->SearchItems(Context("").get(), request, &response);
  INFO(s.error_message());
  REQUIRE(s.ok());
  return response;
}

// The item a search for 登记 finds first, to be read and published again.
catalog::v1::GetImplementationRequest FirstRegistrationItem(Province& p) {
  catalog::v1::SearchItemsRequest request;
  request.set_q("登记");
  request.set_page_size(1);
  auto hits = Search(p, request);
  REQUIRE(hits.items_size() == 1);
  catalog::v1::GetImplementationRequest get;
  get.set_implementation_code(hits.items(0).implementation_code());
  return get;
}

TEST_CASE("a generated province imports and is searchable through the gateway") {
  Province p = LoadProvince();
  const int port = p.stack->gateway_port();
  auto two = testing::HttpGet(port, "/api/v1/items?q=%E7%A4%BE%E4%BF%9D&pageSize=5");  // 社保
  REQUIRE(two.ok());
  CHECK(two->status == 200);
  CHECK(absl::StrContains(two->body, "implementationCode"));
  auto one = testing::HttpGet(port, "/api/v1/items?q=%E7%A4%BE");  // 社: one character.
  REQUIRE(one.ok());
  CHECK(one->status == 400);

  catalog::v1::SearchItemsRequest request;
  request.set_q("登记");
  request.set_page_size(3);
  auto hits = Search(p, request);
  REQUIRE(hits.items_size() > 0);
  const std::string code = hits.items(0).implementation_code();
  auto guide = testing::HttpGet(port, absl::StrCat("/api/v1/items/", code));
  REQUIRE(guide.ok());
  CHECK(guide->status == 200);
  CHECK(absl::StrContains(guide->body, "\"materials\""));
  CHECK(absl::StrContains(guide->body, "\"promisedLimitDays\""));

  auto topics = testing::HttpGet(port, "/api/v1/topics");
  REQUIRE(topics.ok());
  CHECK(topics->status == 200);
  auto coverage = testing::HttpGet(port, "/api/v1/coverage?regionCode=440100000000");
  REQUIRE(coverage.ok());
  CHECK(coverage->status == 200);
  CHECK(absl::StrContains(coverage->body, "\"ratio\""));
}

TEST_CASE(
    "publishing makes a new revision, old revisions stay readable, withdrawal leaves search") {
  Province p = LoadProvince();
  catalog::v1::GetImplementationRequest get = FirstRegistrationItem(p);
  catalog::v1::Implementation first;
  REQUIRE(p.catalog->GetImplementation(Context("").get(), get, &first).ok());

  catalog::v1::PublishImplementationRequest publish;
  *publish.mutable_implementation() = first;
  publish.mutable_implementation()->set_name(absl::StrCat(first.name(), "（试点改革版）"));
  catalog::v1::Implementation second;
  // Anonymous and other departments' admins may not publish.
  CHECK(p.catalog->PublishImplementation(Context("").get(), publish, &second).error_code() ==
        grpc::UNAUTHENTICATED);
  const auth::v1::Principal other_admin =
      testing::StaffPrincipal("acc_other", "11440000000000000X", {"dept_admin"});
  CHECK(
      p.catalog->PublishImplementation(Context(p.stack->Token(other_admin)).get(), publish, &second)
          .error_code() == grpc::PERMISSION_DENIED);
  auth::v1::Principal own_admin = other_admin;
  own_admin.set_department_id(first.department_credit_code());
  grpc::Status published =
      p.catalog->PublishImplementation(Context(p.stack->Token(own_admin)).get(), publish, &second);
  INFO(published.error_message());
  REQUIRE(published.ok());
  CHECK(second.revision() == first.revision() + 1);

  get.set_revision(first.revision());
  catalog::v1::Implementation old;
  REQUIRE(p.catalog->GetImplementation(Context("").get(), get, &old).ok());
  CHECK(old.name() == first.name());

  catalog::v1::SearchItemsRequest request;
  request.set_q("试点改革版");
  request.set_page_size(1);
  CHECK(Search(p, request).items_size() == 1);
  catalog::v1::WithdrawImplementationRequest withdraw;
  withdraw.set_implementation_code(first.implementation_code());
  withdraw.set_reason("merged into another item");
  catalog::v1::Implementation withdrawn;
  REQUIRE(
      p.catalog->WithdrawImplementation(Context(p.stack->AdminToken()).get(), withdraw, &withdrawn)
          .ok());
  CHECK(Search(p, request).items_size() == 0);
  get.set_revision(second.revision());
  catalog::v1::Implementation still;
  CHECK(p.catalog->GetImplementation(Context("").get(), get, &still).ok());
}

TEST_CASE("a guide missing required elements is refused with every missing field named") {
  Province p = LoadProvince();
  catalog::v1::GetImplementationRequest get = FirstRegistrationItem(p);
  catalog::v1::PublishImplementationRequest publish;
  REQUIRE(
      p.catalog->GetImplementation(Context("").get(), get, publish.mutable_implementation()).ok());
  catalog::v1::Implementation& broken = *publish.mutable_implementation();
  broken.mutable_guide()->clear_materials();
  broken.mutable_guide()->clear_stages();
  broken.mutable_guide()->clear_acceptance_conditions();
  catalog::v1::Implementation out;
  grpc::Status s =
      p.catalog->PublishImplementation(Context(p.stack->AdminToken()).get(), publish, &out);
  CHECK(s.error_code() == grpc::INVALID_ARGUMENT);
  INFO(s.error_message());
  for (const char* field : {"guide.materials", "guide.stages", "guide.acceptance_conditions"}) {
    CHECK(absl::StrContains(s.error_message(), field));
  }
}

}  // namespace
}  // namespace onewindow
