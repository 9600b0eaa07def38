#include "services/gateway/gateway.h"

#include <google/protobuf/message.h>
#include <grpcpp/client_context.h>
#include <grpcpp/support/byte_buffer.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "libs/log/json_writer.h"
#include "libs/server/call.h"
#include "libs/server/request_id.h"
#include "libs/status/grpc_status.h"
#include "services/gateway/http_errors.h"
#include "services/gateway/transcoder.h"

namespace onewindow::gateway {
namespace {

namespace http = boost::beast::http;

std::string ByteBufferToString(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  for (const auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

bool IsJsonContentType(absl::string_view content_type) {
  return content_type.empty() || absl::StartsWithIgnoreCase(content_type, "application/json");
}

}  // namespace

struct Gateway::Pending {
  unsigned version = 11;
  std::function<void(HttpResponse)> respond;
  const Route* route = nullptr;
  std::string method;
  std::string request_id;
  absl::Time start;
  grpc::ClientContext context;
  grpc::ByteBuffer request_buffer;
  grpc::ByteBuffer response_buffer;
};

Gateway::Gateway(GatewayOptions options, const RouteTable* routes,
                 std::map<std::string, std::unique_ptr<grpc::GenericStub>> backends,
                 const Readiness* readiness, const auth::TokenSigner* signer,
                 GatewayMetrics* metrics, std::string openapi_json, log::Logger logger)
    : options_(options),
      routes_(routes),
      backends_(std::move(backends)),
      readiness_(readiness),
      signer_(signer),
      metrics_(metrics),
      openapi_json_(std::move(openapi_json)),
      logger_(std::move(logger)) {}

HttpResponse Gateway::Readyz(unsigned version) const {
  const Readiness::Snapshot snapshot = readiness_->Current();
  if (draining_.load()) {
    return JsonResponse(503, R"({"status":"draining","down":{}})", version, false);
  }
  std::string body =
      absl::StrCat(R"({"status":")", snapshot.ready ? "ready" : "not ready", R"(","down":{)");
  bool first = true;
  for (const auto& [name, why] : snapshot.down) {
    if (!first) body.push_back(',');
    first = false;
    log::AppendJsonString(name, &body);
    body.push_back(':');
    log::AppendJsonString(why, &body);
  }
  body.append("}}");
  return JsonResponse(snapshot.ready ? 200 : 503, std::move(body), version, false);
}

void Gateway::Handle(HttpRequest request, const std::string& client_ip,
                     std::function<void(HttpResponse)> respond) {
  (void)client_ip;
  const absl::Time start = absl::Now();
  std::string request_id(request["X-Request-Id"]);
  if (!server::IsAcceptableRequestId(request_id)) request_id = server::NewRequestId();
  const unsigned version = request.version();
  const std::string method(request.method_string());
  const std::string target(request.target());
  const size_t q = target.find('?');
  const std::string path = target.substr(0, q);
  const std::string query = q == std::string::npos ? "" : target.substr(q + 1);

  auto finish = [this, respond, request_id, start, method](const std::string& route_label,
                                                           HttpResponse response) {
    response.set("X-Request-Id", request_id);
    const int status = response.result_int();
    const absl::Duration latency = absl::Now() - start;
    metrics_->RecordRequest(route_label, method, status, latency);
    logger_.WithRequestId(request_id)
        .Log(status >= 500 ? log::Level::kWarn : log::Level::kInfo, "http",
             {{"route", route_label},
              {"method", method},
              {"status", status},
              {"seconds", absl::ToDoubleSeconds(latency)}});
    respond(std::move(response));
  };

  if (method == "GET" && path == "/healthz") {
    finish("/healthz", JsonResponse(200, R"({"status":"alive"})", version, false));
    return;
  }
  if (method == "GET" && path == "/readyz") {
    finish("/readyz", Readyz(version));
    return;
  }
  if (method == "GET" && path == "/api/openapi.json") {
    finish("/api/openapi.json", JsonResponse(200, openapi_json_, version, false));
    return;
  }

  RouteLookup lookup = routes_->Find(method, path);
  if (lookup.result == RouteLookup::Result::kNotFound) {
    finish("unmatched",
           ErrorResponse(absl::NotFoundError(absl::StrCat("no route for ", path)), version));
    return;
  }
  if (lookup.result == RouteLookup::Result::kMethodNotAllowed) {
    HttpResponse res = ErrorResponse(
        absl::InvalidArgumentError(absl::StrCat("method ", method, " not allowed here")), version);
    res.result(http::status::method_not_allowed);
    res.set(http::field::allow, absl::StrJoin(lookup.allowed_methods, ", "));
    finish("unmatched", std::move(res));
    return;
  }
  const Route* route = lookup.match.route;
  const std::string route_label = route->path.text();

  auto backend = backends_.find(route->backend);
  if (backend == backends_.end()) {
    finish(route_label,
           ErrorResponse(absl::UnavailableError(absl::StrCat(route->backend, " is not configured")),
                         version));
    return;
  }
  if (!request.body().empty() &&
      !IsJsonContentType(std::string(request[http::field::content_type]))) {
    HttpResponse res =
        ErrorResponse(absl::InvalidArgumentError("Content-Type must be application/json"), version);
    res.result(http::status::unsupported_media_type);
    finish(route_label, std::move(res));
    return;
  }

  std::optional<auth::v1::Principal> principal;
  if (route->access != api::v1::PUBLIC) {
    finish(route_label, ErrorResponse(absl::UnauthenticatedError("sign-in required"), version));
    return;
  }

  const google::protobuf::Message* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(
          route->method->input_type());
  std::unique_ptr<google::protobuf::Message> message(prototype->New());
  absl::Status filled = FillRequest(lookup.match, query, request.body(), message.get());
  if (!filled.ok()) {
    finish(route_label, ErrorResponse(filled, version));
    return;
  }

  auto pending = std::make_unique<Pending>();
  pending->version = version;
  pending->route = route;
  pending->method = method;
  pending->request_id = request_id;
  pending->start = start;
  pending->respond = [finish, route_label](HttpResponse res) {
    finish(route_label, std::move(res));
  };
  pending->context.set_deadline(absl::ToChronoTime(absl::Now() + options_.upstream_timeout));
  pending->context.AddMetadata(server::kRequestIdHeader, request_id);
  if (principal.has_value()) {
    absl::StatusOr<std::string> token =
        signer_->Mint(*principal, options_.principal_ttl, absl::Now());
    if (!token.ok()) {
      finish(route_label, ErrorResponse(token.status(), version));
      return;
    }
    pending->context.AddMetadata(server::kPrincipalHeader, *token);
  }
  const std::string bytes = message->SerializeAsString();
  grpc::Slice slice(bytes);
  pending->request_buffer = grpc::ByteBuffer(&slice, 1);
  CallBackend(std::move(pending));
}

void Gateway::CallBackend(std::unique_ptr<Pending> pending) {
  Pending* p = pending.release();
  grpc::GenericStub* stub = backends_.at(p->route->backend).get();
  stub->UnaryCall(
      &p->context, p->route->grpc_path, grpc::StubOptions(), &p->request_buffer,
      &p->response_buffer, [this, p](grpc::Status status) {
        std::unique_ptr<Pending> owned(p);
        if (!status.ok()) {
          absl::Status error = status::FromGrpcStatus(status);
          metrics_->RecordUpstreamError(p->route->backend, CodeName(error.code()));
          // gRPC's own transport messages name internal addresses.
          if (error.code() == absl::StatusCode::kUnavailable) {
            error = absl::UnavailableError(absl::StrCat(p->route->backend, " unavailable"));
          } else if (error.code() == absl::StatusCode::kDeadlineExceeded) {
            error = absl::DeadlineExceededError(
                absl::StrCat(p->route->backend, " did not answer in time"));
          }
          p->respond(ErrorResponse(error, p->version));
          return;
        }
        const google::protobuf::Message* prototype =
            google::protobuf::MessageFactory::generated_factory()->GetPrototype(
                p->route->method->output_type());
        std::unique_ptr<google::protobuf::Message> message(prototype->New());
        if (!message->ParseFromString(ByteBufferToString(p->response_buffer))) {
          p->respond(ErrorResponse(absl::InternalError("unparsable backend reply"), p->version));
          return;
        }
        absl::StatusOr<std::string> json = ToJson(*message);
        if (!json.ok()) {
          p->respond(ErrorResponse(json.status(), p->version));
          return;
        }
        p->respond(JsonResponse(200, *std::move(json), p->version, p->route->personal_data));
      });
}

}  // namespace onewindow::gateway
