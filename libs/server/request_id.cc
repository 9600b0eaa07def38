#include "libs/server/request_id.h"

#include "absl/random/random.h"
#include "absl/strings/str_format.h"

namespace onewindow::server {

std::string NewRequestId() {
  // A BitGen per call keeps this free of shared state; seeding cost is small
  // next to an RPC.
  absl::BitGen gen;
  return absl::StrFormat("%016x%016x", absl::Uniform<uint64_t>(gen), absl::Uniform<uint64_t>(gen));
}

bool IsAcceptableRequestId(absl::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

std::string IncomingRequestId(const grpc::ServerContextBase& context) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(kRequestIdHeader);
  if (it == metadata.end()) return "";
  absl::string_view id(it->second.data(), it->second.size());
  return IsAcceptableRequestId(id) ? std::string(id) : "";
}

}  // namespace onewindow::server
