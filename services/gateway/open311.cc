#include "services/gateway/open311.h"

#include <google/protobuf/struct.pb.h>
#include <grpcpp/client_context.h>
#include <grpcpp/support/byte_buffer.h>

#include <memory>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "libs/codes/utf8.h"
#include "libs/log/json_writer.h"
#include "libs/server/call.h"
#include "libs/server/request_id.h"
#include "libs/status/grpc_status.h"
#include "libs/status/proto_json.h"
#include "services/gateway/http_errors.h"
#include "services/gateway/path_template.h"
#include "services/gateway/session_cookie.h"
#include "services/gateway/transcoder.h"

ABSL_FLAG(std::string, open311_api_keys, "",
          "Open311 clients that may file requests, as name:key pairs separated by commas; keys "
          "are at least 16 characters (secret)");
ABSL_FLAG(std::string, open311_jurisdiction_id, "onewindow",
          "This Open311 endpoint's jurisdiction_id; requests naming another one get 404");

namespace onewindow::gateway {
namespace {

namespace v1 = complaint::v1;

constexpr char kService[] = "/onewindow.complaint.v1.ComplaintService/";
constexpr size_t kMinKeyBytes = 16;
constexpr size_t kMaxDescriptionBytes = 4000;
constexpr int kMaxResults = 1000;

bool SameSecret(absl::string_view a, absl::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

void AppendKey(std::string* out, absl::string_view key) {
  log::AppendJsonString(key, out);
  out->push_back(':');
}

void AppendField(std::string* out, absl::string_view key, absl::string_view value) {
  AppendKey(out, key);
  log::AppendJsonString(value, out);
  out->push_back(',');
}

void CloseObject(std::string* out) {
  if (!out->empty() && out->back() == ',') out->pop_back();
  out->push_back('}');
}

std::string Number(double value) { return absl::StrFormat("%.10g", value); }

// Timestamps without libs/store, which the gateway does not link.
absl::Time FromProto(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

google::protobuf::Timestamp ToProto(absl::Time t) {
  google::protobuf::Timestamp ts;
  const int64_t micros = absl::ToUnixMicros(t);
  const int64_t seconds = micros >= 0 ? micros / 1000000 : -((-micros + 999999) / 1000000);
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>((micros - seconds * 1000000) * 1000));
  return ts;
}

const char* DatatypeName(v1::AttributeDatatype type) {
  switch (type) {
    case v1::NUMBER:
      return "number";
    case v1::DATETIME:
      return "datetime";
    case v1::TEXT:
      return "text";
    case v1::SINGLE_VALUE_LIST:
      return "singlevaluelist";
    case v1::MULTI_VALUE_LIST:
      return "multivaluelist";
    default:
      return "string";
  }
}

void Merge(open311::Params* into, const std::string& key, const std::string& value) {
  absl::string_view name = key;
  if (absl::ConsumeSuffix(&name, "[]")) {
    std::string& joined = (*into)[std::string(name)];
    joined = joined.empty() ? value : absl::StrCat(joined, ",", value);
    return;
  }
  (*into)[std::string(name)] = value;
}

std::string Get(const open311::Params& params, const std::string& key) {
  auto it = params.find(key);
  return it == params.end() ? "" : it->second;
}

absl::StatusOr<absl::Time> ParseDate(const std::string& text, const char* name) {
  absl::Time t;
  std::string error;
  // absl::ParseTime also takes "infinite-past" and "infinite-future",
  // which no Timestamp holds.
  if (!absl::ParseTime(absl::RFC3339_full, text, &t, &error) || t == absl::InfinitePast() ||
      t == absl::InfiniteFuture()) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": not an ISO 8601 date-time with a time zone"));
  }
  return t;
}

std::string ValueText(const google::protobuf::Value& v) {
  switch (v.kind_case()) {
    case google::protobuf::Value::kStringValue:
      return v.string_value();
    case google::protobuf::Value::kNumberValue:
      return Number(v.number_value());
    case google::protobuf::Value::kBoolValue:
      return v.bool_value() ? "true" : "false";
    case google::protobuf::Value::kListValue: {
      std::vector<std::string> parts;
      for (const auto& item : v.list_value().values()) parts.push_back(ValueText(item));
      return absl::StrJoin(parts, ",");
    }
    default:
      return "";
  }
}

// Where an Open311 request goes, from the path after /open311/v2/.
struct Target {
  std::string collection;  // "services", "requests", "tokens", or "" when unknown.
  std::string id;          // The {code} / {id} / {token}; empty for the collection.
};

Target ParseTarget(absl::string_view rest) {
  std::vector<std::string> parts = absl::StrSplit(rest, '/');
  Target t;
  if (parts.empty() || parts.size() > 2) return t;
  if (parts[0] != "services" && parts[0] != "requests" && parts[0] != "tokens") return t;
  if (parts.size() == 2) {
    absl::StatusOr<std::string> id = PercentDecode(parts[1], false);
    // Ids are text: one that is not cannot name anything.
    if (!id.ok() || id->empty() || !IsValidUtf8(*id)) return t;
    t.id = *id;
  } else if (parts[0] == "tokens") {
    return t;
  }
  t.collection = parts[0];
  return t;
}

}  // namespace

absl::StatusOr<Open311Options> Open311OptionsFromFlags() {
  Open311Options options;
  options.jurisdiction_id = absl::GetFlag(FLAGS_open311_jurisdiction_id);
  for (absl::string_view entry :
       absl::StrSplit(absl::GetFlag(FLAGS_open311_api_keys), ',', absl::SkipWhitespace())) {
    std::pair<std::string, std::string> kv = absl::StrSplit(entry, absl::MaxSplits(':', 1));
    const std::string name(absl::StripAsciiWhitespace(kv.first));
    const std::string key(absl::StripAsciiWhitespace(kv.second));
    if (name.empty() || key.size() < kMinKeyBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("--open311_api_keys: each entry is name:key with a key of at least ",
                       kMinKeyBytes, " characters"));
    }
    if (!options.api_keys.emplace(key, name).second) {
      return absl::InvalidArgumentError("--open311_api_keys: a key is listed twice");
    }
  }
  return options;
}

namespace open311 {

absl::StatusOr<Params> ParseForm(absl::string_view body) {
  Params params;
  for (absl::string_view pair : absl::StrSplit(body, '&', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(pair, absl::MaxSplits('=', 1));
    absl::StatusOr<std::string> key = PercentDecode(kv.first, true);
    absl::StatusOr<std::string> value = PercentDecode(kv.second, true);
    if (!key.ok() || !value.ok()) {
      return absl::InvalidArgumentError("a parameter has a malformed %-escape");
    }
    if (!IsValidUtf8(*key) || !IsValidUtf8(*value)) {
      return absl::InvalidArgumentError("parameters must be UTF-8");
    }
    Merge(&params, *key, *value);
  }
  return params;
}

absl::StatusOr<Params> ParseJsonObject(absl::string_view body) {
  google::protobuf::Struct object;
  if (!status::JsonToMessage(body, &object).ok()) {
    return absl::InvalidArgumentError("the body is not a JSON object");
  }
  Params params;
  for (const auto& [key, value] : object.fields()) {
    if (key == "attribute" && value.has_struct_value()) {
      for (const auto& [code, answer] : value.struct_value().fields()) {
        params[absl::StrCat("attribute[", code, "]")] = ValueText(answer);
      }
      continue;
    }
    if (value.kind_case() == google::protobuf::Value::kNullValue) continue;
    params[key] = ValueText(value);
  }
  return params;
}

absl::StatusOr<v1::SubmitWorkOrderRequest> ToSubmitRequest(const Params& params) {
  std::vector<std::string> problems;
  v1::SubmitWorkOrderRequest r;
  r.set_channel(v1::OPEN311);
  r.set_category_code(Get(params, "service_code"));
  if (r.category_code().empty()) problems.push_back("service_code: required");

  const std::string lat = Get(params, "lat");
  const std::string lon = Get(params, "long");
  if (!lat.empty() || !lon.empty()) {
    double la = 0, lo = 0;
    if (!absl::SimpleAtod(lat, &la) || !absl::SimpleAtod(lon, &lo)) {
      problems.push_back("lat, long: both required, as decimal degrees");
    } else {
      r.mutable_location()->mutable_coordinates()->set_latitude(la);
      r.mutable_location()->mutable_coordinates()->set_longitude(lo);
    }
  }
  std::string address = Get(params, "address_string");
  if (address.empty() && !Get(params, "address_id").empty()) {
    address = absl::StrCat("address_id ", Get(params, "address_id"));
  }
  r.mutable_location()->set_address(address);
  if (lat.empty() && lon.empty() && address.empty()) {
    problems.push_back("location: give lat and long, address_string or address_id");
  }

  const std::string description = Get(params, "description");
  if (description.size() > kMaxDescriptionBytes) {
    problems.push_back("description: longer than 4000 bytes");
  }
  r.set_description(description);
  // Open311 has no title: the description's first line stands in.
  std::string first_line = std::string(
      absl::StripAsciiWhitespace(absl::string_view(description).substr(0, description.find('\n'))));
  r.set_title(first_line.empty() ? absl::StrCat("Open311 ", r.category_code())
                                 : std::string(codes::Utf8Prefix(first_line, 120)));

  const std::string name = std::string(absl::StripAsciiWhitespace(
      absl::StrCat(Get(params, "first_name"), " ", Get(params, "last_name"))));
  r.set_contact_name(name);
  r.set_contact_email(Get(params, "email"));
  r.set_contact_phone(Get(params, "phone"));
  r.set_media_url(Get(params, "media_url"));
  for (const auto& [key, value] : params) {
    absl::string_view code = key;
    if (absl::ConsumePrefix(&code, "attribute[") && absl::ConsumeSuffix(&code, "]") &&
        !code.empty()) {
      (*r.mutable_attributes())[std::string(code)] = value;
    }
  }
  if (!problems.empty()) return absl::InvalidArgumentError(absl::StrJoin(problems, "; "));
  return r;
}

absl::StatusOr<v1::ListPublicWorkOrdersRequest> ToListRequest(const Params& params,
                                                              absl::Time now) {
  std::vector<std::string> problems;
  v1::ListPublicWorkOrdersRequest r;
  r.set_limit(kMaxResults);
  for (absl::string_view id :
       absl::StrSplit(Get(params, "service_request_id"), ',', absl::SkipWhitespace())) {
    r.add_work_order_ids(std::string(absl::StripAsciiWhitespace(id)));
  }
  if (r.work_order_ids_size() > kMaxResults) {
    problems.push_back("service_request_id: at most 1000 ids");
  }
  r.set_category_code(Get(params, "service_code"));
  const std::string status = absl::AsciiStrToLower(Get(params, "status"));
  bool open = false, closed = false;
  for (absl::string_view s : absl::StrSplit(status, ',', absl::SkipWhitespace())) {
    if (s == "open") {
      open = true;
    } else if (s == "closed") {
      closed = true;
    } else {
      problems.push_back("status: open or closed");
    }
  }
  if (open != closed) r.set_status(open ? v1::ONLY_OPEN : v1::ONLY_CLOSED);

  std::optional<absl::Time> start, end;
  if (const std::string s = Get(params, "start_date"); !s.empty()) {
    absl::StatusOr<absl::Time> t = ParseDate(s, "start_date");
    if (t.ok())
      start = *t;
    else
      problems.push_back(std::string(t.status().message()));
  }
  if (const std::string s = Get(params, "end_date"); !s.empty()) {
    absl::StatusOr<absl::Time> t = ParseDate(s, "end_date");
    if (t.ok())
      end = *t;
    else
      problems.push_back(std::string(t.status().message()));
  }
  if (!problems.empty()) return absl::InvalidArgumentError(absl::StrJoin(problems, "; "));
  // Without ids the window defaults to the 90 days before end_date (or now).
  if (r.work_order_ids_size() == 0 || start.has_value() || end.has_value()) {
    const absl::Time to = end.value_or(now);
    const absl::Time from = start.value_or(to - absl::Hours(24 * 90));
    if (to <= from) return absl::InvalidArgumentError("end_date: must be after start_date");
    *r.mutable_start_time() = ToProto(from);
    // end_date is inclusive in Open311; ours is exclusive.
    *r.mutable_end_time() = ToProto(to + absl::Microseconds(1));
  }
  return r;
}

std::string FormatIsoTime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%S%Ez", t, absl::FixedTimeZone(8 * 60 * 60));
}

std::string RenderServices(const v1::ListCategoriesResponse& categories) {
  std::string out = "[";
  for (const v1::Category& c : categories.categories()) {
    out.push_back('{');
    AppendField(&out, "service_code", c.code());
    AppendField(&out, "service_name", c.name());
    AppendField(&out, "description", c.description());
    AppendKey(&out, "metadata");
    out.append(c.attributes().empty() ? "false," : "true,");
    AppendField(&out, "type", "realtime");
    AppendField(&out, "keywords", absl::StrJoin(c.keywords(), ","));
    AppendField(&out, "group", c.group());
    CloseObject(&out);
    out.push_back(',');
  }
  if (out.back() == ',') out.pop_back();
  out.push_back(']');
  return out;
}

std::string RenderDefinition(const v1::Category& category) {
  std::string out = "{";
  AppendField(&out, "service_code", category.code());
  AppendKey(&out, "attributes");
  out.push_back('[');
  for (const v1::CategoryAttribute& a : category.attributes()) {
    out.push_back('{');
    AppendKey(&out, "variable");
    out.append("true,");
    AppendField(&out, "code", a.code());
    AppendField(&out, "datatype", DatatypeName(a.datatype()));
    AppendKey(&out, "required");
    out.append(a.required() ? "true," : "false,");
    AppendField(&out, "datatype_description", a.datatype_description());
    AppendKey(&out, "order");
    absl::StrAppend(&out, a.order(), ",");
    AppendField(&out, "description", a.description());
    AppendKey(&out, "values");
    out.push_back('[');
    for (const v1::AttributeValue& v : a.values()) {
      out.push_back('{');
      AppendField(&out, "key", v.key());
      AppendField(&out, "name", v.name());
      CloseObject(&out);
      out.push_back(',');
    }
    if (out.back() == ',') out.pop_back();
    out.append("],");
    CloseObject(&out);
    out.push_back(',');
  }
  if (out.back() == ',') out.pop_back();
  out.push_back(']');
  out.push_back('}');
  return out;
}

std::string RenderRequests(const std::vector<v1::PublicWorkOrder>& orders) {
  std::string out = "[";
  for (const v1::PublicWorkOrder& o : orders) {
    out.push_back('{');
    AppendField(&out, "service_request_id", o.work_order_id());
    AppendField(&out, "status", o.state() == v1::CLOSED ? "closed" : "open");
    AppendField(&out, "status_notes", o.status_notes());
    AppendField(&out, "service_name", o.category_name());
    AppendField(&out, "service_code", o.category_code());
    AppendField(&out, "description", o.description());
    AppendField(&out, "agency_responsible", o.department_id());
    AppendField(&out, "service_notice", "");
    AppendField(&out, "requested_datetime", FormatIsoTime(FromProto(o.receive_time())));
    AppendField(&out, "updated_datetime", FormatIsoTime(FromProto(o.update_time())));
    AppendField(&out, "expected_datetime", FormatIsoTime(FromProto(o.due_time())));
    AppendField(&out, "address", o.location().address());
    AppendField(&out, "address_id", "");
    AppendField(&out, "zipcode", "");
    if (o.location().has_coordinates()) {
      AppendKey(&out, "lat");
      absl::StrAppend(&out, Number(o.location().coordinates().latitude()), ",");
      AppendKey(&out, "long");
      absl::StrAppend(&out, Number(o.location().coordinates().longitude()), ",");
    } else {
      out.append(R"("lat":null,"long":null,)");
    }
    AppendField(&out, "media_url", o.media_url());
    CloseObject(&out);
    out.push_back(',');
  }
  if (out.back() == ',') out.pop_back();
  out.push_back(']');
  return out;
}

std::string RenderCreated(const v1::WorkOrder& order) {
  std::string out = "[{";
  AppendField(&out, "service_request_id", order.work_order_id());
  AppendField(&out, "service_notice",
              absl::StrCat("Received as work order ", order.number(), "; expected by ",
                           FormatIsoTime(FromProto(order.due_time())), "."));
  out.append(R"("account_id":null})");
  out.push_back(']');
  return out;
}

std::string RenderError(int code, absl::string_view description) {
  std::string out = "[{";
  AppendKey(&out, "code");
  absl::StrAppend(&out, code, ",");
  AppendField(&out, "description", description);
  CloseObject(&out);
  out.push_back(']');
  return out;
}

int HttpStatusFor(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAlreadyExists:
      return 400;
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kResourceExhausted:
      return 429;
    case absl::StatusCode::kUnavailable:
      return 503;
    case absl::StatusCode::kDeadlineExceeded:
      return 504;
    default:
      return 500;
  }
}

}  // namespace open311

namespace {

HttpResponse Json(int status, std::string body, unsigned version) {
  return JsonResponse(status, std::move(body), version, false);
}

// complaint's field names in a refusal, as the Open311 parameters the
// client sent them.
// Only where a problem starts: a name inside one (an attribute code the
// client chose, say) is theirs and stays.
std::string Open311Names(absl::string_view message) {
  static constexpr std::pair<absl::string_view, absl::string_view> kNames[] = {
      {"contact_phone:", "phone:"},
      {"contact_email:", "email:"},
      {"contact_name:", "first_name, last_name:"},
      {"location.address:", "address_string:"},
      {"location.coordinates.latitude:", "lat:"},
      {"location.coordinates.longitude:", "long:"},
      {"request_id:", "Idempotency-Key:"}};
  std::vector<std::string> problems = absl::StrSplit(message, "; ");
  for (std::string& problem : problems) {
    for (const auto& [ours, theirs] : kNames) {
      if (absl::StartsWith(problem, ours)) {
        problem = absl::StrCat(theirs, problem.substr(ours.size()));
        break;
      }
    }
  }
  return absl::StrJoin(problems, "; ");
}

HttpResponse Error(const absl::Status& status, unsigned version) {
  const int http = open311::HttpStatusFor(status.code());
  // Server-side trouble is described generically; client errors say what.
  const std::string description =
      http >= 500 ? "the service is unavailable; try again later" : std::string(status.message());
  return Json(http, open311::RenderError(http, description), version);
}

}  // namespace

Open311::Open311(Open311Options options, grpc::GenericStub* complaint,
                 const auth::TokenSigner* signer, log::Logger logger)
    : options_(std::move(options)),
      complaint_(complaint),
      signer_(signer),
      logger_(std::move(logger)) {}

bool Open311::Owns(absl::string_view path) { return absl::StartsWith(path, "/open311/"); }

std::string Open311::RouteLabel(absl::string_view path) {
  absl::string_view rest = path;
  if (!absl::ConsumePrefix(&rest, kOpen311Prefix)) return "/open311/unknown";
  absl::ConsumeSuffix(&rest, ".json");
  const Target target = ParseTarget(rest);
  if (target.collection.empty()) return "/open311/unknown";
  return absl::StrCat(kOpen311Prefix, target.collection, target.id.empty() ? "" : "/{id}", ".json");
}

void Open311::CallComplaint(const std::string& method, const google::protobuf::Message& request,
                            const std::string& subject, const std::string& request_id, Done done) {
  struct Call {
    grpc::ClientContext context;
    grpc::ByteBuffer request;
    grpc::ByteBuffer response;
  };
  auto call = std::make_shared<Call>();
  call->context.set_deadline(absl::ToChronoTime(absl::Now() + options_.upstream_timeout));
  call->context.AddMetadata(server::kRequestIdHeader, request_id);
  auth::v1::Principal self;
  self.set_kind(auth::v1::SERVICE);
  self.set_subject(subject);
  absl::StatusOr<std::string> token = signer_->Mint(self, absl::Minutes(1), absl::Now());
  if (!token.ok()) {
    done(token.status(), "");
    return;
  }
  call->context.AddMetadata(server::kPrincipalHeader, *token);
  const std::string bytes = request.SerializeAsString();
  grpc::Slice slice(bytes);
  call->request = grpc::ByteBuffer(&slice, 1);
  complaint_->UnaryCall(&call->context, absl::StrCat(kService, method), grpc::StubOptions(),
                        &call->request, &call->response,
                        [call, done = std::move(done)](grpc::Status status) {
                          if (!status.ok()) {
                            done(status::FromGrpcStatus(status), "");
                            return;
                          }
                          std::vector<grpc::Slice> slices;
                          std::string out;
                          if (call->response.Dump(&slices).ok()) {
                            for (const auto& s : slices) {
                              out.append(reinterpret_cast<const char*>(s.begin()), s.size());
                            }
                          }
                          done(absl::OkStatus(), out);
                        });
}

void Open311::Handle(const HttpRequest& request, const std::string& path, const std::string& query,
                     const std::string& request_id, std::function<void(HttpResponse)> respond) {
  const unsigned version = request.version();
  auto fail = [&respond, version](const absl::Status& s) { respond(Error(s, version)); };
  absl::string_view rest = path;
  if (!absl::ConsumePrefix(&rest, kOpen311Prefix)) {
    fail(absl::NotFoundError("only GeoReport v2 is served, under /open311/v2/"));
    return;
  }
  if (absl::EndsWith(rest, ".xml")) {
    fail(absl::InvalidArgumentError("format: only .json is supported"));
    return;
  }
  if (!absl::ConsumeSuffix(&rest, ".json")) {
    fail(absl::NotFoundError("no such Open311 resource (paths end in .json)"));
    return;
  }
  const Target target = ParseTarget(rest);
  if (target.collection.empty()) {
    fail(absl::NotFoundError("no such Open311 resource"));
    return;
  }
  absl::StatusOr<open311::Params> params = open311::ParseForm(query);
  if (!params.ok()) {
    fail(params.status());
    return;
  }
  const std::string method(request.method_string());
  if (method == "POST" && target.collection == "requests" && target.id.empty()) {
    const std::string content_type(request[boost::beast::http::field::content_type]);
    const absl::string_view body = absl::StripLeadingAsciiWhitespace(request.body());
    absl::StatusOr<open311::Params> form =
        absl::StartsWithIgnoreCase(content_type, "application/json") ||
                (content_type.empty() && absl::StartsWith(body, "{"))
            ? open311::ParseJsonObject(request.body())
            : open311::ParseForm(request.body());
    if (!form.ok()) {
      fail(form.status());
      return;
    }
    // Body parameters win over the query string.
    for (auto& [k, v] : *form) (*params)[k] = v;
  } else if (method != "GET") {
    HttpResponse res = Json(405, open311::RenderError(405, "method not allowed"), version);
    res.set(boost::beast::http::field::allow,
            target.collection == "requests" && target.id.empty() ? "GET, POST" : "GET");
    respond(std::move(res));
    return;
  }
  const auto jurisdiction = params->find("jurisdiction_id");
  if (jurisdiction != params->end() && !jurisdiction->second.empty() &&
      jurisdiction->second != options_.jurisdiction_id) {
    fail(absl::NotFoundError("jurisdiction_id: not served here"));
    return;
  }

  if (target.collection == "tokens") {
    fail(absl::NotFoundError(
        "token: no tokens are issued; POST requests.json returns service_request_id at once"));
    return;
  }
  if (target.collection == "services") {
    if (target.id.empty()) {
      CallComplaint(
          "ListCategories", v1::ListCategoriesRequest(), "open311", request_id,
          [respond, version](absl::Status s, const std::string& bytes) {
            v1::ListCategoriesResponse list;
            if (s.ok() && !list.ParseFromString(bytes)) {
              s = absl::InternalError("unparsable reply");
            }
            respond(s.ok() ? Json(200, open311::RenderServices(list), version) : Error(s, version));
          });
      return;
    }
    v1::GetCategoryRequest get;
    get.set_code(target.id);
    CallComplaint("GetCategory", get, "open311", request_id,
                  [respond, version](absl::Status s, const std::string& bytes) {
                    v1::Category category;
                    if (s.ok() && !category.ParseFromString(bytes)) {
                      s = absl::InternalError("unparsable reply");
                    }
                    if (s.code() == absl::StatusCode::kNotFound) {
                      s = absl::NotFoundError("service_code: unknown");
                    }
                    respond(s.ok() ? Json(200, open311::RenderDefinition(category), version)
                                   : Error(s, version));
                  });
    return;
  }

  // requests
  if (method == "POST") {
    std::string client;
    const std::string key = (*params)["api_key"];
    for (const auto& [known, name] : options_.api_keys) {
      if (SameSecret(key, known)) client = name;
    }
    if (client.empty()) {
      fail(absl::PermissionDeniedError("api_key: missing or not valid"));
      return;
    }
    absl::StatusOr<v1::SubmitWorkOrderRequest> submit = open311::ToSubmitRequest(*params);
    if (!submit.ok()) {
      fail(submit.status());
      return;
    }
    // A client retrying with the same Idempotency-Key gets the same request.
    const std::string idempotency_key(request["Idempotency-Key"]);
    if (!IsValidUtf8(idempotency_key)) {
      fail(absl::InvalidArgumentError("Idempotency-Key header: not valid UTF-8"));
      return;
    }
    submit->set_request_id(idempotency_key);
    CallComplaint("SubmitWorkOrder", *submit, absl::StrCat("open311:", client), request_id,
                  [respond, version, logger = logger_, request_id, client](
                      absl::Status s, const std::string& bytes) {
                    v1::WorkOrder order;
                    if (s.ok() && !order.ParseFromString(bytes)) {
                      s = absl::InternalError("unparsable reply");
                    }
                    // An unknown category is Open311's unknown service (404),
                    // named as the client named it; other problems stay.
                    constexpr absl::string_view kUnknownCategory =
                        "category_code: unknown category";
                    if (s.code() == absl::StatusCode::kInvalidArgument &&
                        absl::StrContains(s.message(), kUnknownCategory)) {
                      s = absl::NotFoundError(absl::StrReplaceAll(
                          s.message(), {{kUnknownCategory, "service_code: unknown"}}));
                    }
                    if (s.code() == absl::StatusCode::kInvalidArgument ||
                        s.code() == absl::StatusCode::kNotFound) {
                      s = absl::Status(s.code(), Open311Names(s.message()));
                    }
                    if (!s.ok()) {
                      respond(Error(s, version));
                      return;
                    }
                    logger.WithRequestId(request_id)
                        .Info("open311 request filed",
                              {{"client", client}, {"work_order_id", order.work_order_id()}});
                    respond(Json(200, open311::RenderCreated(order), version));
                  });
    return;
  }
  auto render_list = [respond, version](absl::Status s, const std::string& bytes) {
    v1::ListPublicWorkOrdersResponse list;
    if (s.ok() && !list.ParseFromString(bytes)) s = absl::InternalError("unparsable reply");
    if (!s.ok()) {
      respond(Error(s, version));
      return;
    }
    respond(Json(200,
                 open311::RenderRequests({list.work_orders().begin(), list.work_orders().end()}),
                 version));
  };
  if (!target.id.empty()) {
    v1::GetPublicWorkOrderRequest get;
    get.set_work_order_id(target.id);
    CallComplaint("GetPublicWorkOrder", get, "open311", request_id,
                  [respond, version](absl::Status s, const std::string& bytes) {
                    v1::PublicWorkOrder order;
                    if (s.ok() && !order.ParseFromString(bytes)) {
                      s = absl::InternalError("unparsable reply");
                    }
                    if (s.code() == absl::StatusCode::kNotFound) {
                      s = absl::NotFoundError("service_request_id: unknown");
                    }
                    respond(s.ok() ? Json(200, open311::RenderRequests({order}), version)
                                   : Error(s, version));
                  });
    return;
  }
  absl::StatusOr<v1::ListPublicWorkOrdersRequest> list =
      open311::ToListRequest(*params, absl::Now());
  if (!list.ok()) {
    fail(list.status());
    return;
  }
  CallComplaint("ListPublicWorkOrders", *list, "open311", request_id, render_list);
}

}  // namespace onewindow::gateway
