#include "libs/testing/demo_regions.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/client/channels.h"
#include "libs/status/grpc_status.h"
#include "libs/testing/grpc_context.h"
#include "onewindow/catalog/v1/catalog.grpc.pb.h"

namespace onewindow::testing {

absl::Status ImportDemoRegions(const Stack& stack) {
  auto catalog =
      catalog::v1::CatalogService::NewStub(client::MakeChannel(stack.Address("catalog")));
  catalog::v1::ImportRegionsRequest request;
  for (const auto& [code, name] : std::vector<std::pair<std::string, std::string>>{
           {"440000000000", "广东省"}, {"440100000000", "广州市"}, {"441900000000", "东莞市"}}) {
    catalog::v1::Region* r = request.add_regions();
    r->set_code(code);
    r->set_name(name);
  }
  catalog::v1::ImportRegionsResponse response;
  const grpc::Status s =
      catalog->ImportRegions(TokenContext(stack.AdminToken()).get(), request, &response);
  if (!s.ok()) return status::FromGrpcStatus(s);
  if (response.imported() != request.regions_size()) {
    return absl::InternalError(absl::StrCat("ImportRegions imported ", response.imported(), " of ",
                                            request.regions_size()));
  }
  return absl::OkStatus();
}

}  // namespace onewindow::testing
