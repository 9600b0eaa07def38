#pragma once

#include <string>
#include <vector>

#include <google/protobuf/descriptor.h>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "onewindow/api/v1/annotations.pb.h"
#include "services/gateway/path_template.h"

namespace onewindow::gateway {

// One HTTP route, read from a method's (onewindow.api.v1.http) option.
struct Route {
  std::string http_method;  // "GET", "POST", "PUT", "PATCH", "DELETE".
  PathTemplate path;
  const google::protobuf::MethodDescriptor* method = nullptr;
  std::string grpc_path;   // "/onewindow.catalog.v1.CatalogService/GetRegion".
  std::string body_field;  // "" (no body), "*" (whole request), or a message field's name.
  // ACCESS_UNSPECIFIED is stored as SIGNED_IN (the proto says it means that),
  // so callers only ever see PUBLIC or SIGNED_IN.
  onewindow::api::v1::Access access = onewindow::api::v1::SIGNED_IN;
  bool personal_data = false;
  std::string summary;
  std::string backend;  // "catalog" for package onewindow.catalog.v1.
};

// A route that matched, with its path variables. `route` points into the
// RouteTable, which must outlive it.
struct RouteMatch {
  const Route* route = nullptr;
  std::vector<PathBinding> bindings;
};

struct RouteLookup {
  enum class Result {
    kFound,             // `match` is set.
    kMethodNotAllowed,  // The path exists under other methods: 405 with Allow.
    kNotFound,          // No template matches the path (or it is malformed): 404.
  };
  Result result = Result::kNotFound;
  RouteMatch match;
  // For kMethodNotAllowed: the methods the path does accept, sorted, unique.
  std::vector<std::string> allowed_methods;
};

// Every routed method of a set of proto files. Built once at start-up; a
// broken route is a configuration error there, not a 500 later. Immutable
// afterwards, so it is safe to share across threads.
class RouteTable {
 public:
  // Reads every service in `files` (which must belong to `pool`). Methods
  // without the option are skipped. Works for the generated pool and for
  // pools built at run time (compiler::Importer), as long as
  // annotations.pb.cc is linked, which this library guarantees. Fails on: a
  // template that does not parse; two routes with the same method and
  // template shape; a path variable that is not a singular scalar field
  // (dotted paths through singular message fields); a body on GET or DELETE;
  // a body field that is not a singular message field; a streaming method
  // with a route; an option with no pattern.
  static absl::StatusOr<RouteTable> FromPool(
      const google::protobuf::DescriptorPool* pool,
      const std::vector<const google::protobuf::FileDescriptor*>& files);

  // FromPool over DescriptorPool::generated_pool(), by file name
  // ("onewindow/catalog/v1/catalog.proto"). A generated .pb.cc registers its
  // file only if the linker kept it: reference something from each file (or
  // link ow_proto whole) or this fails with NOT_FOUND naming the file.
  static absl::StatusOr<RouteTable> FromGeneratedPool(const std::vector<std::string>& file_names);

  // `path` is the request path without the query (see SplitRequestTarget);
  // `http_method` is upper case as on the wire. HEAD is not mapped to GET.
  RouteLookup Find(absl::string_view http_method, absl::string_view path) const;

  // Sorted by template text, then method: a stable order for documents.
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
  // Indices into routes_ by segment count, most specific template first.
  absl::flat_hash_map<size_t, std::vector<size_t>> by_length_;
};

// "catalog" for "onewindow.catalog.v1": the package's last component that is
// not a version ("v1", "v2alpha").
std::string BackendForPackage(absl::string_view package);

}  // namespace onewindow::gateway
