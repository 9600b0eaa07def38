#include "services/gateway/openapi.h"

#include <algorithm>
#include <deque>
#include <memory>
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
#include "onewindow/intake/v1/intake.pb.h"
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
       {"429", ErrorResponse("Rate limited")},
       {"503", ErrorResponse("Backend unavailable")},
       {"504", ErrorResponse("Backend timed out")},
       {"default", ErrorResponse("Error")}});
  if (route.access != onewindow::api::v1::PUBLIC) {
    Put(&responses, "401", ErrorResponse("No valid session"));
    Put(&responses, "403", ErrorResponse("Not allowed for this principal"));
    Put(&op, "security", Arr({Obj({{"ow_session", Arr({})}})}));
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
            {"429", ErrorResponse("Rate limited")},
            {"503", ErrorResponse("Backend unavailable")},
            {"504", ErrorResponse("Backend timed out")},
            {"default", ErrorResponse("Error")}})},
      {"security", Arr({Obj({{"ow_session", Arr({})}})})},
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
            {"429", ErrorResponse("Rate limited")},
            {"503", ErrorResponse("Backend unavailable")},
            {"504", ErrorResponse("Backend timed out")},
            {"default", ErrorResponse("Error")}})},
      {"security", Arr({Obj({{"ow_session", Arr({})}})})},
      {"x-personal-data", Bool(true)},
  });
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
  schemas.AddSchema("Error", ErrorSchema());

  pb::Value document = Obj({
      {"openapi", Str("3.0.3")},
      {"info", Obj({{"title", Str(title)}, {"version", Str(version)}})},
      {"paths", std::move(paths)},
  });
  pb::Value components =
      Obj({{"securitySchemes", Obj({{"ow_session", Obj({{"type", Str("apiKey")},
                                                        {"in", Str("cookie")},
                                                        {"name", Str("ow_session")}})}})},
           {"schemas", schemas.Finish()}});
  Put(&document, "components", std::move(components));
  return PrintDeterministic(document);
}

}  // namespace onewindow::gateway
