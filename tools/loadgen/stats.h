#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>

#include "tools/loadgen/histogram.h"

namespace onewindow::loadgen {

// What is measured: one row of the final table each. An operation of the
// mix may make several requests (a submission uploads its materials, then
// submits; a decision may list the queue first).
enum class Endpoint { kSearch, kGuide, kLogin, kMe, kUpload, kSubmit, kQueue, kDecide, kComplain };
inline constexpr int kEndpointCount = 9;
const char* EndpointName(Endpoint e);
// "GET /api/v1/items", "gRPC ApproveTask", … for the table's last column.
const char* EndpointRoute(Endpoint e);

// One endpoint's counts during the measured window. Latencies are of
// successful (2xx / OK) answers only: a 429 comes back in microseconds and
// would flatter the percentiles.
struct EndpointStats {
  uint64_t requests = 0;   // every answered or failed request, 429s included
  uint64_t ok = 0;         // 2xx, gRPC OK
  uint64_t errors = 0;     // everything else but 429s and conflicts
  uint64_t throttled = 0;  // HTTP 429 / RESOURCE_EXHAUSTED
  uint64_t conflicts = 0;  // decide: the task was decided elsewhere first
  uint64_t idle = 0;       // decide: nothing in the queue to decide
  LatencyHistogram latency;
  // "HTTP 503: …", "transport: connection refused", … with counts.
  std::map<std::string, uint64_t> error_kinds;

  void Merge(const EndpointStats& other);
  // Counts an error of `kind`; the map keeps at most a few dozen kinds.
  void AddError(const std::string& kind);
};

struct RunStats {
  std::array<EndpointStats, kEndpointCount> endpoints;
  EndpointStats& at(Endpoint e) { return endpoints[static_cast<size_t>(e)]; }
  const EndpointStats& at(Endpoint e) const { return endpoints[static_cast<size_t>(e)]; }
  void Merge(const RunStats& other);
};

}  // namespace onewindow::loadgen
