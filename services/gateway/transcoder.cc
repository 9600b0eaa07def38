#include "services/gateway/transcoder.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/duration.pb.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/timestamp.pb.h>
#include <google/protobuf/util/time_util.h>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "libs/status/macros.h"
#include "libs/status/proto_json.h"

namespace onewindow::gateway {
namespace {

namespace pb = google::protobuf;
using FD = pb::FieldDescriptor;

// Length of the UTF-8 sequence starting at s[i], or 0 if it is not valid.
size_t Utf8SequenceLength(absl::string_view s, size_t i) {
  const auto byte = [&s](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80) return 1;
  size_t length;
  uint32_t min;
  uint32_t code;
  if ((c & 0xE0) == 0xC0) {
    length = 2;
    min = 0x80;
    code = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    length = 3;
    min = 0x800;
    code = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    length = 4;
    min = 0x10000;
    code = c & 0x07;
  } else {
    return 0;
  }
  if (s.size() - i < length) return 0;
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    code = (code << 6) | (byte(i + k) & 0x3F);
  }
  if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return length;
}

// A client-supplied name made safe to put in an error message: bounded, and
// with control characters and broken UTF-8 escaped, so the error body stays
// valid JSON and a log line stays one line.
std::string Printable(absl::string_view s, size_t max_bytes = 64) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    if (out.size() >= max_bytes) {
      out.append("...");
      break;
    }
    const size_t n = Utf8SequenceLength(s, i);
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (n == 0 || (n == 1 && (c < 0x20 || c == 0x7F))) {
      absl::StrAppendFormat(&out, "\\x%02X", c);
      ++i;
      continue;
    }
    out.append(s.data() + i, n);
    i += n;
  }
  return out;
}

// protobuf's JSON syntax errors add lines quoting the body around the
// problem; the first line says what is wrong, and the quote could carry
// personal data into logs.
std::string ParserMessage(absl::string_view message) {
  return Printable(message.substr(0, message.find('\n')), /*max_bytes=*/256);
}

absl::Status Invalid(absl::string_view what, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(what, ": ", problem));
}

bool IsAllWhitespace(absl::string_view s) {
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  }
  return true;
}

// Decimal integer, optional '-' when signed; no spaces, '+' or hex, which
// absl::SimpleAtoi would otherwise let through.
bool LooksLikeInteger(absl::string_view s, bool allow_sign) {
  if (allow_sign && !s.empty() && s[0] == '-') s.remove_prefix(1);
  if (s.empty()) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

template <typename T>
absl::StatusOr<T> ParseInteger(absl::string_view text, absl::string_view what,
                               absl::string_view type_name) {
  constexpr bool kSigned = std::numeric_limits<T>::is_signed;
  if (!LooksLikeInteger(text, kSigned)) {
    return Invalid(what, absl::StrCat("not ", kSigned ? "an integer" : "a non-negative integer",
                                      " (", type_name, ")"));
  }
  using Wide = std::conditional_t<kSigned, int64_t, uint64_t>;
  Wide wide;
  bool in_range = absl::SimpleAtoi(text, &wide);
  if constexpr (sizeof(T) < sizeof(Wide)) {
    in_range = in_range && wide >= static_cast<Wide>(std::numeric_limits<T>::min()) &&
               wide <= static_cast<Wide>(std::numeric_limits<T>::max());
  }
  if (!in_range) return Invalid(what, absl::StrCat("out of range for ", type_name));
  return static_cast<T>(wide);
}

absl::StatusOr<double> ParseFloating(absl::string_view text, absl::string_view what, bool single) {
  const absl::string_view type_name = single ? "float" : "double";
  // The JSON mapping's spellings of the special values.
  if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (text == "Infinity") return std::numeric_limits<double>::infinity();
  if (text == "-Infinity") return -std::numeric_limits<double>::infinity();
  bool digit = false;
  for (char c : text) {
    if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      digit = true;
    } else if (c != '-' && c != '+' && c != '.' && c != 'e' && c != 'E') {
      digit = false;
      break;
    }
  }
  double value;
  if (!digit || !absl::SimpleAtod(text, &value)) {
    return Invalid(what, absl::StrCat("not a number (", type_name, ")"));
  }
  if (!std::isfinite(value) ||
      (single && std::fabs(value) > static_cast<double>(std::numeric_limits<float>::max()))) {
    return Invalid(what, absl::StrCat("out of range for ", type_name));
  }
  return value;
}

// Sets (or, for a repeated field, appends) one scalar from its text form.
absl::Status SetScalar(pb::Message* message, const FD* field, absl::string_view text,
                       absl::string_view what) {
  const pb::Reflection* reflection = message->GetReflection();
  const bool add = field->is_repeated();
  switch (field->cpp_type()) {
    case FD::CPPTYPE_INT32: {
      ASSIGN_OR_RETURN(int32_t v, ParseInteger<int32_t>(text, what, "int32"));
      add ? reflection->AddInt32(message, field, v) : reflection->SetInt32(message, field, v);
      return absl::OkStatus();
    }
    case FD::CPPTYPE_INT64: {
      ASSIGN_OR_RETURN(int64_t v, ParseInteger<int64_t>(text, what, "int64"));
      add ? reflection->AddInt64(message, field, v) : reflection->SetInt64(message, field, v);
      return absl::OkStatus();
    }
    case FD::CPPTYPE_UINT32: {
      ASSIGN_OR_RETURN(uint32_t v, ParseInteger<uint32_t>(text, what, "uint32"));
      add ? reflection->AddUInt32(message, field, v) : reflection->SetUInt32(message, field, v);
      return absl::OkStatus();
    }
    case FD::CPPTYPE_UINT64: {
      ASSIGN_OR_RETURN(uint64_t v, ParseInteger<uint64_t>(text, what, "uint64"));
      add ? reflection->AddUInt64(message, field, v) : reflection->SetUInt64(message, field, v);
      return absl::OkStatus();
    }
    case FD::CPPTYPE_DOUBLE: {
      ASSIGN_OR_RETURN(double v, ParseFloating(text, what, /*single=*/false));
      add ? reflection->AddDouble(message, field, v) : reflection->SetDouble(message, field, v);
      return absl::OkStatus();
    }
    case FD::CPPTYPE_FLOAT: {
      ASSIGN_OR_RETURN(double v, ParseFloating(text, what, /*single=*/true));
      const float f = static_cast<float>(v);
      add ? reflection->AddFloat(message, field, f) : reflection->SetFloat(message, field, f);
      return absl::OkStatus();
    }
    case FD::CPPTYPE_BOOL: {
      bool v;
      if (text == "true") {
        v = true;
      } else if (text == "false") {
        v = false;
      } else {
        return Invalid(what, "not a boolean (write true or false)");
      }
      add ? reflection->AddBool(message, field, v) : reflection->SetBool(message, field, v);
      return absl::OkStatus();
    }
    case FD::CPPTYPE_ENUM: {
      const pb::EnumDescriptor* type = field->enum_type();
      const pb::EnumValueDescriptor* value = type->FindValueByName(std::string(text));
      if (value == nullptr && LooksLikeInteger(text, /*allow_sign=*/true)) {
        int32_t number;
        if (absl::SimpleAtoi(text, &number)) value = type->FindValueByNumber(number);
      }
      if (value == nullptr) {
        return Invalid(what, absl::StrCat("not a value of enum ", type->full_name()));
      }
      add ? reflection->AddEnum(message, field, value) : reflection->SetEnum(message, field, value);
      return absl::OkStatus();
    }
    case FD::CPPTYPE_STRING: {
      std::string v;
      if (field->type() == FD::TYPE_BYTES) {
        // As in the JSON mapping; both alphabets, padding optional.
        if (!absl::Base64Unescape(text, &v) && !absl::WebSafeBase64Unescape(text, &v)) {
          return Invalid(what, "not base64 (bytes)");
        }
      } else {
        if (!IsValidUtf8(text)) return Invalid(what, "not valid UTF-8");
        v = std::string(text);
      }
      add ? reflection->AddString(message, field, std::move(v))
          : reflection->SetString(message, field, std::move(v));
      return absl::OkStatus();
    }
    case FD::CPPTYPE_MESSAGE:
      break;
  }
  return absl::InternalError(absl::StrCat(what, ": field is not a scalar"));
}

bool IsWrapper(const pb::Descriptor* type) {
  static constexpr absl::string_view kWrappers[] = {
      "google.protobuf.DoubleValue", "google.protobuf.FloatValue",  "google.protobuf.Int64Value",
      "google.protobuf.UInt64Value", "google.protobuf.Int32Value",  "google.protobuf.UInt32Value",
      "google.protobuf.BoolValue",   "google.protobuf.StringValue", "google.protobuf.BytesValue",
  };
  for (absl::string_view name : kWrappers) {
    if (type->full_name() == name) return true;
  }
  return false;
}

// Timestamp, Duration and the wrappers have a one-string JSON form, so a
// query parameter can carry them.
bool IsTextualMessage(const pb::Descriptor* type) {
  return type->full_name() == "google.protobuf.Timestamp" ||
         type->full_name() == "google.protobuf.Duration" || IsWrapper(type);
}

// Works for generated and dynamic messages alike: the value goes through the
// generated type's parser and is copied by reflection.
absl::Status SetTextualMessage(pb::Message* message, const FD* field, absl::string_view text,
                               absl::string_view what) {
  const pb::Reflection* reflection = message->GetReflection();
  pb::Message* sub = reflection->MutableMessage(message, field);
  const pb::Descriptor* type = sub->GetDescriptor();
  if (IsWrapper(type)) return SetScalar(sub, type->FindFieldByName("value"), text, what);

  int64_t seconds = 0;
  int32_t nanos = 0;
  if (type->full_name() == "google.protobuf.Timestamp") {
    pb::Timestamp parsed;
    if (!pb::util::TimeUtil::FromString(std::string(text), &parsed)) {
      return Invalid(what, "not an RFC 3339 time such as 2024-05-01T08:00:00Z");
    }
    seconds = parsed.seconds();
    nanos = parsed.nanos();
  } else {
    pb::Duration parsed;
    if (!pb::util::TimeUtil::FromString(std::string(text), &parsed)) {
      return Invalid(what, "not a duration such as 1.5s");
    }
    seconds = parsed.seconds();
    nanos = parsed.nanos();
  }
  const pb::Reflection* sub_reflection = sub->GetReflection();
  sub_reflection->SetInt64(sub, type->FindFieldByName("seconds"), seconds);
  sub_reflection->SetInt32(sub, type->FindFieldByName("nanos"), nanos);
  return absl::OkStatus();
}

// Query names may use the proto name or the JSON (lowerCamelCase) name.
const FD* FindField(const pb::Descriptor* type, absl::string_view name) {
  if (const FD* field = type->FindFieldByName(std::string(name))) return field;
  for (int i = 0; i < type->field_count(); ++i) {
    if (type->field(i)->json_name() == name) return type->field(i);
  }
  return nullptr;
}

// Setting one member of a oneof silently clears the others; refuse instead.
absl::Status CheckOneof(const pb::Message& message, const FD* field, absl::string_view what) {
  const pb::OneofDescriptor* oneof = field->real_containing_oneof();
  if (oneof == nullptr) return absl::OkStatus();
  const FD* set = message.GetReflection()->GetOneofFieldDescriptor(message, oneof);
  if (set == nullptr || set == field) return absl::OkStatus();
  return Invalid(what, absl::StrCat("conflicts with field ", set->name(), ": only one of ",
                                    oneof->name(), " may be set"));
}

class QueryApplier {
 public:
  QueryApplier(const RouteMatch& match, pb::Message* request) : match_(match), request_(request) {}

  absl::Status Apply(absl::string_view query) {
    for (absl::string_view pair : absl::StrSplit(query, '&')) {
      if (pair.empty()) continue;
      const size_t eq = pair.find('=');
      absl::StatusOr<std::string> name = PercentDecode(pair.substr(0, eq), true);
      if (!name.ok()) {
        return absl::InvalidArgumentError(absl::StrCat("query parameter '",
                                                       Printable(pair.substr(0, eq)),
                                                       "': name is not validly percent-encoded"));
      }
      const std::string what = absl::StrCat("query parameter '", Printable(*name), "'");
      if (name->empty()) return absl::InvalidArgumentError("query string has an empty name");
      if (eq == absl::string_view::npos) return Invalid(what, "has no value (write name=value)");
      absl::StatusOr<std::string> value = PercentDecode(pair.substr(eq + 1), true);
      if (!value.ok()) return Invalid(what, "value is not validly percent-encoded");
      RETURN_IF_ERROR(ApplyOne(*name, *value, what));
    }
    return absl::OkStatus();
  }

 private:
  absl::Status ApplyOne(absl::string_view name, absl::string_view value, const std::string& what) {
    const Route& route = *match_.route;
    if (route.body_field == "*") {
      return Invalid(what, "not accepted: this route reads every field from the JSON body");
    }
    std::vector<absl::string_view> parts = absl::StrSplit(name, '.');
    pb::Message* message = request_;
    std::string field_path;
    for (size_t i = 0; i < parts.size(); ++i) {
      const FD* field = FindField(message->GetDescriptor(), parts[i]);
      if (field == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat("unknown ", what));
      }
      absl::StrAppend(&field_path, i == 0 ? "" : ".", field->name());
      if (i == 0 && field->name() == route.body_field) {
        return Invalid(
            what, absl::StrCat("not accepted: field ", field->name(), " comes from the JSON body"));
      }
      RETURN_IF_ERROR(CheckOneof(*message, field, what));
      const bool last = i + 1 == parts.size();
      const bool is_message = field->cpp_type() == FD::CPPTYPE_MESSAGE;
      if (!last) {
        if (!is_message || field->is_repeated()) {
          return Invalid(what, absl::StrCat(field_path, " is not a message field"));
        }
        message = message->GetReflection()->MutableMessage(message, field);
        continue;
      }

      for (const PathBinding& binding : match_.bindings) {
        if (binding.field_path == field_path) {
          return Invalid(what, "not accepted: the path already sets this field");
        }
      }
      if (field->is_repeated() && !is_message) return SetScalar(message, field, value, what);
      if (field->is_repeated() || field->is_map() ||
          (is_message && !IsTextualMessage(field->message_type()))) {
        return Invalid(what, "this field cannot be set from the query string");
      }
      if (!set_once_.insert(field_path).second) return Invalid(what, "given more than once");
      if (is_message) return SetTextualMessage(message, field, value, what);
      return SetScalar(message, field, value, what);
    }
    return absl::OkStatus();
  }

  const RouteMatch& match_;
  pb::Message* request_;
  // Singular fields set so far: a second value is an error, not a silent
  // overwrite.
  absl::flat_hash_set<std::string> set_once_;
};

absl::Status ApplyBinding(const PathBinding& binding, pb::Message* request) {
  const std::string what = absl::StrCat("path parameter '", binding.field_path, "'");
  pb::Message* message = request;
  std::vector<absl::string_view> parts = absl::StrSplit(binding.field_path, '.');
  for (size_t i = 0; i < parts.size(); ++i) {
    const FD* field = message->GetDescriptor()->FindFieldByName(std::string(parts[i]));
    // RouteTable checked these against the same descriptor; this guards a
    // RouteMatch built by hand.
    if (field == nullptr) return absl::InternalError(absl::StrCat(what, ": no such field"));
    if (i + 1 == parts.size()) {
      if (field->is_repeated() || field->cpp_type() == FD::CPPTYPE_MESSAGE) {
        return absl::InternalError(absl::StrCat(what, ": not a scalar field"));
      }
      return SetScalar(message, field, binding.value, what);
    }
    if (field->is_repeated() || field->cpp_type() != FD::CPPTYPE_MESSAGE) {
      return absl::InternalError(absl::StrCat(what, ": not a message field"));
    }
    message = message->GetReflection()->MutableMessage(message, field);
  }
  return absl::OkStatus();
}

// Messages whose JSON form is not a plain object of fields; protobuf's
// parser checks these itself.
bool HasSpecialJson(const pb::Descriptor* type) {
  const std::string& name = type->full_name();
  return IsTextualMessage(type) || name == "google.protobuf.Struct" ||
         name == "google.protobuf.Value" || name == "google.protobuf.ListValue" ||
         name == "google.protobuf.FieldMask" || name == "google.protobuf.Any" ||
         name == "google.protobuf.Empty";
}

std::string JoinJsonPath(absl::string_view path, absl::string_view key) {
  return path.empty() ? Printable(key) : absl::StrCat(path, ".", Printable(key));
}

// protobuf 3.21's JSON parser is lenient where a client bug should be loud:
// it takes "a" for ["a"], {…} for [{…}], and drops null array elements.
// This walks the parsed JSON against the descriptor and refuses those; the
// parser still does every other check afterwards.
absl::Status CheckJsonShape(const pb::Value& value, const pb::Descriptor* type,
                            const std::string& path, absl::string_view where) {
  if (HasSpecialJson(type)) return absl::OkStatus();
  if (value.kind_case() != pb::Value::kStructValue) {
    return Invalid(where, path.empty() ? "expected a JSON object"
                                       : absl::StrCat(path, ": expected a JSON object"));
  }
  // Sorted, so that of several problems the same one is always reported.
  std::vector<const std::string*> keys;
  for (const auto& entry : value.struct_value().fields()) keys.push_back(&entry.first);
  std::sort(keys.begin(), keys.end(),
            [](const std::string* a, const std::string* b) { return *a < *b; });
  for (const std::string* key : keys) {
    const pb::Value& child = value.struct_value().fields().at(*key);
    const FD* field = FindField(type, *key);
    // Unknown names are left to the parser, which reports them.
    if (field == nullptr || child.kind_case() == pb::Value::kNullValue) continue;
    const std::string child_path = JoinJsonPath(path, *key);
    if (field->is_map()) {
      if (child.kind_case() != pb::Value::kStructValue) {
        return Invalid(where, absl::StrCat(child_path, ": expected a JSON object (map)"));
      }
      const FD* map_value = field->message_type()->map_value();
      if (map_value->cpp_type() != FD::CPPTYPE_MESSAGE) continue;
      for (const auto& [map_key, entry] : child.struct_value().fields()) {
        if (entry.kind_case() == pb::Value::kNullValue) continue;
        RETURN_IF_ERROR(CheckJsonShape(entry, map_value->message_type(),
                                       JoinJsonPath(child_path, map_key), where));
      }
    } else if (field->is_repeated()) {
      if (child.kind_case() != pb::Value::kListValue) {
        return Invalid(where, absl::StrCat(child_path, ": expected a JSON array"));
      }
      const auto& elements = child.list_value().values();
      for (int i = 0; i < elements.size(); ++i) {
        const std::string element_path = absl::StrCat(child_path, "[", i, "]");
        if (elements[i].kind_case() == pb::Value::kNullValue) {
          return Invalid(where, absl::StrCat(element_path, ": null is not allowed in an array"));
        }
        if (field->cpp_type() == FD::CPPTYPE_MESSAGE) {
          RETURN_IF_ERROR(CheckJsonShape(elements[i], field->message_type(), element_path, where));
        }
      }
    } else if (field->cpp_type() == FD::CPPTYPE_MESSAGE) {
      RETURN_IF_ERROR(CheckJsonShape(child, field->message_type(), child_path, where));
    } else if (child.kind_case() == pb::Value::kStructValue ||
               child.kind_case() == pb::Value::kListValue) {
      return Invalid(where,
                     absl::StrCat(child_path, ": expected a single value, not an object or array"));
    }
  }
  return absl::OkStatus();
}

absl::Status ApplyBody(const Route& route, absl::string_view body, pb::Message* request) {
  if (route.body_field.empty()) {
    if (IsAllWhitespace(body)) return absl::OkStatus();
    return absl::InvalidArgumentError("request body: this route takes no body");
  }
  if (IsAllWhitespace(body)) return absl::OkStatus();
  if (!IsValidUtf8(body)) return absl::InvalidArgumentError("request body: not valid UTF-8");

  pb::Message* target = request;
  std::string where = "request body";
  if (route.body_field != "*") {
    const FD* field = request->GetDescriptor()->FindFieldByName(route.body_field);
    if (field == nullptr || field->is_repeated() || field->cpp_type() != FD::CPPTYPE_MESSAGE) {
      return absl::InternalError(
          absl::StrCat("body field ", route.body_field, " is not a singular message field"));
    }
    target = request->GetReflection()->MutableMessage(request, field);
    where = absl::StrCat("request body (field ", field->name(), ")");
  }
  pb::Value tree;
  absl::Status status = onewindow::status::JsonToMessage(body, &tree);
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": not valid JSON: ", ParserMessage(status.message())));
  }
  RETURN_IF_ERROR(CheckJsonShape(tree, target->GetDescriptor(), "", where));
  status = onewindow::status::JsonToMessage(body, target);
  if (!status.ok()) {
    // protobuf's message names the JSON path and the problem.
    return absl::InvalidArgumentError(absl::StrCat(where, ": ", ParserMessage(status.message())));
  }
  return absl::OkStatus();
}

}  // namespace

bool IsValidUtf8(absl::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const size_t n = Utf8SequenceLength(text, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

absl::Status FillRequest(const RouteMatch& match, absl::string_view query_string,
                         absl::string_view body, pb::Message* request) {
  if (match.route == nullptr || match.route->method == nullptr || request == nullptr) {
    return absl::InternalError("FillRequest needs a matched route and a request");
  }
  const pb::Descriptor* input = match.route->method->input_type();
  if (request->GetDescriptor() != input &&
      request->GetDescriptor()->full_name() != input->full_name()) {
    return absl::InternalError(absl::StrCat("request is a ", request->GetDescriptor()->full_name(),
                                            ", the route needs a ", input->full_name()));
  }
  request->Clear();
  RETURN_IF_ERROR(ApplyBody(*match.route, body, request));
  QueryApplier query(match, request);
  RETURN_IF_ERROR(query.Apply(query_string));
  for (const PathBinding& binding : match.bindings) {
    RETURN_IF_ERROR(ApplyBinding(binding, request));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ToJson(const pb::Message& message) {
  return onewindow::status::MessageToJson(message);
}

}  // namespace onewindow::gateway
