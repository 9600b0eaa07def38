#include "services/gateway/gateway.h"

#include <google/protobuf/message.h>
#include <grpcpp/client_context.h>
#include <grpcpp/support/byte_buffer.h>

#include <boost/asio/post.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "libs/config/flags.h"
#include "libs/log/json_writer.h"
#include "libs/server/call.h"
#include "libs/server/request_id.h"
#include "libs/status/grpc_status.h"
#include "libs/status/proto_json.h"
#include "services/gateway/http_errors.h"
#include "services/gateway/session_cookie.h"
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

bool IsSafeMethod(absl::string_view method) { return method == "GET" || method == "HEAD"; }

// Every X-Forwarded-For line, in order, as one list. A proxy may add a line
// of its own rather than extend the client's; read alone, the first line
// would be the one the client wrote.
std::string ForwardedFor(const HttpRequest& request) {
  std::vector<absl::string_view> lines;
  for (auto [it, end] = request.equal_range("X-Forwarded-For"); it != end; ++it) {
    lines.emplace_back(it->value().data(), it->value().size());
  }
  return absl::StrJoin(lines, ",");
}

// The methods anything here answers. Beast takes any token as a method, and
// the method is a label of the request metrics and a field of the log line:
// refused before either, a client cannot mint a series per request.
bool IsServedMethod(http::verb method) {
  switch (method) {
    case http::verb::get:
    case http::verb::head:
    case http::verb::post:
    case http::verb::put:
    case http::verb::patch:
    case http::verb::delete_:
    case http::verb::options:
      return true;
    default:
      return false;
  }
}

// The value of cookie `name`, or empty.
std::string CookieValue(absl::string_view header, absl::string_view name) {
  for (absl::string_view part : absl::StrSplit(header, ';')) {
    part = absl::StripAsciiWhitespace(part);
    if (absl::ConsumePrefix(&part, name) && absl::ConsumePrefix(&part, "=")) {
      return std::string(part);
    }
  }
  return "";
}

// Constant-time comparison for the CSRF token.
bool SameSecret(absl::string_view a, absl::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

HttpResponse TooManyRequests(absl::Duration retry_after, unsigned version) {
  HttpResponse res =
      ErrorResponse(absl::ResourceExhaustedError("too many requests; slow down"), version);
  res.set(http::field::retry_after,
          absl::StrCat(std::max<int64_t>(
              1, absl::ToInt64Seconds(absl::Ceil(retry_after, absl::Seconds(1))))));
  return res;
}

}  // namespace

// One HTTP request on its way through the gateway.
struct Gateway::Exchange {
  HttpRequest request;
  std::string client_ip;
  std::shared_ptr<Responder> responder;
  std::string request_id;
  std::string method;
  std::string path;
  std::string query;
  std::string route_label = "unmatched";
  // Anonymous GET of a public, non-personal route: its answer may be cached.
  bool cacheable = false;
  // Found while checking the cache, so a miss does not look the route up again.
  std::optional<RouteLookup> lookup;
  absl::Time start;
  unsigned version = 11;
  Gateway* gateway = nullptr;
  // A streamed upload's body, still to be read.
  std::shared_ptr<BodyReader> body;

  void Finish(HttpResponse response) {
    response.set("X-Request-Id", request_id);
    Record(response.result_int());
    responder->Send(std::move(response));
  }
  void Fail(const absl::Status& status) { Finish(ErrorResponse(status, version)); }

  // The request's metrics and log line, once it is answered. `cut_off`: a
  // streamed body that could not be completed.
  void Record(int status, const absl::Status& cut_off = absl::OkStatus()) {
    const absl::Duration latency = absl::Now() - start;
    gateway->deps_.metrics->RecordRequest(route_label, method, status, latency);
    const log::Logger logger = gateway->logger_.WithRequestId(request_id);
    logger.Log(status >= 500 ? log::Level::kWarn : log::Level::kInfo, "http",
               {{"route", route_label},
                {"method", method},
                {"status", status},
                {"seconds", absl::ToDoubleSeconds(latency)}});
    // The status went out before the body failed: only this line tells.
    if (!cut_off.ok()) {
      logger.Warn("response cut off",
                  {{"route", route_label}, {"reason", std::string(cut_off.message())}});
    }
  }
};

namespace {

// An exchange answered with a streamed body (a material download): the
// request id goes on the head, and the request is recorded once the body
// ended, with how it ended.
class StreamedReply final : public Responder {
 public:
  explicit StreamedReply(std::shared_ptr<Gateway::Exchange> exchange)
      : exchange_(std::move(exchange)) {}

  void Send(HttpResponse response) override { exchange_->Finish(std::move(response)); }
  void WriteHead(HttpResponseHead head, std::function<void(absl::Status)> done) override {
    head.set("X-Request-Id", exchange_->request_id);
    status_ = head.result_int();
    exchange_->responder->WriteHead(std::move(head), std::move(done));
  }
  void WriteBody(std::string piece, std::function<void(absl::Status)> done) override {
    exchange_->responder->WriteBody(std::move(piece), std::move(done));
  }
  void Finish() override {
    exchange_->responder->Finish();
    exchange_->Record(status_);
  }
  void Abort(const absl::Status& reason) override {
    exchange_->responder->Abort(reason);
    exchange_->Record(status_, reason.ok() ? absl::UnknownError("aborted") : reason);
  }

 private:
  std::shared_ptr<Gateway::Exchange> exchange_;
  // Set by WriteHead, read by the calls after it, never concurrently.
  int status_ = 0;
};

}  // namespace

Gateway::Gateway(GatewayOptions options, GatewayDeps deps, log::Logger logger)
    : options_(options),
      deps_(std::move(deps)),
      logger_(std::move(logger)),
      pool_(static_cast<size_t>(std::max(1, options.redis_threads))) {
  if (auto complaint = deps_.backends.find("complaint"); complaint != deps_.backends.end()) {
    absl::StatusOr<Open311Options> open311 = Open311OptionsFromFlags();
    if (!open311.ok()) config::ExitOnConfigError(logger_, open311.status());
    open311->upstream_timeout = options_.upstream_timeout;
    open311_ = std::make_unique<Open311>(*std::move(open311), complaint->second.get(), deps_.signer,
                                         logger_);
  }
}

Gateway::~Gateway() { pool_.join(); }

std::string Gateway::CookieName() const { return SessionCookieName(options_.secure_cookies); }

std::string Gateway::SessionCookie(const std::string& id, absl::Duration max_age) const {
  // A browser-session cookie: Redis decides how long the session lives.
  // Max-Age appears only to delete it.
  return absl::StrCat(CookieName(), "=", id, "; ", SessionCookieAttributes(options_.secure_cookies),
                      max_age == absl::InfiniteDuration()
                          ? ""
                          : absl::StrCat("; Max-Age=", absl::ToInt64Seconds(max_age)));
}

HttpResponse Gateway::Readyz(unsigned version) const {
  const Readiness::Snapshot snapshot = deps_.readiness->Current();
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
                     std::shared_ptr<Responder> responder) {
  Admit(std::move(request), client_ip, std::move(responder), nullptr);
}

bool Gateway::StreamsBody(const HttpRequest& header) const {
  if (deps_.materials == nullptr) return false;
  const absl::string_view target(header.target().data(), header.target().size());
  return MaterialTransfer::Find(std::string(header.method_string()),
                                target.substr(0, target.find('?')))
             .kind == MaterialTransfer::Kind::kUpload;
}

void Gateway::HandleStream(HttpRequest request, const std::string& client_ip,
                           std::shared_ptr<BodyReader> body, std::shared_ptr<Responder> responder) {
  Admit(std::move(request), client_ip, std::move(responder), std::move(body));
}

void Gateway::Admit(HttpRequest request, const std::string& client_ip,
                    std::shared_ptr<Responder> responder, std::shared_ptr<BodyReader> body) {
  auto exchange = std::make_shared<Exchange>();
  exchange->body = std::move(body);
  exchange->start = absl::Now();
  exchange->gateway = this;
  exchange->client_ip = deps_.clients == nullptr
                            ? client_ip
                            : deps_.clients->ClientOf(client_ip, ForwardedFor(request));
  exchange->responder = std::move(responder);
  exchange->version = request.version();
  exchange->method = std::string(request.method_string());
  const bool served_method = IsServedMethod(request.method());
  if (!served_method) exchange->method = "other";
  exchange->request_id = std::string(request["X-Request-Id"]);
  if (!server::IsAcceptableRequestId(exchange->request_id)) {
    exchange->request_id = server::NewRequestId();
  }
  const std::string target(request.target());
  const size_t q = target.find('?');
  exchange->path = target.substr(0, q);
  exchange->query = q == std::string::npos ? "" : target.substr(q + 1);
  exchange->request = std::move(request);
  if (!served_method) {
    exchange->Fail(absl::UnimplementedError("method: not supported here"));
    return;
  }

  // Probes and the API description never touch Redis or a backend.
  if (exchange->method == "GET") {
    if (exchange->path == "/healthz") {
      exchange->route_label = "/healthz";
      exchange->Finish(JsonResponse(200, R"({"status":"alive"})", exchange->version, false));
      return;
    }
    if (exchange->path == "/readyz") {
      exchange->route_label = "/readyz";
      exchange->Finish(Readyz(exchange->version));
      return;
    }
    if (exchange->path == "/api/openapi.json") {
      exchange->route_label = "/api/openapi.json";
      exchange->Finish(JsonResponse(200, deps_.openapi_json, exchange->version, false));
      return;
    }
  }
  // The operators' page is static files: no data, no session needed.
  if (deps_.ops != nullptr && OpsPage::IsPagePath(exchange->path)) {
    exchange->Finish(deps_.ops->ServeAsset(exchange->method, exchange->path, exchange->version,
                                           &exchange->route_label));
    return;
  }
  if (ServeFromCache(exchange)) return;
  boost::asio::post(pool_, [this, exchange] { Process(exchange); });
}

bool Gateway::ServeFromCache(const std::shared_ptr<Exchange>& exchange) {
  if (deps_.public_cache == nullptr || !deps_.public_cache->enabled()) return false;
  if (exchange->method != "GET" || !exchange->request[http::field::cookie].empty() ||
      !exchange->request[http::field::authorization].empty()) {
    return false;
  }
  exchange->lookup = deps_.routes->Find(exchange->method, exchange->path);
  const RouteLookup& lookup = *exchange->lookup;
  if (lookup.result != RouteLookup::Result::kFound ||
      lookup.match.route->access != api::v1::PUBLIC || lookup.match.route->personal_data) {
    return false;
  }
  exchange->cacheable = true;
  const std::string key(exchange->request.target());
  std::optional<std::string> body = deps_.public_cache->Get(key, absl::Now());
  if (!body.has_value()) return false;
  // A hit costs no backend work and no Redis round trip, so it skips the
  // per-client bucket; the HTTP server's connection limits still apply.
  exchange->route_label = lookup.match.route->path.text();
  HttpResponse res = JsonResponse(200, *std::move(body), exchange->version, false);
  res.set(http::field::cache_control,
          absl::StrCat("public, max-age=", absl::ToInt64Seconds(deps_.public_cache->ttl())));
  res.set("X-Cache", "hit");
  exchange->Finish(std::move(res));
  return true;
}

void Gateway::Process(std::shared_ptr<Exchange> exchange) {
  const HttpRequest& request = exchange->request;
  // Open311 clients post forms (open311.h parses them).
  if (!request.body().empty() && !Open311::Owns(exchange->path) &&
      !IsJsonContentType(std::string(request[http::field::content_type]))) {
    HttpResponse res = ErrorResponse(
        absl::InvalidArgumentError("Content-Type must be application/json"), exchange->version);
    res.result(http::status::unsupported_media_type);
    exchange->Finish(std::move(res));
    return;
  }

  const bool is_login = exchange->path == kSessionsPath && exchange->method == "POST";
  absl::StatusOr<RateDecision> decision = deps_.limiter->Take(
      absl::StrCat(is_login ? "login:" : "ip:", ClientAddresses::LimitKey(exchange->client_ip)),
      is_login ? deps_.limiter->policy().login_per_client : deps_.limiter->policy().per_client);
  if (!decision.ok()) {
    exchange->Fail(absl::UnavailableError("session store unavailable"));
    return;
  }
  if (!decision->allowed) {
    exchange->Finish(TooManyRequests(decision->retry_after, exchange->version));
    return;
  }
  if (is_login) {
    exchange->route_label = kSessionsPath;
    Login(exchange);
    return;
  }
  // Open311 authenticates by api_key, not by session (open311.h).
  if (open311_ != nullptr && Open311::Owns(exchange->path)) {
    exchange->route_label = Open311::RouteLabel(exchange->path);
    open311_->Handle(exchange->request, exchange->path, exchange->query, exchange->request_id,
                     [exchange](HttpResponse response) { exchange->Finish(std::move(response)); });
    return;
  }

  // Fail closed: with a cookie and no Redis we cannot tell who is calling.
  const std::string session_id =
      CookieValue(std::string(request[http::field::cookie]), CookieName());
  std::optional<Session> session;
  if (!session_id.empty()) {
    absl::StatusOr<std::optional<Session>> found = deps_.sessions->Lookup(session_id);
    if (!found.ok()) {
      logger_.WithRequestId(exchange->request_id)
          .Warn("session lookup failed", {{"error", std::string(found.status().message())}});
      exchange->Fail(absl::UnavailableError("session store unavailable"));
      return;
    }
    session = *std::move(found);
  }
  if (session.has_value()) {
    absl::StatusOr<RateDecision> per_session =
        deps_.limiter->Take(absl::StrCat("s:", session->id), deps_.limiter->policy().per_session);
    if (!per_session.ok()) {
      exchange->Fail(absl::UnavailableError("session store unavailable"));
      return;
    }
    if (!per_session->allowed) {
      exchange->Finish(TooManyRequests(per_session->retry_after, exchange->version));
      return;
    }
    // SameSite=Strict already stops cross-site posts in current browsers;
    // the token also covers older ones and same-site subdomains.
    if (!IsSafeMethod(exchange->method) &&
        !SameSecret(std::string(request[kCsrfHeader]), session->csrf_token)) {
      exchange->route_label =
          exchange->path == kCurrentSessionPath ? kCurrentSessionPath : exchange->route_label;
      exchange->Fail(absl::PermissionDeniedError("missing or wrong X-CSRF-Token header"));
      return;
    }
  }
  if (exchange->path == kCurrentSessionPath && exchange->method == "DELETE") {
    exchange->route_label = kCurrentSessionPath;
    Logout(exchange, session.has_value() ? session->id : "");
    return;
  }

  if (deps_.ops != nullptr && exchange->path == OpsPage::kTrafficPath) {
    exchange->route_label = OpsPage::kTrafficPath;
    exchange->Finish(deps_.ops->Traffic(
        exchange->method, session.has_value() ? &session->principal : nullptr, exchange->version));
    return;
  }
  if (ServeMaterials(exchange, session)) return;
  if (!exchange->lookup.has_value()) {
    exchange->lookup = deps_.routes->Find(exchange->method, exchange->path);
  }
  const RouteLookup& lookup = *exchange->lookup;
  if (lookup.result == RouteLookup::Result::kNotFound) {
    exchange->Fail(absl::NotFoundError(absl::StrCat("no route for ", exchange->path)));
    return;
  }
  if (lookup.result == RouteLookup::Result::kMethodNotAllowed) {
    HttpResponse res = ErrorResponse(
        absl::InvalidArgumentError(absl::StrCat("method ", exchange->method, " not allowed here")),
        exchange->version);
    res.result(http::status::method_not_allowed);
    res.set(http::field::allow, absl::StrJoin(lookup.allowed_methods, ", "));
    exchange->Finish(std::move(res));
    return;
  }
  exchange->route_label = lookup.match.route->path.text();
  if (lookup.match.route->access != api::v1::PUBLIC && !session.has_value()) {
    HttpResponse res =
        ErrorResponse(absl::UnauthenticatedError("sign-in required"), exchange->version);
    if (!session_id.empty())
      res.set(http::field::set_cookie, SessionCookie("", absl::ZeroDuration()));
    exchange->Finish(std::move(res));
    return;
  }
  std::optional<auth::v1::Principal> principal;
  if (session.has_value()) principal = session->principal;
  CallBackend(exchange, lookup.match, principal);
}

bool Gateway::ServeMaterials(const std::shared_ptr<Exchange>& exchange,
                             const std::optional<Session>& session) {
  if (deps_.materials == nullptr) return false;
  const MaterialTransfer::Match match = MaterialTransfer::Find(exchange->method, exchange->path);
  if (match.kind == MaterialTransfer::Kind::kNone) return false;
  exchange->route_label = match.label;
  if (!session.has_value()) {
    exchange->Fail(absl::UnauthenticatedError("sign-in required"));
    return true;
  }
  if (match.kind == MaterialTransfer::Kind::kDownload) {
    deps_.materials->Download(match.material_id, exchange->version, session->principal,
                              exchange->request_id, std::make_shared<StreamedReply>(exchange));
  } else if (exchange->body == nullptr) {
    exchange->Fail(absl::InvalidArgumentError("the upload body was not streamed"));
  } else {
    deps_.materials->Upload(exchange->request, exchange->query, exchange->body, session->principal,
                            exchange->request_id, [exchange](HttpResponse response) {
                              exchange->Finish(std::move(response));
                            });
  }
  return true;
}

void Gateway::CallBackend(std::shared_ptr<Exchange> exchange, const RouteMatch& match,
                          const std::optional<auth::v1::Principal>& principal) {
  const Route* route = match.route;
  auto backend = deps_.backends.find(route->backend);
  if (backend == deps_.backends.end()) {
    exchange->Fail(absl::UnavailableError(absl::StrCat(route->backend, " is not configured")));
    return;
  }
  const google::protobuf::Message* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(
          route->method->input_type());
  std::unique_ptr<google::protobuf::Message> message(prototype->New());
  absl::Status filled =
      FillRequest(match, exchange->query, exchange->request.body(), message.get());
  if (!filled.ok()) {
    exchange->Fail(filled);
    return;
  }

  struct Call {
    grpc::ClientContext context;
    grpc::ByteBuffer request;
    grpc::ByteBuffer response;
  };
  auto call = std::make_shared<Call>();
  call->context.set_deadline(absl::ToChronoTime(absl::Now() + options_.upstream_timeout));
  call->context.AddMetadata(server::kRequestIdHeader, exchange->request_id);
  // The Idempotency-Key header travels as the request id field where a
  // method has one (see the protos), so retries are recognised downstream.
  const std::string idempotency_key(exchange->request["Idempotency-Key"]);
  if (!IsValidUtf8(idempotency_key)) {
    // A backend would refuse the message whole, which reads as our fault.
    exchange->Fail(absl::InvalidArgumentError("Idempotency-Key header: not valid UTF-8"));
    return;
  }
  if (!idempotency_key.empty()) {
    const auto* field = route->method->input_type()->FindFieldByName("request_id");
    if (field != nullptr && field->type() == google::protobuf::FieldDescriptor::TYPE_STRING &&
        !field->is_repeated()) {
      message->GetReflection()->SetString(message.get(), field, idempotency_key);
    }
  }
  if (principal.has_value()) {
    absl::StatusOr<std::string> token =
        deps_.signer->Mint(*principal, options_.principal_ttl, absl::Now());
    if (!token.ok()) {
      exchange->Fail(token.status());
      return;
    }
    call->context.AddMetadata(server::kPrincipalHeader, *token);
  }
  const std::string bytes = message->SerializeAsString();
  grpc::Slice slice(bytes);
  call->request = grpc::ByteBuffer(&slice, 1);
  backend->second->UnaryCall(
      &call->context, route->grpc_path, grpc::StubOptions(), &call->request, &call->response,
      [this, exchange, call, route](grpc::Status status) {
        if (!status.ok()) {
          absl::Status error = status::FromGrpcStatus(status);
          deps_.metrics->RecordUpstreamError(route->backend, CodeName(error.code()));
          exchange->Fail(PublicUpstreamError(route->backend, error));
          return;
        }
        const google::protobuf::Message* out_prototype =
            google::protobuf::MessageFactory::generated_factory()->GetPrototype(
                route->method->output_type());
        std::unique_ptr<google::protobuf::Message> reply(out_prototype->New());
        if (!reply->ParseFromString(ByteBufferToString(call->response))) {
          exchange->Fail(absl::InternalError("unparsable backend reply"));
          return;
        }
        absl::StatusOr<std::string> json = ToJson(*reply);
        if (!json.ok()) {
          exchange->Fail(json.status());
          return;
        }
        if (exchange->cacheable && deps_.public_cache != nullptr) {
          deps_.public_cache->Put(std::string(exchange->request.target()), *json, absl::Now());
        }
        exchange->Finish(
            JsonResponse(200, *std::move(json), exchange->version, route->personal_data));
      });
}

void Gateway::Login(std::shared_ptr<Exchange> exchange) {
  struct Call {
    grpc::ClientContext context;
    identity::v1::LoginRequest request;
    identity::v1::LoginResponse response;
  };
  auto call = std::make_shared<Call>();
  absl::Status parsed = status::JsonToMessage(exchange->request.body(), &call->request);
  if (!parsed.ok()) {
    exchange->Fail(parsed);
    return;
  }
  // What identity's lockout counts under, as the gateway's limits do.
  call->request.set_client_ip(ClientAddresses::LimitKey(exchange->client_ip));
  auth::v1::Principal self;
  self.set_kind(auth::v1::SERVICE);
  self.set_subject("gateway");
  absl::StatusOr<std::string> token = deps_.signer->Mint(self, absl::Minutes(1), absl::Now());
  if (!token.ok()) {
    exchange->Fail(token.status());
    return;
  }
  call->context.AddMetadata(server::kPrincipalHeader, *token);
  call->context.AddMetadata(server::kRequestIdHeader, exchange->request_id);
  call->context.set_deadline(absl::ToChronoTime(absl::Now() + options_.upstream_timeout));
  deps_.identity->async()->Login(
      &call->context, &call->request, &call->response, [this, exchange, call](grpc::Status status) {
        if (!status.ok()) {
          absl::Status error = status::FromGrpcStatus(status);
          if (error.code() == absl::StatusCode::kUnavailable) {
            error = absl::UnavailableError("identity unavailable");
          }
          exchange->Fail(error);
          return;
        }
        // Session work is blocking Redis; back to the pool.
        boost::asio::post(pool_, [this, exchange, call] {
          const std::string old_id =
              CookieValue(std::string(exchange->request[http::field::cookie]), CookieName());
          // A new id at every login: a planted id never becomes a session.
          if (!old_id.empty()) deps_.sessions->Delete(old_id).IgnoreError();
          absl::StatusOr<Session> session = deps_.sessions->Create(call->response.principal());
          if (!session.ok()) {
            exchange->Fail(absl::UnavailableError("session store unavailable"));
            return;
          }
          absl::StatusOr<std::string> principal = ToJson(session->principal);
          std::string body = R"({"csrfToken":)";
          log::AppendJsonString(session->csrf_token, &body);
          absl::StrAppend(&body, R"(,"principal":)", principal.ok() ? *principal : "{}", "}");
          HttpResponse res = JsonResponse(200, std::move(body), exchange->version, true);
          res.set(http::field::set_cookie, SessionCookie(session->id, absl::InfiniteDuration()));
          exchange->Finish(std::move(res));
        });
      });
}

void Gateway::Logout(std::shared_ptr<Exchange> exchange, const std::string& session_id) {
  if (!session_id.empty()) {
    absl::Status deleted = deps_.sessions->Delete(session_id);
    if (!deleted.ok()) {
      exchange->Fail(absl::UnavailableError("session store unavailable"));
      return;
    }
  }
  HttpResponse res{http::status::no_content, exchange->version};
  res.set(http::field::cache_control, "no-store");
  res.set(http::field::set_cookie, SessionCookie("", absl::ZeroDuration()));
  res.prepare_payload();
  exchange->Finish(std::move(res));
}

}  // namespace onewindow::gateway
