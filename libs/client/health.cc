#include "libs/client/health.h"

#include <grpcpp/client_context.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/byte_buffer.h>

#include <future>

#include "absl/time/clock.h"

#include "absl/strings/str_cat.h"
#include "libs/status/grpc_status.h"

namespace onewindow::client {
namespace {

// grpc.health.v1 messages are two fields; Debian ships no generated C++ for
// them, so they are encoded by hand: HealthCheckRequest{string service = 1}
// and HealthCheckResponse{ServingStatus status = 1} with SERVING = 1.
std::string EncodeRequest(const std::string& service) {
  std::string out;
  if (service.empty()) return out;
  out.push_back(0x0A);
  // Service names are far below 128 bytes, so one length byte suffices.
  out.push_back(static_cast<char>(service.size() & 0x7F));
  out.append(service);
  return out;
}

int DecodeStatus(const std::string& bytes) {
  if (bytes.size() >= 2 && bytes[0] == 0x08) return static_cast<unsigned char>(bytes[1]);
  return 0;  // Field absent: UNKNOWN.
}

}  // namespace

absl::Status CheckHealth(grpc::Channel* channel, const std::string& service,
                         absl::Duration timeout) {
  grpc::GenericStub stub(std::shared_ptr<grpc::Channel>(channel, [](grpc::Channel*) {}));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  const std::string encoded = EncodeRequest(service);
  grpc::Slice slice(encoded);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                 [&done](grpc::Status s) { done.set_value(std::move(s)); });
  const grpc::Status status = done.get_future().get();
  if (!status.ok()) return status::FromGrpcStatus(status);
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (response.Dump(&slices).ok()) {
    for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  const int serving = DecodeStatus(bytes);
  if (serving != 1) {
    return absl::UnavailableError(
        absl::StrCat("health status ", serving == 2 ? "NOT_SERVING" : "UNKNOWN"));
  }
  return absl::OkStatus();
}

}  // namespace onewindow::client
