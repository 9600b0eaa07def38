// catalog_import: loads regions (JSON Lines) into the catalog over gRPC.
//
//   OW_PRINCIPAL_KEYS=... catalog_import --catalog_addr=127.0.0.1:50051 --regions=regions.jsonl
//
// Each line is a Region in protobuf JSON ({"code":"440100000000","name":"广州市"}).
// Lines that do not parse are reported with their line numbers; the rest are
// sent parents first in batches.
#include <cstdio>
#include <fstream>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/auth/principal_verifier.h"
#include "libs/client/channels.h"
#include "libs/config/flags.h"
#include "libs/server/call.h"
#include "libs/status/proto_json.h"
#include "onewindow/catalog/v1/catalog.grpc.pb.h"

ABSL_FLAG(std::string, regions, "", "JSON Lines file of regions to import");
ABSL_FLAG(int, batch, 2000, "Regions per ImportRegions call");

namespace {

using onewindow::catalog::v1::Region;

int LevelOfCode(const std::string& code) {
  // Parents first: a code with more trailing zeros is higher up.
  int zeros = 0;
  for (auto it = code.rbegin(); it != code.rend() && *it == '0'; ++it) ++zeros;
  return -zeros;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace onewindow;
  config::ParseFlags(argc, argv, "catalog_import --regions=FILE");
  const std::string path = absl::GetFlag(FLAGS_regions);
  if (path.empty()) {
    std::fprintf(stderr, "catalog_import: --regions=FILE is required\n");
    return 2;
  }
  auto keys = auth::KeyRingFromFlags();
  if (!keys.ok()) {
    std::fprintf(stderr, "catalog_import: %s\n", std::string(keys.status().message()).c_str());
    return 2;
  }
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "catalog_import: cannot read %s\n", path.c_str());
    return 2;
  }
  std::vector<Region> regions;
  std::vector<std::string> rejected;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty() || line[0] == '#') continue;
    Region r;
    absl::Status s = status::JsonToMessage(line, &r);
    if (!s.ok()) {
      rejected.push_back(absl::StrCat("line ", number, ": ", s.message()));
      continue;
    }
    regions.push_back(std::move(r));
  }
  std::stable_sort(regions.begin(), regions.end(), [](const Region& a, const Region& b) {
    return LevelOfCode(a.code()) < LevelOfCode(b.code());
  });

  auth::v1::Principal admin;
  admin.set_kind(auth::v1::PLATFORM_ADMIN);
  admin.set_subject("tool:catalog_import");
  const auth::TokenSigner signer(*keys);
  auto stub =
      catalog::v1::CatalogService::NewStub(client::MakeChannel(absl::GetFlag(FLAGS_catalog_addr)));
  const size_t batch = static_cast<size_t>(std::max(1, absl::GetFlag(FLAGS_batch)));
  size_t imported = 0;
  for (size_t i = 0; i < regions.size(); i += batch) {
    catalog::v1::ImportRegionsRequest request;
    for (size_t j = i; j < std::min(regions.size(), i + batch); ++j) {
      *request.add_regions() = regions[j];
    }
    auto token = signer.Mint(admin, absl::Minutes(5), absl::Now());
    if (!token.ok()) {
      std::fprintf(stderr, "catalog_import: %s\n", std::string(token.status().message()).c_str());
      return 1;
    }
    grpc::ClientContext context;
    context.AddMetadata(server::kPrincipalHeader, *token);
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    catalog::v1::ImportRegionsResponse response;
    grpc::Status s = stub->ImportRegions(&context, request, &response);
    if (!s.ok()) {
      rejected.push_back(absl::StrCat("batch starting at region ", i, ": ", s.error_message()));
      continue;
    }
    imported += static_cast<size_t>(response.imported());
    std::fprintf(stderr, "\rregions: %zu/%zu", imported, regions.size());
  }
  std::fprintf(stderr, "\nimported %zu regions, %zu rejected\n", imported, rejected.size());
  for (const auto& r : rejected) std::fprintf(stderr, "  %s\n", r.c_str());
  return rejected.empty() ? 0 : 1;
}
