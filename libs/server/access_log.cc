#include "libs/server/access_log.h"

#include <google/protobuf/descriptor.h>

#include <algorithm>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "libs/codes/credit_code.h"

namespace onewindow::server {
namespace {

namespace pb = google::protobuf;

// Record ids are short; anything longer is not one.
constexpr size_t kMaxIdBytes = 64;

bool NamesRecord(absl::string_view field) {
  // A resident id, or a login id that may be one or a phone number, is
  // personal data; a request id is no record.
  if (field == "resident_id" || field == "login_id" || field == "request_id") return false;
  return absl::EndsWith(field, "_id") || field == "id" || field == "number" ||
         field == "implementation_code";
}

// Whether `value` can be logged as a record id. The fields are often only
// filters the backend never checks, so a clerk may type a caller's phone or
// resident id (or a name) into one. Written are credit codes (departments)
// and values of an id's shape with at least one letter; never anything
// with the shape of a resident id, whatever its check character or case,
// nor digits alone (a phone number, however punctuated). The shape also
// keeps ',' and '=' out, so a value cannot forge another entry.
bool LooksLikeRecordId(absl::string_view value) {
  if (value.empty() || value.size() > kMaxIdBytes) return false;
  std::string bare;  // Without separators, upper-cased.
  size_t letters = 0;
  for (char c : value) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (absl::ascii_isalnum(u)) {
      letters += absl::ascii_isalpha(u) ? 1 : 0;
      bare.push_back(absl::ascii_toupper(u));
    } else if (c != '_' && c != '-' && c != '.' && c != ':') {
      return false;
    }
  }
  if (codes::ValidateCreditCode(value).ok()) return true;
  if (letters == 0) return false;
  const bool resident_shaped =
      bare.size() == 18 &&
      std::all_of(bare.begin(), bare.end() - 1, [](char c) { return absl::ascii_isdigit(c); }) &&
      (absl::ascii_isdigit(bare.back()) || bare.back() == 'X');
  return !resident_shaped;
}

// "application_id=SQ…,department_id=…" for the request's top-level record
// fields that are set.
std::string RecordIds(const pb::Message& request) {
  std::string out;
  const pb::Descriptor* descriptor = request.GetDescriptor();
  const pb::Reflection* reflection = request.GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const pb::FieldDescriptor* field = descriptor->field(i);
    if (field->is_repeated() || !NamesRecord(field->name())) continue;
    std::string value;
    switch (field->cpp_type()) {
      case pb::FieldDescriptor::CPPTYPE_STRING:
        value = reflection->GetString(request, field);
        break;
      case pb::FieldDescriptor::CPPTYPE_INT64:
        if (const int64_t n = reflection->GetInt64(request, field); n != 0) {
          value = absl::StrCat(n);
        }
        break;
      default:
        continue;
    }
    if (value.empty()) continue;
    if (!out.empty()) out += ",";
    absl::StrAppend(&out, field->name(), "=", LooksLikeRecordId(value) ? value : "(withheld)");
  }
  return out;
}

}  // namespace

bool IsBodyAccess(const auth::v1::Principal& principal) {
  switch (principal.kind()) {
    case auth::v1::STAFF:
    case auth::v1::OPERATOR:
    case auth::v1::PLATFORM_ADMIN:
      return true;
    default:
      return false;
  }
}

void LogAccess(const log::Logger& logger, const auth::v1::Principal& principal,
               const google::protobuf::Message* request, absl::StatusCode code) {
  // The fields are walked only for a line that is written.
  if (!logger.Enabled(log::Level::kInfo)) return;
  std::string call = "unknown";
  std::string records;
  if (request != nullptr) {
    call = std::string(absl::StripSuffix(request->GetDescriptor()->name(), "Request"));
    records = RecordIds(*request);
  }
  logger.Info("access", {{"call", call},
                         {"records", records},
                         {"code", absl::StatusCodeToString(code)},
                         {"actor_kind", auth::v1::PrincipalKind_Name(principal.kind())},
                         {"actor", principal.subject()},
                         {"department", principal.department_id()},
                         {"api_token", principal.api_token_id()}});
}

}  // namespace onewindow::server
