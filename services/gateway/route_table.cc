#include "services/gateway/route_table.h"

#include <algorithm>
#include <optional>
#include <utility>

#include <google/protobuf/descriptor.pb.h>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/status/macros.h"

namespace onewindow::gateway {
namespace {

namespace pb = google::protobuf;
using onewindow::api::v1::HttpRule;

// The option as the generated extension. A pool built at run time parses
// options against the generated registry, so GetExtension normally works; if
// the extension was not registered when the options were parsed it sits in
// the unknown fields, and parsing the bytes again picks it up.
absl::StatusOr<std::optional<HttpRule>> ReadHttpRule(const pb::MethodDescriptor* method) {
  const pb::MethodOptions& options = method->options();
  if (options.HasExtension(onewindow::api::v1::http)) {
    return options.GetExtension(onewindow::api::v1::http);
  }
  if (options.unknown_fields().empty()) return std::optional<HttpRule>();
  pb::MethodOptions reparsed;
  if (!reparsed.ParseFromString(options.SerializeAsString())) {
    return absl::InvalidArgumentError(
        absl::StrCat(method->full_name(), ": method options do not parse"));
  }
  if (!reparsed.HasExtension(onewindow::api::v1::http)) return std::optional<HttpRule>();
  return reparsed.GetExtension(onewindow::api::v1::http);
}

bool IsScalar(const pb::FieldDescriptor* field) {
  return !field->is_repeated() && field->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE;
}

// A path variable must name a singular scalar, reached through singular
// message fields, so that one path segment sets exactly one value.
absl::Status CheckPathVariable(const pb::Descriptor* input, absl::string_view field_path) {
  const pb::Descriptor* message = input;
  std::vector<absl::string_view> parts = absl::StrSplit(field_path, '.');
  for (size_t i = 0; i < parts.size(); ++i) {
    const pb::FieldDescriptor* field = message->FindFieldByName(std::string(parts[i]));
    if (field == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("path variable {", field_path,
                                                     "}: ", message->full_name(),
                                                     " has no field \"", parts[i], "\""));
    }
    const bool last = i + 1 == parts.size();
    if (last) {
      if (!IsScalar(field)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "path variable {", field_path, "}: field ", field->full_name(),
            " is not a singular scalar (a message, repeated or map field cannot come from "
            "one path segment)"));
      }
    } else {
      if (field->is_repeated() || field->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE) {
        return absl::InvalidArgumentError(absl::StrCat("path variable {", field_path, "}: field ",
                                                       field->full_name(),
                                                       " is not a singular message field"));
      }
      message = field->message_type();
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Route> BuildRoute(const pb::MethodDescriptor* method, const HttpRule& rule) {
  const std::string where = absl::StrCat("route for ", method->full_name(), ": ");
  Route route;
  absl::string_view pattern;
  switch (rule.pattern_case()) {
    case HttpRule::kGet:
      route.http_method = "GET";
      pattern = rule.get();
      break;
    case HttpRule::kPost:
      route.http_method = "POST";
      pattern = rule.post();
      break;
    case HttpRule::kPut:
      route.http_method = "PUT";
      pattern = rule.put();
      break;
    case HttpRule::kPatch:
      route.http_method = "PATCH";
      pattern = rule.patch();
      break;
    case HttpRule::kDelete:
      route.http_method = "DELETE";
      pattern = rule.delete_();
      break;
    case HttpRule::PATTERN_NOT_SET:
      return absl::InvalidArgumentError(
          absl::StrCat(where, "the option sets none of get/post/put/patch/delete"));
  }
  if (method->client_streaming() || method->server_streaming()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, "streaming methods cannot be transcoded to HTTP/JSON"));
  }
  absl::StatusOr<PathTemplate> path = PathTemplate::Parse(pattern);
  if (!path.ok()) return absl::InvalidArgumentError(absl::StrCat(where, path.status().message()));
  route.path = *std::move(path);

  const pb::Descriptor* input = method->input_type();
  for (const std::string& variable : route.path.variables()) {
    absl::Status status = CheckPathVariable(input, variable);
    if (!status.ok()) return absl::InvalidArgumentError(absl::StrCat(where, status.message()));
  }

  route.body_field = rule.body();
  if (!route.body_field.empty()) {
    if (route.http_method == "GET" || route.http_method == "DELETE") {
      return absl::InvalidArgumentError(absl::StrCat(
          where, route.http_method, " cannot have a body (many clients and proxies drop it)"));
    }
    if (route.body_field != "*") {
      const pb::FieldDescriptor* field = input->FindFieldByName(route.body_field);
      if (field == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, "body field \"", route.body_field, "\" is not a field of ", input->full_name()));
      }
      // A message keeps the body a JSON object that protobuf's parser checks
      // as a whole; scalar or repeated bodies would need hand-built wrapping.
      if (field->is_repeated() || field->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE) {
        return absl::InvalidArgumentError(absl::StrCat(where, "body field \"", route.body_field,
                                                       "\" must be a singular message field"));
      }
    }
  }

  route.method = method;
  route.grpc_path = absl::StrCat("/", method->service()->full_name(), "/", method->name());
  route.access = rule.access() == onewindow::api::v1::ACCESS_UNSPECIFIED
                     ? onewindow::api::v1::SIGNED_IN
                     : rule.access();
  route.personal_data = rule.personal_data();
  route.summary = rule.summary();
  route.backend = BackendForPackage(method->service()->file()->package());
  return route;
}

// Same key for templates of the same shape, whatever their variables are
// called. Literals cannot contain '{', so the key is unambiguous.
std::string ShapeKey(const Route& route) {
  std::string key = route.http_method;
  for (const PathTemplate::Segment& segment : route.path.segments()) {
    absl::StrAppend(&key, "/", segment.is_variable ? "{}" : segment.text);
  }
  return key;
}

bool IsVersion(absl::string_view part) {
  return part.size() >= 2 && part[0] == 'v' &&
         absl::ascii_isdigit(static_cast<unsigned char>(part[1]));
}

}  // namespace

std::string BackendForPackage(absl::string_view package) {
  std::vector<absl::string_view> parts = absl::StrSplit(package, '.', absl::SkipEmpty());
  while (!parts.empty() && IsVersion(parts.back())) parts.pop_back();
  return parts.empty() ? std::string() : std::string(parts.back());
}

absl::StatusOr<RouteTable> RouteTable::FromPool(
    const pb::DescriptorPool* pool, const std::vector<const pb::FileDescriptor*>& files) {
  RouteTable table;
  for (const pb::FileDescriptor* file : files) {
    if (file == nullptr) return absl::InvalidArgumentError("null FileDescriptor");
    if (file->pool() != pool) {
      return absl::InvalidArgumentError(
          absl::StrCat(file->name(), " does not belong to the given descriptor pool"));
    }
    for (int s = 0; s < file->service_count(); ++s) {
      const pb::ServiceDescriptor* service = file->service(s);
      for (int m = 0; m < service->method_count(); ++m) {
        const pb::MethodDescriptor* method = service->method(m);
        ASSIGN_OR_RETURN(std::optional<HttpRule> rule, ReadHttpRule(method));
        if (!rule.has_value()) continue;
        ASSIGN_OR_RETURN(Route route, BuildRoute(method, *rule));
        table.routes_.push_back(std::move(route));
      }
    }
  }

  std::sort(table.routes_.begin(), table.routes_.end(), [](const Route& a, const Route& b) {
    if (a.path.text() != b.path.text()) return a.path.text() < b.path.text();
    if (a.http_method != b.http_method) return a.http_method < b.http_method;
    return a.grpc_path < b.grpc_path;
  });

  absl::flat_hash_map<std::string, const Route*> shapes;
  for (const Route& route : table.routes_) {
    auto [it, inserted] = shapes.emplace(ShapeKey(route), &route);
    if (!inserted) {
      return absl::InvalidArgumentError(absl::StrCat(
          "routes clash: ", route.http_method, " ", route.path.text(), " (", route.grpc_path,
          ") and ", it->second->http_method, " ", it->second->path.text(), " (",
          it->second->grpc_path, ") match the same requests"));
    }
  }

  for (size_t i = 0; i < table.routes_.size(); ++i) {
    table.by_length_[table.routes_[i].path.segments().size()].push_back(i);
  }
  for (auto& [length, indices] : table.by_length_) {
    std::sort(indices.begin(), indices.end(), [&table](size_t a, size_t b) {
      const Route& ra = table.routes_[a];
      const Route& rb = table.routes_[b];
      if (ra.path.text() != rb.path.text()) return PathTemplate::MoreSpecific(ra.path, rb.path);
      return ra.http_method < rb.http_method;
    });
  }
  return table;
}

absl::StatusOr<RouteTable> RouteTable::FromGeneratedPool(
    const std::vector<std::string>& file_names) {
  const pb::DescriptorPool* pool = pb::DescriptorPool::generated_pool();
  std::vector<const pb::FileDescriptor*> files;
  for (const std::string& name : file_names) {
    const pb::FileDescriptor* file = pool->FindFileByName(name);
    if (file == nullptr) {
      return absl::NotFoundError(absl::StrCat(
          name, " is not in the generated descriptor pool (not linked into this binary?)"));
    }
    files.push_back(file);
  }
  return FromPool(pool, files);
}

RouteLookup RouteTable::Find(absl::string_view http_method, absl::string_view path) const {
  RouteLookup lookup;
  absl::StatusOr<std::vector<std::string>> segments = SplitPath(path);
  if (!segments.ok()) return lookup;
  auto it = by_length_.find(segments->size());
  if (it == by_length_.end()) return lookup;
  for (size_t index : it->second) {
    const Route& route = routes_[index];
    std::optional<std::vector<PathBinding>> bindings = route.path.MatchSegments(*segments);
    if (!bindings.has_value()) continue;
    // Candidates come most specific first, so the first one with this
    // method is the answer even if a more specific template exists only for
    // other methods.
    if (route.http_method == http_method) {
      lookup.result = RouteLookup::Result::kFound;
      lookup.match = RouteMatch{&route, *std::move(bindings)};
      lookup.allowed_methods.clear();
      return lookup;
    }
    lookup.allowed_methods.push_back(route.http_method);
  }
  if (!lookup.allowed_methods.empty()) {
    std::sort(lookup.allowed_methods.begin(), lookup.allowed_methods.end());
    lookup.allowed_methods.erase(
        std::unique(lookup.allowed_methods.begin(), lookup.allowed_methods.end()),
        lookup.allowed_methods.end());
    lookup.result = RouteLookup::Result::kMethodNotAllowed;
  }
  return lookup;
}

}  // namespace onewindow::gateway
