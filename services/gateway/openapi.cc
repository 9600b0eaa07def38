#include "services/gateway/openapi.h"

#include <algorithm>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/type_resolver.h>
#include <google/protobuf/util/type_resolver_util.h>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "onewindow/auth/v1/principal.pb.h"
#include "onewindow/identity/v1/identity.pb.h"
#include "onewindow/intake/v1/intake.pb.h"
#include "services/gateway/ops_page.h"
#include "services/gateway/session_cookie.h"
#include "services/gateway/uploads.h"

namespace onewindow::gateway {
namespace {

namespace pb = google::protobuf;
using FD = pb::FieldDescriptor;

// Small builders over google.protobuf.Value: the document is a value tree and
// protobuf prints it, so escaping is never done by hand.
pb::Value Str(absl::string_view s) {
  pb::Value v;
  v.set_string_value(std::string(s));
  return v;
}

pb::Value Bool(bool b) {
  pb::Value v;
  v.set_bool_value(b);
  return v;
}

pb::Value Num(double d) {
  pb::Value v;
  v.set_number_value(d);
  return v;
}

pb::Value Obj(std::vector<std::pair<std::string, pb::Value>> entries = {}) {
  pb::Value v;
  auto* fields = v.mutable_struct_value()->mutable_fields();
  for (auto& [key, value] : entries) (*fields)[key] = std::move(value);
  return v;
}

pb::Value Arr(std::vector<pb::Value> items) {
  pb::Value v;
  auto* list = v.mutable_list_value();
  for (auto& item : items) *list->add_values() = std::move(item);
  return v;
}

void Put(pb::Value* object, const std::string& key, pb::Value value) {
  (*object->mutable_struct_value()->mutable_fields())[key] = std::move(value);
}

pb::Value* At(pb::Value* object, const std::string& key) {
  auto* fields = object->mutable_struct_value()->mutable_fields();
  pb::Value& slot = (*fields)[key];
  if (!slot.has_struct_value()) slot.mutable_struct_value();
  return &slot;
}

std::string SchemaRef(absl::string_view name) {
  return absl::StrCat("#/components/schemas/", name);
}

pb::Value Ref(absl::string_view name) { return Obj({{"$ref", Str(SchemaRef(name))}}); }

bool IsWrapper(absl::string_view name) {
  return name == "google.protobuf.DoubleValue" || name == "google.protobuf.FloatValue" ||
         name == "google.protobuf.Int64Value" || name == "google.protobuf.UInt64Value" ||
         name == "google.protobuf.Int32Value" || name == "google.protobuf.UInt32Value" ||
         name == "google.protobuf.BoolValue" || name == "google.protobuf.StringValue" ||
         name == "google.protobuf.BytesValue";
}

// Types whose JSON form is a single string or scalar; the transcoder accepts
// them as query parameters too.
bool IsTextualMessage(const pb::Descriptor* type) {
  const std::string& name = type->full_name();
  return name == "google.protobuf.Timestamp" || name == "google.protobuf.Duration" ||
         IsWrapper(name);
}

// Collects component schemas for the messages and enums the routes reach.
class SchemaBuilder {
 public:
  // The schema of one value of `field` (its element type when repeated).
  pb::Value ElementSchema(const FD* field) {
    switch (field->type()) {
      case FD::TYPE_DOUBLE:
        return Obj({{"type", Str("number")}, {"format", Str("double")}});
      case FD::TYPE_FLOAT:
        return Obj({{"type", Str("number")}, {"format", Str("float")}});
      case FD::TYPE_INT32:
      case FD::TYPE_SINT32:
      case FD::TYPE_SFIXED32:
        return Obj({{"type", Str("integer")}, {"format", Str("int32")}});
      case FD::TYPE_UINT32:
      case FD::TYPE_FIXED32:
        return Obj({{"type", Str("integer")}, {"format", Str("int64")}, {"minimum", Num(0)}});
      // The JSON mapping writes 64-bit integers as strings: JavaScript
      // numbers lose precision past 2^53.
      case FD::TYPE_INT64:
      case FD::TYPE_SINT64:
      case FD::TYPE_SFIXED64:
        return Obj({{"type", Str("string")}, {"format", Str("int64")}});
      case FD::TYPE_UINT64:
      case FD::TYPE_FIXED64:
        return Obj({{"type", Str("string")}, {"format", Str("uint64")}});
      case FD::TYPE_BOOL:
        return Obj({{"type", Str("boolean")}});
      case FD::TYPE_STRING:
        return Obj({{"type", Str("string")}});
      case FD::TYPE_BYTES:
        return Obj({{"type", Str("string")}, {"format", Str("byte")}});
      case FD::TYPE_ENUM:
        return EnumSchema(field->enum_type());
      case FD::TYPE_MESSAGE:
      case FD::TYPE_GROUP:
        return MessageSchema(field->message_type());
    }
    return Obj();
  }

  pb::Value FieldSchema(const FD* field) {
    if (field->is_map()) {
      return Obj({{"type", Str("object")},
                  {"additionalProperties", ElementSchema(field->message_type()->map_value())}});
    }
    if (field->is_repeated()) {
      return Obj({{"type", Str("array")}, {"items", ElementSchema(field)}});
    }
    return ElementSchema(field);
  }

  // Well-known types inline as their JSON forms; other messages by reference.
  pb::Value MessageSchema(const pb::Descriptor* type) {
    const std::string& name = type->full_name();
    if (name == "google.protobuf.Timestamp") {
      return Obj({{"type", Str("string")}, {"format", Str("date-time")}});
    }
    if (name == "google.protobuf.Duration") {
      return Obj({{"type", Str("string")},
                  {"pattern", Str("^-?[0-9]+(\\.[0-9]{1,9})?s$")},
                  {"example", Str("1.5s")}});
    }
    if (name == "google.protobuf.FieldMask") {
      return Obj({{"type", Str("string")},
                  {"description", Str("Comma-separated lowerCamelCase field paths")}});
    }
    if (name == "google.protobuf.Struct") {
      return Obj({{"type", Str("object")}, {"additionalProperties", Bool(true)}});
    }
    if (name == "google.protobuf.Value") return Obj({{"description", Str("Any JSON value")}});
    if (name == "google.protobuf.ListValue") {
      return Obj({{"type", Str("array")}, {"items", Obj()}});
    }
    if (name == "google.protobuf.Empty") return Obj({{"type", Str("object")}});
    if (name == "google.protobuf.Any") {
      return Obj({{"type", Str("object")},
                  {"properties", Obj({{"@type", Obj({{"type", Str("string")}})}})},
                  {"additionalProperties", Bool(true)}});
    }
    if (IsWrapper(name)) {
      pb::Value schema = ElementSchema(type->FindFieldByName("value"));
      Put(&schema, "nullable", Bool(true));
      return schema;
    }
    Want(name, [this, type] { pending_messages_.push_back(type); });
    return Ref(name);
  }

  pb::Value EnumSchema(const pb::EnumDescriptor* type) {
    if (type->full_name() == "google.protobuf.NullValue") return Obj({{"nullable", Bool(true)}});
    Want(type->full_name(), [this, type] {
      std::vector<pb::Value> names;
      for (int i = 0; i < type->value_count(); ++i) names.push_back(Str(type->value(i)->name()));
      Put(&schemas_, type->full_name(), Obj({{"type", Str("string")}, {"enum", Arr(names)}}));
    });
    return Ref(type->full_name());
  }

  // Builds every message schema referenced so far (and what those reach)
  // and returns the components.schemas object.
  pb::Value Finish() {
    while (!pending_messages_.empty()) {
      const pb::Descriptor* type = pending_messages_.front();
      pending_messages_.pop_front();
      pb::Value properties = Obj();
      for (int i = 0; i < type->field_count(); ++i) {
        const FD* field = type->field(i);
        Put(&properties, field->json_name(), FieldSchema(field));
      }
      Put(&schemas_, type->full_name(),
          Obj({{"type", Str("object")}, {"properties", std::move(properties)}}));
    }
    return schemas_;
  }

  void AddSchema(const std::string& name, pb::Value schema) {
    Put(&schemas_, name, std::move(schema));
  }

 private:
  template <typename F>
  void Want(const std::string& name, F add) {
    if (seen_.insert(name).second) add();
  }

  pb::Value schemas_ = Obj();
  absl::flat_hash_set<std::string> seen_;
  std::deque<const pb::Descriptor*> pending_messages_;
};

const FD* ResolvePath(const pb::Descriptor* type, absl::string_view field_path) {
  const FD* field = nullptr;
  for (absl::string_view part : absl::StrSplit(field_path, '.')) {
    if (type == nullptr) return nullptr;
    field = type->FindFieldByName(std::string(part));
    if (field == nullptr) return nullptr;
    type = field->message_type();
  }
  return field;
}

// Query parameters: the fields the transcoder takes from the query string,
// recursing through singular messages with dotted names.
void CollectQueryParameters(SchemaBuilder* schemas, const Route& route, const pb::Descriptor* type,
                            const std::string& proto_prefix, const std::string& json_prefix,
                            std::vector<const pb::Descriptor*>* stack,
                            std::vector<pb::Value>* out) {
  constexpr size_t kMaxDepth = 4;
  for (int i = 0; i < type->field_count(); ++i) {
    const FD* field = type->field(i);
    if (proto_prefix.empty() && field->name() == route.body_field) continue;
    const std::string proto_path = absl::StrCat(proto_prefix, field->name());
    const std::string json_path = absl::StrCat(json_prefix, field->json_name());
    bool bound = false;
    for (const std::string& variable : route.path.variables()) {
      bound = bound || variable == proto_path;
    }
    if (bound || field->is_map()) continue;
    const bool is_message = field->cpp_type() == FD::CPPTYPE_MESSAGE;
    if (is_message && !IsTextualMessage(field->message_type())) {
      const pb::Descriptor* sub = field->message_type();
      // Repeated messages need a body; recursion stops at cycles.
      if (field->is_repeated() || stack->size() >= kMaxDepth ||
          std::find(stack->begin(), stack->end(), sub) != stack->end()) {
        continue;
      }
      stack->push_back(sub);
      CollectQueryParameters(schemas, route, sub, proto_path + ".", json_path + ".", stack, out);
      stack->pop_back();
      continue;
    }
    if (is_message && field->is_repeated()) continue;
    out->push_back(Obj({{"name", Str(json_path)},
                        {"in", Str("query")},
                        {"required", Bool(false)},
                        {"schema", schemas->FieldSchema(field)}}));
  }
}

pb::Value ErrorResponse(absl::string_view description) {
  return Obj({{"description", Str(description)},
              {"content", Obj({{"application/json", Obj({{"schema", Ref("Error")}})}})}});
}

pb::Value RetryAfterHeader() {
  return Obj({{"description", Str("Seconds to wait; sent when one of the gateway's buckets (per "
                                  "client address, per session, sign-in attempts) is empty")},
              {"schema", Obj({{"type", Str("integer")}, {"minimum", Num(1)}})}});
}

// 429 in the gateway's Error shape: its own buckets, or a backend's limit.
pb::Value RateLimitedResponse() {
  pb::Value response = ErrorResponse("Rate limited");
  Put(&response, "headers", Obj({{"Retry-After", RetryAfterHeader()}}));
  return response;
}

// The session cookie, and for a write (any method but GET) the CSRF token
// that goes with it: the gateway checks it before any route (gateway.cc).
pb::Value SessionRequirement(bool write) {
  pb::Value requirement = Obj({{"ow_session", Arr({})}});
  if (write) Put(&requirement, "ow_csrf", Arr({}));
  return requirement;
}

pb::Value Operation(SchemaBuilder* schemas, const Route& route) {
  const pb::MethodDescriptor* method = route.method;
  const pb::Descriptor* input = method->input_type();
  pb::Value op = Obj({
      {"operationId", Str(absl::StrCat(method->service()->name(), "_", method->name()))},
      {"tags", Arr({Str(route.backend)})},
  });
  if (!route.summary.empty()) Put(&op, "summary", Str(route.summary));
  Put(&op, "description", Str(absl::StrCat("gRPC ", route.grpc_path)));

  std::vector<pb::Value> parameters;
  for (const std::string& variable : route.path.variables()) {
    const FD* field = ResolvePath(input, variable);
    parameters.push_back(
        Obj({{"name", Str(variable)},
             {"in", Str("path")},
             {"required", Bool(true)},
             {"schema", field != nullptr ? schemas->ElementSchema(field) : Obj()}}));
  }
  if (route.body_field != "*") {
    std::vector<const pb::Descriptor*> stack = {input};
    CollectQueryParameters(schemas, route, input, "", "", &stack, &parameters);
  }
  if (!parameters.empty()) Put(&op, "parameters", Arr(std::move(parameters)));

  if (!route.body_field.empty()) {
    pb::Value body_schema;
    if (route.body_field == "*") {
      body_schema = schemas->MessageSchema(input);
    } else if (const FD* field = input->FindFieldByName(route.body_field)) {
      body_schema = schemas->FieldSchema(field);
    }
    Put(&op, "requestBody",
        Obj({{"required", Bool(true)},
             {"content", Obj({{"application/json", Obj({{"schema", body_schema}})}})}}));
  }

  pb::Value responses = Obj(
      {{"200", Obj({{"description", Str("OK")},
                    {"content",
                     Obj({{"application/json",
                           Obj({{"schema", schemas->MessageSchema(method->output_type())}})}})}})},
       {"400", ErrorResponse("Invalid argument; the message names the field")},
       {"404", ErrorResponse("Not found")},
       {"409", ErrorResponse("Conflicts with the current state")},
       {"429", RateLimitedResponse()},
       {"503", ErrorResponse("Backend unavailable")},
       {"504", ErrorResponse("Backend timed out")},
       {"default", ErrorResponse("Error")}});
  if (route.access != onewindow::api::v1::PUBLIC) {
    Put(&responses, "401", ErrorResponse("No valid session"));
    Put(&responses, "403",
        ErrorResponse(route.http_method == "GET"
                          ? "Not allowed for this principal"
                          : "Not allowed for this principal, or a missing or "
                            "wrong X-CSRF-Token"));
    Put(&op, "security", Arr({SessionRequirement(route.http_method != "GET")}));
  }
  Put(&op, "responses", std::move(responses));
  if (route.personal_data) Put(&op, "x-personal-data", Bool(true));
  return op;
}

// The file routes (uploads.h): their bodies are files, so no descriptor
// says what they take or give, and they are written out here.

// What intake accepts, read from the content, never the name or header.
constexpr const char* kMaterialTypes[] = {"application/pdf", "image/jpeg", "image/png",
                                          "application/ofd"};

pb::Value FileContent(bool any_type) {
  pb::Value content = Obj();
  const pb::Value binary =
      Obj({{"schema", Obj({{"type", Str("string")}, {"format", Str("binary")}})}});
  for (const char* type : kMaterialTypes) Put(&content, type, binary);
  // Clients need not know the type: intake finds it.
  if (any_type) Put(&content, "application/octet-stream", binary);
  return content;
}

std::string Bytes(size_t n) {
  constexpr size_t kMiB = 1 << 20;
  return n % kMiB == 0 ? absl::StrCat(n / kMiB, " MiB") : absl::StrCat(n, " bytes");
}

pb::Value UploadMaterialOperation(SchemaBuilder* schemas, size_t max_upload_bytes) {
  const pb::Value string_schema = Obj({{"type", Str("string")}});
  return Obj({
      {"operationId", Str("IntakeService_UploadMaterial")},
      {"tags", Arr({Str("intake")})},
      {"summary", Str("Upload one material file")},
      {"description",
       Str(absl::StrCat(
           "The raw file is the body (not multipart, not JSON), streamed through to gRPC "
           "/onewindow.intake.v1.IntakeService/UploadMaterial. Accepted: PDF, JPEG, PNG and "
           "OFD, detected from the content; the file name and the Content-Type header are not "
           "trusted. ",
           max_upload_bytes > 0 ? absl::StrCat("At most ", Bytes(max_upload_bytes), " here; ") : "",
           "intake's own limit may be lower (maxMaterialBytes in "
           "GET /api/v1/requirements/{implementation_code}). Expect: 100-continue is honoured. "
           "A write with the session cookie: send X-CSRF-Token."))},
      {"parameters",
       Arr({Obj({{"name", Str("fileName")},
                 {"in", Str("query")},
                 {"required", Bool(false)},
                 {"description", Str("Shown to people only (percent-encoded UTF-8, at most 255 "
                                     "bytes, any directory part dropped); \"material\" if "
                                     "absent")},
                 {"schema", string_schema}}),
            Obj({{"name", Str("applicantId")},
                 {"in", Str("query")},
                 {"required", Bool(false)},
                 {"description",
                  Str("Window clerks uploading for a walk-in or hotline applicant (required "
                      "for them): the applicant's account id, who then owns the file. "
                      "Applicants may only name themselves")},
                 {"schema", string_schema}})})},
      {"requestBody", Obj({{"required", Bool(true)}, {"content", FileContent(true)}})},
      {"responses",
       Obj({{"200", Obj({{"description", Str("Stored (on disk before this answer)")},
                         {"content",
                          Obj({{"application/json",
                                Obj({{"schema", schemas->MessageSchema(
                                                    intake::v1::Material::descriptor())}})}})}})},
            {"400", ErrorResponse("Not a PDF, JPEG, PNG or OFD file, an empty file, or a bad "
                                  "query parameter; the message names it")},
            {"401", ErrorResponse("No valid session")},
            {"403", ErrorResponse("Missing or wrong X-CSRF-Token, or this principal may not "
                                  "upload (only applicants and window clerks do)")},
            {"413", ErrorResponse("Larger than the gateway's or intake's limit")},
            {"429", RateLimitedResponse()},
            {"503", ErrorResponse("Backend unavailable")},
            {"504", ErrorResponse("Backend timed out")},
            {"default", ErrorResponse("Error")}})},
      {"security", Arr({SessionRequirement(true)})},
      {"x-personal-data", Bool(true)},
  });
}

pb::Value DownloadMaterialOperation() {
  return Obj({
      {"operationId", Str("IntakeService_DownloadMaterial")},
      {"tags", Arr({Str("intake")})},
      {"summary", Str("An uploaded material's file")},
      {"description",
       Str("The file as an attachment, streamed from gRPC "
           "/onewindow.intake.v1.IntakeService/DownloadMaterial, with the material's sizeBytes "
           "as Content-Length. Readable by the same principals as "
           "GET /api/v1/materials/{material_id}: its owner, its uploader, and staff of a "
           "department handling an application that lists it; anyone else gets 404. A failure "
           "after the headers were sent closes the connection short of Content-Length bytes: "
           "treat a short body as a failed download.")},
      {"parameters", Arr({Obj({{"name", Str("material_id")},
                               {"in", Str("path")},
                               {"required", Bool(true)},
                               {"schema", Obj({{"type", Str("string")}})}})})},
      {"responses",
       Obj({{"200",
             Obj({{"description", Str("The file, of the type intake detected at upload")},
                  {"headers",
                   Obj({{"Content-Disposition",
                         Obj({{"description",
                               Str("attachment; filename*=UTF-8''<percent-encoded file name>")},
                              {"schema", Obj({{"type", Str("string")}})}})},
                        {"Content-Length", Obj({{"schema", Obj({{"type", Str("integer")},
                                                                {"format", Str("int64")}})}})}})},
                  {"content", FileContent(false)}})},
            {"401", ErrorResponse("No valid session")},
            {"404", ErrorResponse("No such material, or not readable by this principal")},
            {"429", RateLimitedResponse()},
            {"503", ErrorResponse("Backend unavailable")},
            {"504", ErrorResponse("Backend timed out")},
            {"default", ErrorResponse("Error")}})},
      {"security", Arr({SessionRequirement(false)})},
      {"x-personal-data", Bool(true)},
  });
}

// The gateway's own endpoints (gateway.cc): answered before the table is
// consulted, so no descriptor says what they take or give either.

pb::Value StringSchema() { return Obj({{"type", Str("string")}}); }

pb::Value JsonContent(pb::Value schema) {
  return Obj({{"application/json", Obj({{"schema", std::move(schema)}})}});
}

pb::Value JsonReply(absl::string_view description, pb::Value schema) {
  return Obj({{"description", Str(description)}, {"content", JsonContent(std::move(schema))}});
}

pb::Value Header(absl::string_view description) {
  return Obj({{"description", Str(description)}, {"schema", StringSchema()}});
}

pb::Value Parameter(absl::string_view name, absl::string_view in, bool required,
                    absl::string_view description, pb::Value schema) {
  return Obj({{"name", Str(name)},
              {"in", Str(in)},
              {"required", Bool(required)},
              {"description", Str(description)},
              {"schema", std::move(schema)}});
}

std::string SessionCookieName(const OpenApiOptions& options) {
  return gateway::SessionCookieName(options.secure_cookies);
}

std::string CookieAttributes(const OpenApiOptions& options) {
  return SessionCookieAttributes(options.secure_cookies);
}

pb::Value HealthzOperation() {
  return Obj({
      {"operationId", Str("Gateway_Healthz")},
      {"tags", Arr({Str("gateway")})},
      {"summary", Str("Liveness")},
      {"description", Str("Answers from memory while the process serves HTTP; never touches "
                          "Redis or a backend, and is not rate limited.")},
      {"responses",
       Obj({{"200", JsonReply("Alive",
                              Obj({{"type", Str("object")},
                                   {"required", Arr({Str("status")})},
                                   {"properties",
                                    Obj({{"status", Obj({{"type", Str("string")},
                                                         {"enum", Arr({Str("alive")})}})}})}}))}})},
  });
}

pb::Value ReadyzOperation() {
  const pb::Value readiness = Ref("Readiness");
  return Obj({
      {"operationId", Str("Gateway_Readyz")},
      {"tags", Arr({Str("gateway")})},
      {"summary", Str("Readiness")},
      {"description",
       Str("Whether this gateway should get traffic: every backend's gRPC health and Redis are "
           "polled in the background (every 500 ms), so the answer comes from memory. 503 while "
           "something is down, and from SIGTERM on (\"draining\") so balancers stop sending "
           "before the process stops. Not rate limited.")},
      {"responses",
       Obj({{"200", JsonReply("Ready: status is \"ready\" and down is empty", readiness)},
            {"503", JsonReply("Not ready (down names each dependency that is down, with a "
                              "reason) or draining",
                              readiness)}})},
  });
}

pb::Value OpenApiOperation() {
  return Obj({
      {"operationId", Str("Gateway_OpenApi")},
      {"tags", Arr({Str("gateway")})},
      {"summary", Str("This document")},
      {"description", Str("OpenAPI 3.0.3, built at start-up from the routes the protos declare "
                          "and the ones the gateway serves by hand. Not rate limited.")},
      {"responses", Obj({{"200", JsonReply("The document", Obj({{"type", Str("object")}}))}})},
  });
}

pb::Value SignInOperation(SchemaBuilder* schemas, const OpenApiOptions& options) {
  const std::string cookie = SessionCookieName(options);
  std::vector<pb::Value> kinds;
  const pb::EnumDescriptor* login_kind = identity::v1::LoginKind_descriptor();
  for (int i = 0; i < login_kind->value_count(); ++i) {
    if (login_kind->value(i)->number() != 0) kinds.push_back(Str(login_kind->value(i)->name()));
  }
  schemas->AddSchema(
      "SignIn",
      Obj({{"type", Str("object")},
           {"required", Arr({Str("kind"), Str("loginId"), Str("password")})},
           {"properties",
            Obj({{"kind", Obj({{"type", Str("string")},
                               {"enum", Arr(std::move(kinds))},
                               {"description", Str("CITIZEN_LOGIN: resident ID number or mobile "
                                                   "number; ENTERPRISE_LOGIN: unified social "
                                                   "credit code; STAFF_LOGIN: username (staff, "
                                                   "operators, admins)")}})},
                 {"loginId", Obj({{"type", Str("string")}, {"maxLength", Num(128)}})},
                 {"password", Obj({{"type", Str("string")}, {"format", Str("password")}})}})}}));
  schemas->AddSchema(
      "SignedIn",
      Obj({{"type", Str("object")},
           {"required", Arr({Str("csrfToken"), Str("principal")})},
           {"properties",
            Obj({{"csrfToken",
                  Obj({{"type", Str("string")},
                       {"description", Str("Send as X-CSRF-Token with every write made with the "
                                           "session cookie; the same for the session's life")}})},
                 {"principal", schemas->MessageSchema(auth::v1::Principal::descriptor())}})}}));
  return Obj({
      {"operationId", Str("Gateway_SignIn")},
      {"tags", Arr({Str("sessions")})},
      {"summary", Str("Sign in")},
      {"description",
       Str(absl::StrCat(
           "Checks the password with gRPC /onewindow.identity.v1.IdentityService/Login and "
           "starts a session in Redis, always with a new id: a session named by a cookie sent "
           "along is ended first. The id travels only in the ",
           cookie,
           " cookie (HttpOnly, so scripts never see it); the answer's csrfToken goes in "
           "X-CSRF-Token on every write made with the cookie. Sessions end after an idle time "
           "(by default 15 minutes for citizens and enterprises, 5 for staff, operators and "
           "admins) and at most 8 hours after sign-in by default. Sign-in attempts have their "
           "own, much smaller bucket per client address, and identity locks a login id (or a "
           "client address) for a while after repeated wrong passwords. Needs no X-CSRF-Token."))},
      {"requestBody", Obj({{"required", Bool(true)}, {"content", JsonContent(Ref("SignIn"))}})},
      {"responses",
       Obj({{"200", Obj({{"description", Str("Signed in")},
                         {"headers", Obj({{"Set-Cookie",
                                           Header(absl::StrCat(
                                               cookie, "=<session id>; ", CookieAttributes(options),
                                               " (no Max-Age: Redis decides how long the session "
                                               "lives)"))},
                                          {"Cache-Control", Header("no-store")}})},
                         {"content", JsonContent(Ref("SignedIn"))}})},
            {"400", ErrorResponse("Not a JSON SignIn (unknown fields and wrong types are "
                                  "refused), or loginId, password or kind missing or invalid; "
                                  "the message names it")},
            {"401", ErrorResponse("Wrong login id or password (the same answer for an unknown "
                                  "login id)")},
            {"409", ErrorResponse("A phone number several citizen accounts share cannot tell "
                                  "which is meant (two share this password, or more than three "
                                  "share the number): sign in with the resident ID number")},
            {"413", ErrorResponse("Body larger than the gateway's limit")},
            {"415", ErrorResponse("Content-Type is not application/json")},
            {"429", RateLimitedResponse()},
            {"503", ErrorResponse("Identity or the session store unavailable")},
            {"504", ErrorResponse("Identity timed out")},
            {"default", ErrorResponse("Error")}})},
      {"x-personal-data", Bool(true)},
  });
}

pb::Value SignOutOperation(const OpenApiOptions& options) {
  const std::string cookie = SessionCookieName(options);
  return Obj({
      {"operationId", Str("Gateway_SignOut")},
      {"tags", Arr({Str("sessions")})},
      {"summary", Str("Sign out")},
      {"description",
       Str(absl::StrCat("Ends the session the ", cookie,
                        " cookie names (deleted from Redis at once, on every gateway) and clears "
                        "the cookie. With a live session the X-CSRF-Token header must match it; "
                        "without a cookie, or with one naming no live session, the answer is "
                        "still 204."))},
      {"responses",
       Obj({{"204",
             Obj({{"description", Str("Signed out (or was not signed in)")},
                  {"headers",
                   Obj({{"Set-Cookie", Header(absl::StrCat(cookie, "=; ", CookieAttributes(options),
                                                           "; Max-Age=0"))},
                        {"Cache-Control", Header("no-store")}})}})},
            {"403", ErrorResponse("Missing or wrong X-CSRF-Token")},
            {"429", RateLimitedResponse()},
            {"503", ErrorResponse("Session store unavailable: the session may still be live")},
            {"default", ErrorResponse("Error")}})},
      // Optional: signing out without a session is not an error.
      {"security", Arr({SessionRequirement(true), Obj()})},
  });
}

// The shared figures of a route, service or total row (ops_page.cc).
pb::Value Figures(std::vector<std::pair<std::string, pb::Value>> extra) {
  const pb::Value count = Obj({{"type", Str("number")}, {"minimum", Num(0)}});
  const pb::Value seconds =
      Obj({{"type", Str("number")},
           {"nullable", Bool(true)},
           {"description", Str("Latency quantile in seconds; null without samples")}});
  pb::Value properties = Obj(
      {{"requests", count},
       {"errors",
        Obj({{"type", Str("number")}, {"minimum", Num(0)}, {"description", Str("5xx answers")}})},
       {"errorRatio", Obj({{"type", Str("number")}, {"minimum", Num(0)}, {"maximum", Num(1)}})},
       {"p50Seconds", seconds},
       {"p99Seconds", seconds}});
  for (auto& [key, value] : extra) Put(&properties, key, std::move(value));
  return Obj({{"type", Str("object")}, {"properties", std::move(properties)}});
}

pb::Value TrafficSchema() {
  const pb::Value count = Obj({{"type", Str("number")}, {"minimum", Num(0)}});
  const pb::Value time = Obj({{"type", Str("string")}, {"format", Str("date-time")}});
  return Obj(
      {{"type", Str("object")},
       {"properties",
        Obj({{"asOf", time},
             {"since", Obj({{"type", Str("string")},
                            {"format", Str("date-time")},
                            {"description", Str("When this gateway's counters began")}})},
             {"activeSessions", count},
             {"total", Figures({})},
             {"services",
              Obj({{"type", Str("array")},
                   {"items", Figures({{"service", StringSchema()}, {"upstreamErrors", count}})}})},
             {"routes",
              Obj({{"type", Str("array")},
                   {"items",
                    Figures({{"route", Obj({{"type", Str("string")},
                                            {"description", Str("A path template of this "
                                                                "document, or \"unmatched\"")}})},
                             {"service", StringSchema()}})}})},
             {"statuses", Obj({{"type", Str("array")},
                               {"items", Obj({{"type", Str("object")},
                                              {"properties", Obj({{"status", StringSchema()},
                                                                  {"requests", count}})}})}})},
             {"upstreamErrors",
              Obj({{"type", Str("array")},
                   {"items",
                    Obj({{"type", Str("object")},
                         {"properties", Obj({{"service", StringSchema()},
                                             {"code", Obj({{"type", Str("string")},
                                                           {"example", Str("UNAVAILABLE")}})},
                                             {"count", count}})}})}})}})}});
}

pb::Value OpsTrafficOperation(SchemaBuilder* schemas) {
  schemas->AddSchema("OpsTraffic", TrafficSchema());
  return Obj({
      {"operationId", Str("Gateway_OpsTraffic")},
      {"tags", Arr({Str("gateway")})},
      {"summary", Str("This gateway's traffic")},
      {"description",
       Str("Requests, 5xx answers and latency quantiles since this gateway started, in total, "
           "per backend and per route, with answers per status and failed backend calls per "
           "gRPC code; read from this process's own counters (behind several gateways each "
           "answers for itself). /healthz and /readyz are left out. For the operators' page at "
           "/ops.")},
      {"responses", Obj({{"200", Obj({{"description", Str("OK")},
                                      {"headers", Obj({{"Cache-Control", Header("no-store")}})},
                                      {"content", JsonContent(Ref("OpsTraffic"))}})},
                         {"401", ErrorResponse("No valid session")},
                         {"403", ErrorResponse("Only operators and platform admins")},
                         {"429", RateLimitedResponse()},
                         {"503", ErrorResponse("Session store unavailable")},
                         {"default", ErrorResponse("Error")}})},
      {"security", Arr({SessionRequirement(false)})},
  });
}

pb::Value ReadinessSchema() {
  return Obj(
      {{"type", Str("object")},
       {"required", Arr({Str("status"), Str("down")})},
       {"properties",
        Obj({{"status", Obj({{"type", Str("string")},
                             {"enum", Arr({Str("ready"), Str("not ready"), Str("draining")})}})},
             {"down", Obj({{"type", Str("object")},
                           {"description", Str("What is down (\"redis\", a backend's name) and "
                                               "why; empty while draining")},
                           {"additionalProperties", StringSchema()}})}})}});
}

// Open311 GeoReport v2 (open311.h): Open311's own field names and error
// shape, so off-the-shelf clients work.

std::string Open311Path(absl::string_view rest) { return absl::StrCat(kOpen311Prefix, rest); }

pb::Value Open311ErrorResponse(absl::string_view description) {
  return JsonReply(description, Ref("Open311Errors"));
}

// Answers that may come from Open311 or from the gateway in front of it
// (its rate limits, its body limit, the session store behind them).
pb::Value EitherErrorResponse(absl::string_view description) {
  return JsonReply(description, Obj({{"oneOf", Arr({Ref("Open311Errors"), Ref("Error")})}}));
}

pb::Value Open311RateLimited() {
  pb::Value response = EitherErrorResponse(
      "Rate limited: the gateway's bucket per client address (Error shape, with Retry-After) "
      "or the complaint backend's limit (Open311 shape)");
  Put(&response, "headers", Obj({{"Retry-After", RetryAfterHeader()}}));
  return response;
}

// `ok` is the 200 answer; none for a route that never succeeds.
pb::Value Open311Responses(std::optional<pb::Value> ok, absl::string_view not_found,
                           std::vector<std::pair<std::string, pb::Value>> more = {}) {
  pb::Value responses = Obj({
      {"400", Open311ErrorResponse("A malformed parameter; the description names each one")},
      {"404", Open311ErrorResponse(not_found)},
      {"429", Open311RateLimited()},
      {"503", EitherErrorResponse("The complaint backend (Open311 shape) or the gateway's "
                                  "session store (Error shape) unavailable")},
      {"504", Open311ErrorResponse("The complaint backend timed out")},
      {"default", EitherErrorResponse("Error")},
  });
  if (ok.has_value()) Put(&responses, "200", *std::move(ok));
  for (auto& [code, response] : more) Put(&responses, code, std::move(response));
  return responses;
}

pb::Value JurisdictionParameter(const OpenApiOptions& options) {
  pb::Value schema = StringSchema();
  if (!options.open311_jurisdiction_id.empty()) {
    Put(&schema, "enum", Arr({Str(options.open311_jurisdiction_id)}));
  }
  return Parameter("jurisdiction_id", "query", false,
                   absl::StrCat("This endpoint serves one jurisdiction",
                                options.open311_jurisdiction_id.empty()
                                    ? ""
                                    : absl::StrCat(" (", options.open311_jurisdiction_id, ")"),
                                "; naming another one is 404. May be left out."),
                   std::move(schema));
}

pb::Value Open311Operation(absl::string_view id, absl::string_view summary,
                           absl::string_view description, std::vector<pb::Value> parameters,
                           pb::Value responses) {
  return Obj({{"operationId", Str(absl::StrCat("Open311_", id))},
              {"tags", Arr({Str("open311")})},
              {"summary", Str(summary)},
              {"description", Str(description)},
              {"parameters", Arr(std::move(parameters))},
              {"responses", std::move(responses)}});
}

void AddOpen311Schemas(SchemaBuilder* schemas) {
  const pb::Value string = StringSchema();
  const pb::Value always_empty =
      Obj({{"type", Str("string")}, {"description", Str("Always empty here")}});
  auto object = [](std::vector<std::pair<std::string, pb::Value>> properties,
                   std::vector<pb::Value> required = {}) {
    pb::Value schema = Obj({{"type", Str("object")}, {"properties", Obj(std::move(properties))}});
    if (!required.empty()) Put(&schema, "required", Arr(std::move(required)));
    return schema;
  };
  auto array = [](pb::Value items) {
    return Obj({{"type", Str("array")}, {"items", std::move(items)}});
  };
  const pb::Value time = Obj(
      {{"type", Str("string")},
       {"format", Str("date-time")},
       {"description", Str("ISO 8601 in China Standard Time, e.g. 2026-04-02T09:00:00+08:00")}});
  const pb::Value degrees =
      Obj({{"type", Str("number")}, {"format", Str("double")}, {"nullable", Bool(true)}});

  schemas->AddSchema(
      "Open311Errors",
      array(object({{"code", Obj({{"type", Str("integer")},
                                  {"description", Str("The HTTP status of the answer")}})},
                    {"description", string}},
                   {Str("code"), Str("description")})));
  schemas->AddSchema(
      "Open311Service",
      object({{"service_code", string},
              {"service_name", string},
              {"description", string},
              {"metadata", Obj({{"type", Str("boolean")},
                                {"description", Str("True when the service has attributes: "
                                                    "read its definition")}})},
              {"type", Obj({{"type", Str("string")}, {"enum", Arr({Str("realtime")})}})},
              {"keywords", Obj({{"type", Str("string")}, {"description", Str("Comma-separated")}})},
              {"group", string}}));
  schemas->AddSchema(
      "Open311ServiceDefinition",
      object({{"service_code", string},
              {"attributes",
               array(object(
                   {{"variable", Obj({{"type", Str("boolean")}})},
                    {"code", string},
                    {"datatype",
                     Obj({{"type", Str("string")},
                          {"enum", Arr({Str("string"), Str("number"), Str("datetime"), Str("text"),
                                        Str("singlevaluelist"), Str("multivaluelist")})}})},
                    {"required", Obj({{"type", Str("boolean")}})},
                    {"datatype_description", string},
                    {"order", Obj({{"type", Str("integer")}})},
                    {"description", string},
                    {"values", array(object({{"key", string}, {"name", string}}))}}))}}));
  schemas->AddSchema(
      "Open311ServiceRequest",
      object(
          {{"service_request_id", string},
           {"status", Obj({{"type", Str("string")}, {"enum", Arr({Str("open"), Str("closed")})}})},
           {"status_notes", string},
           {"service_name", string},
           {"service_code", string},
           {"description", string},
           {"agency_responsible",
            Obj({{"type", Str("string")}, {"description", Str("The handling department's id")}})},
           {"service_notice", always_empty},
           {"requested_datetime", time},
           {"updated_datetime", time},
           {"expected_datetime", time},
           {"address", string},
           {"address_id", always_empty},
           {"zipcode", always_empty},
           {"lat", degrees},
           {"long", degrees},
           {"media_url", string}}));
  schemas->AddSchema(
      "Open311Created",
      array(object(
          {{"service_request_id", string},
           {"service_notice", Obj({{"type", Str("string")},
                                   {"example", Str("Received as work order 12345-20260402-000001; "
                                                   "expected by 2026-04-09T17:00:00+08:00.")}})},
           {"account_id", Obj({{"type", Str("string")},
                               {"nullable", Bool(true)},
                               {"description", Str("Always null")}})}})));

  pb::Value input = object(
      {{"api_key",
        Obj({{"type", Str("string")},
             {"description", Str("The client's key (also accepted in the query string)")}})},
       {"jurisdiction_id", string},
       {"service_code", string},
       {"lat", Obj({{"type", Str("number")}, {"format", Str("double")}})},
       {"long", Obj({{"type", Str("number")}, {"format", Str("double")}})},
       {"address_string", string},
       {"address_id", string},
       {"email", string},
       {"first_name", string},
       {"last_name", string},
       {"phone", string},
       {"description",
        Obj({{"type", Str("string")},
             {"description", Str("At most 4000 bytes; its first line (at most 120 bytes) becomes "
                                 "the work order's title")}})},
       {"media_url", Obj({{"type", Str("string")}, {"format", Str("uri")}})},
       {"attribute",
        Obj({{"type", Str("object")},
             {"description",
              Str("Answers to the service's attributes by code. As a form: attribute[code]=value, "
                  "and attribute[code][]=a&attribute[code][]=b for a multivaluelist; as JSON: an "
                  "object of code to a value or a list of values")},
             {"additionalProperties",
              Obj({{"oneOf", Arr({StringSchema(), Obj({{"type", Str("number")}}),
                                  Obj({{"type", Str("boolean")}}), array(StringSchema())})}})}})}},
      {Str("service_code")});
  Put(&input, "description",
      Str("A location is required: lat and long, address_string or address_id. Body "
          "parameters win over the same ones in the query string; others (device_id, "
          "account_id) are accepted and ignored."));
  Put(&input, "anyOf",
      Arr({Obj({{"required", Arr({Str("lat"), Str("long")})}}),
           Obj({{"required", Arr({Str("address_string")})}}),
           Obj({{"required", Arr({Str("address_id")})}})}));
  schemas->AddSchema("Open311NewRequest", std::move(input));
}

void AddOpen311Paths(SchemaBuilder* schemas, const OpenApiOptions& options, pb::Value* paths) {
  AddOpen311Schemas(schemas);
  const pb::Value jurisdiction = JurisdictionParameter(options);
  const pb::Value requests = Obj({{"type", Str("array")}, {"items", Ref("Open311ServiceRequest")}});

  Put(At(paths, Open311Path("services.json")), "get",
      Open311Operation(
          "GetServiceList", "Service list: the complaint categories",
          "Every complaint category as an Open311 service; metadata is true for those with "
          "attributes.",
          {jurisdiction},
          Open311Responses(
              JsonReply("OK", Obj({{"type", Str("array")}, {"items", Ref("Open311Service")}})),
              "jurisdiction_id: not served here")));

  Put(At(paths, Open311Path("services/{service_code}.json")), "get",
      Open311Operation(
          "GetServiceDefinition", "Service definition: a category's attributes",
          "The attributes a request for this service answers (attribute[code]), with "
          "datatypes and, for lists, their values.",
          {Parameter("service_code", "path", true, "A service_code from services.json",
                     StringSchema()),
           jurisdiction},
          Open311Responses(JsonReply("OK", Ref("Open311ServiceDefinition")),
                           "Unknown service_code, or jurisdiction_id not served here")));

  pb::Value post = Open311Operation(
      "PostServiceRequest", "File a service request",
      "Files a work order through the OPEN311 channel, acting as \"open311:<client name>\" for "
      "the api_key's client, and answers its id at once (no token step). The body is a form "
      "(application/x-www-form-urlencoded, as GeoReport v2 has it) or a JSON object. Send "
      "Idempotency-Key to make retries safe.",
      {jurisdiction,
       Parameter("Idempotency-Key", "header", false,
                 "The same key from the same client returns the first request instead of "
                 "filing another",
                 StringSchema())},
      Open311Responses(
          JsonReply("Filed", Ref("Open311Created")),
          "Unknown service_code, or jurisdiction_id not served here",
          {{"400", Open311ErrorResponse("A parameter is missing or invalid (service_code, the "
                                        "location, description over 4000 bytes, contact "
                                        "details, attributes); the description names each one")},
           {"403", Open311ErrorResponse("api_key: missing or not valid")},
           {"413", ErrorResponse("Body larger than the gateway's limit")}}));
  pb::Value body_schema = Ref("Open311NewRequest");
  Put(&post, "requestBody",
      Obj({{"required", Bool(true)},
           {"content",
            Obj({{"application/x-www-form-urlencoded",
                  Obj({{"schema", body_schema},
                       {"encoding", Obj({{"attribute", Obj({{"style", Str("deepObject")},
                                                            {"explode", Bool(true)}})}})}})},
                 {"application/json", Obj({{"schema", body_schema}})}})}}));
  Put(&post, "security", Arr({Obj({{"open311_api_key", Arr({})}})}));
  Put(At(paths, Open311Path("requests.json")), "post", std::move(post));

  const pb::Value time = Obj({{"type", Str("string")}, {"format", Str("date-time")}});
  Put(At(paths, Open311Path("requests.json")), "get",
      Open311Operation(
          "GetServiceRequests", "Service requests",
          "Requests filed through Open311 (work orders from other channels never show here), "
          "without contact details, at most 1000. Without service_request_id: those received "
          "in the 90 days up to end_date (or now) unless start_date says otherwise.",
          {Parameter("service_request_id", "query", false,
                     "Comma-separated ids, at most 1000; no date window applies to them unless "
                     "start_date or end_date is given",
                     StringSchema()),
           Parameter("service_code", "query", false, "Only this service", StringSchema()),
           Parameter("start_date", "query", false,
                     "Received at or after; ISO 8601 with a time zone", time),
           Parameter("end_date", "query", false,
                     "Received at or before; ISO 8601 with a time zone; after start_date", time),
           Parameter("status", "query", false, "open, closed, or both comma-separated",
                     Obj({{"type", Str("string")}, {"example", Str("open,closed")}})),
           jurisdiction},
          Open311Responses(JsonReply("OK", requests), "jurisdiction_id: not served here")));

  pb::Value one = requests;
  Put(&one, "minItems", Num(1));
  Put(&one, "maxItems", Num(1));
  Put(At(paths, Open311Path("requests/{service_request_id}.json")), "get",
      Open311Operation(
          "GetServiceRequest", "One service request",
          "A request filed through Open311, as an array of one, without contact details.",
          {Parameter("service_request_id", "path", true, "From POST requests.json", StringSchema()),
           jurisdiction},
          Open311Responses(JsonReply("OK", std::move(one)),
                           "Unknown service_request_id (or not filed through Open311), or "
                           "jurisdiction_id not served here")));

  pb::Value token_responses = Open311Responses(
      std::nullopt,
      "Always: no tokens are issued, as POST requests.json answers service_request_id at once");
  Put(At(paths, Open311Path("tokens/{token}.json")), "get",
      Open311Operation("GetServiceRequestIdFromToken", "Request id from a token (not used here)",
                       "Always 404: POST requests.json answers service_request_id at once.",
                       {Parameter("token", "path", true, "A token", StringSchema()), jurisdiction},
                       std::move(token_responses)));
}

pb::Value Tags(const OpenApiOptions& options) {
  std::vector<pb::Value> tags = {
      Obj({{"name", Str("gateway")},
           {"description", Str("The gateway's own endpoints: probes, this document, traffic")}}),
      Obj({{"name", Str("sessions")},
           {"description",
            Str(absl::StrCat("Sign-in and sign-out. The session is a cookie (",
                             SessionCookieName(options),
                             ") plus the csrfToken sent back as X-CSRF-Token on writes; see the "
                             "ow_session and ow_csrf security schemes"))}}),
  };
  if (options.open311) {
    tags.push_back(
        Obj({{"name", Str("open311")},
             {"description",
              Str("Open311 GeoReport v2 for city systems: services are complaint categories, "
                  "requests are work orders filed through Open311. JSON only: the .xml forms of "
                  "these paths answer 400, and any other path under /open311/ 404. Errors are "
                  "Open311's array of {code, description}, code being the HTTP status, except the "
                  "gateway's own refusals in front of it (its rate limit, body limit and session "
                  "store), which use the Error shape. Reads need no key; filing needs an api_key. "
                  "Only GET (and POST on requests.json) are served: other methods answer 405.")},
             {"externalDocs", Obj({{"url", Str("https://wiki.open311.org/GeoReport_v2")}})}}));
  }
  return Arr(std::move(tags));
}

pb::Value SecuritySchemes(const OpenApiOptions& options) {
  const std::string cookie = SessionCookieName(options);
  pb::Value schemes = Obj(
      {{"ow_session",
        Obj({{"type", Str("apiKey")},
             {"in", Str("cookie")},
             {"name", Str(cookie)},
             {"description",
              Str(absl::StrCat(
                  "Set by POST /api/v1/sessions: ", cookie, "=<session id>; ",
                  CookieAttributes(options),
                  ". Only a random id travels; the session lives in Redis, slides with use, and "
                  "ends after an idle time, at most 8 hours after sign-in by default, or at "
                  "DELETE /api/v1/sessions/current. A cookie naming no live session counts as "
                  "none: a route that needs a session answers 401. With Redis down the gateway "
                  "answers 503 rather than guess who is calling."))}})},
       {"ow_csrf",
        Obj({{"type", Str("apiKey")},
             {"in", Str("header")},
             {"name", Str("X-CSRF-Token")},
             {"description",
              Str("The csrfToken POST /api/v1/sessions answered with. Every request but GET and "
                  "HEAD that carries a live session cookie must send it, on any route, public "
                  "ones included; missing or wrong is 403 before the route is served. It stays "
                  "the same for the session's life.")}})}});
  if (options.open311) {
    Put(&schemes, "open311_api_key",
        Obj({{"type", Str("apiKey")},
             {"in", Str("query")},
             {"name", Str("api_key")},
             {"description",
              Str("An Open311 client's key from the operators (--open311_api_keys). GeoReport "
                  "v2 clients send it as a body parameter (form or JSON), which the gateway "
                  "reads too. Only filing needs it.")}}));
  }
  return schemes;
}

pb::Value ErrorSchema() {
  return Obj(
      {{"type", Str("object")},
       {"required", Arr({Str("error")})},
       {"properties",
        Obj({{"error",
              Obj({{"type", Str("object")},
                   {"required", Arr({Str("code"), Str("message")})},
                   {"properties",
                    Obj({{"code", Obj({{"type", Str("string")},
                                       {"example", Str("INVALID_ARGUMENT")},
                                       {"description", Str("gRPC status code name")}})},
                         {"message", Obj({{"type", Str("string")}})},
                         {"details", Obj({{"type", Str("array")},
                                          {"items", Obj({{"type", Str("object")}})}})}})}})}})}});
}

// Struct is a map, and protobuf writes maps in hash order unless asked for
// deterministic serialization: serializing with it and converting the bytes
// to JSON gives sorted keys, hence the same document for the same routes.
std::string PrintDeterministic(const pb::Value& document) {
  std::string binary;
  {
    pb::io::StringOutputStream stream(&binary);
    pb::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    document.SerializeToCodedStream(&coded);
  }
  std::unique_ptr<pb::util::TypeResolver> resolver(pb::util::NewTypeResolverForDescriptorPool(
      "type.googleapis.com", pb::DescriptorPool::generated_pool()));
  std::string json;
  if (pb::util::BinaryToJsonString(resolver.get(), "type.googleapis.com/google.protobuf.Value",
                                   binary, &json)
          .ok()) {
    return json;
  }
  // Cannot happen for a tree built above; keep the output valid JSON anyway.
  json.clear();
  if (pb::util::MessageToJsonString(document, &json).ok()) return json;
  return "{}";
}

}  // namespace

std::string OpenApiDocument(const RouteTable& routes, absl::string_view title,
                            absl::string_view version, const OpenApiOptions& options) {
  SchemaBuilder schemas;
  pb::Value paths = Obj();
  for (const Route& route : routes.routes()) {
    pb::Value* item = At(&paths, route.path.text());
    Put(item, absl::AsciiStrToLower(route.http_method), Operation(&schemas, route));
  }
  if (options.material_transfer) {
    Put(At(&paths, MaterialTransfer::kUploadRoute), "post",
        UploadMaterialOperation(&schemas, options.max_upload_bytes));
    Put(At(&paths, MaterialTransfer::kDownloadRoute), "get", DownloadMaterialOperation());
  }
  Put(At(&paths, "/healthz"), "get", HealthzOperation());
  Put(At(&paths, "/readyz"), "get", ReadyzOperation());
  Put(At(&paths, "/api/openapi.json"), "get", OpenApiOperation());
  Put(At(&paths, kSessionsPath), "post", SignInOperation(&schemas, options));
  Put(At(&paths, kCurrentSessionPath), "delete", SignOutOperation(options));
  if (options.ops_traffic) {
    Put(At(&paths, OpsPage::kTrafficPath), "get", OpsTrafficOperation(&schemas));
  }
  if (options.open311) AddOpen311Paths(&schemas, options, &paths);
  schemas.AddSchema("Error", ErrorSchema());
  schemas.AddSchema("Readiness", ReadinessSchema());

  pb::Value document = Obj({
      {"openapi", Str("3.0.3")},
      {"info", Obj({{"title", Str(title)}, {"version", Str(version)}})},
      {"tags", Tags(options)},
      {"paths", std::move(paths)},
  });
  pb::Value components =
      Obj({{"securitySchemes", SecuritySchemes(options)}, {"schemas", schemas.Finish()}});
  Put(&document, "components", std::move(components));
  return PrintDeterministic(document);
}

}  // namespace onewindow::gateway
