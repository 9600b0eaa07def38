#include "tools/loadgen/stats.h"

namespace onewindow::loadgen {
namespace {

constexpr size_t kMaxErrorKinds = 32;

}  // namespace

const char* EndpointName(Endpoint e) {
  switch (e) {
    case Endpoint::kSearch:
      return "search";
    case Endpoint::kGuide:
      return "guide";
    case Endpoint::kLogin:
      return "login";
    case Endpoint::kMe:
      return "me";
    case Endpoint::kUpload:
      return "upload";
    case Endpoint::kSubmit:
      return "submit";
    case Endpoint::kQueue:
      return "queue";
    case Endpoint::kDecide:
      return "decide";
    case Endpoint::kComplain:
      return "complain";
  }
  return "?";
}

const char* EndpointRoute(Endpoint e) {
  switch (e) {
    case Endpoint::kSearch:
      return "GET /api/v1/items?q=";
    case Endpoint::kGuide:
      return "GET /api/v1/items/{code}";
    case Endpoint::kLogin:
      return "POST /api/v1/sessions";
    case Endpoint::kMe:
      return "GET /api/v1/me";
    case Endpoint::kUpload:
      return "POST /api/v1/materials";
    case Endpoint::kSubmit:
      return "POST /api/v1/applications";
    case Endpoint::kQueue:
      return "gRPC ApprovalService/ListQueue";
    case Endpoint::kDecide:
      return "gRPC ApprovalService/ApproveTask";
    case Endpoint::kComplain:
      return "POST /api/v1/work-orders";
  }
  return "?";
}

void EndpointStats::AddError(const std::string& kind) {
  ++errors;
  auto it = error_kinds.find(kind);
  if (it != error_kinds.end()) {
    ++it->second;
  } else if (error_kinds.size() < kMaxErrorKinds) {
    error_kinds.emplace(kind, 1);
  } else {
    ++error_kinds["(other kinds)"];
  }
}

void EndpointStats::Merge(const EndpointStats& other) {
  requests += other.requests;
  ok += other.ok;
  errors += other.errors;
  throttled += other.throttled;
  conflicts += other.conflicts;
  idle += other.idle;
  latency.Merge(other.latency);
  for (const auto& [kind, n] : other.error_kinds) error_kinds[kind] += n;
}

void RunStats::Merge(const RunStats& other) {
  for (size_t i = 0; i < endpoints.size(); ++i) endpoints[i].Merge(other.endpoints[i]);
}

}  // namespace onewindow::loadgen
