#include "services/intake/applications.h"

#include <SQLiteCpp/Statement.h>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <openssl/sha.h>
#include <optional>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/auth/random.h"
#include "libs/status/macros.h"
#include "libs/store/times.h"

namespace onewindow::intake {
namespace {

// Hash of what the applicant asked for, to tell a retry from a different
// request reusing the key. Deterministic serialisation keeps map order fixed.
std::string RequestHash(const intake::v1::SubmitApplicationRequest& request) {
  intake::v1::SubmitApplicationRequest body = request;
  body.clear_request_id();
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    body.SerializeToCodedStream(&coded);
  }
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

constexpr char kSelect[] =
    "SELECT id, number, applicant_id, implementation_code, catalog_revision, form, status,"
    " submit_time FROM applications ";

intake::v1::Application RowToApplication(SQLite::Statement& row) {
  intake::v1::Application a;
  a.set_application_id(row.getColumn(0).getString());
  a.set_number(row.getColumn(1).getString());
  a.set_applicant_id(row.getColumn(2).getString());
  a.set_implementation_code(row.getColumn(3).getString());
  a.set_catalog_revision(row.getColumn(4).getInt64());
  intake::v1::SubmitApplicationRequest form_holder;
  const std::string form = row.getColumn(5).getString();
  if (form_holder.ParseFromString(form)) *a.mutable_form() = form_holder.form();
  a.set_status(static_cast<intake::v1::ApplicationStatus>(row.getColumn(6).getInt()));
  *a.mutable_submit_time() = store::ToProtoTime(store::FromStoredTime(row.getColumn(7).getInt64()));
  return a;
}

}  // namespace

std::string FormatApplicationNumber(absl::Time submit_time, int64_t sequence) {
  return absl::StrCat("SQ", absl::FormatTime("%Y%m%d", submit_time, absl::FixedTimeZone(8 * 3600)),
                      "-", absl::StrFormat("%06d", sequence));
}

absl::StatusOr<intake::v1::Application> Applications::Submit(
    const std::string& applicant_id, const intake::v1::SubmitApplicationRequest& request,
    absl::Time now) {
  std::vector<std::string> problems;
  if (request.request_id().empty()) problems.push_back("request_id: required (idempotency key)");
  if (request.request_id().size() > 128) problems.push_back("request_id: longer than 128 bytes");
  if (request.implementation_code().empty()) problems.push_back("implementation_code: required");
  if (request.catalog_revision() <= 0) problems.push_back("catalog_revision: must be positive");
  if (!problems.empty()) {
    std::string joined;
    for (const auto& p : problems) absl::StrAppend(&joined, joined.empty() ? "" : "; ", p);
    return absl::InvalidArgumentError(joined);
  }
  const std::string hash = RequestHash(request);
  intake::v1::Application result;
  RETURN_IF_ERROR(db_->Write([&](SQLite::Database& db) -> absl::Status {
    SQLite::Statement existing(db,
                               "SELECT id, request_hash FROM applications"
                               " WHERE applicant_id = ? AND request_id = ?");
    existing.bind(1, applicant_id);
    existing.bind(2, request.request_id());
    if (existing.executeStep()) {
      if (existing.getColumn(1).getString() != hash) {
        return absl::AlreadyExistsError(
            "request_id: this idempotency key was used for a different application");
      }
      SQLite::Statement again(db, absl::StrCat(kSelect, "WHERE id = ?"));
      again.bind(1, existing.getColumn(0).getString());
      again.executeStep();
      result = RowToApplication(again);
      return absl::OkStatus();
    }
    const std::string day = absl::FormatTime("%Y%m%d", now, absl::FixedTimeZone(8 * 3600));
    SQLite::Statement next(db,
                           "INSERT INTO application_numbers(day, last) VALUES(?, 1) "
                           "ON CONFLICT(day) DO UPDATE SET last = last + 1 RETURNING last");
    next.bind(1, day);
    next.executeStep();
    const int64_t sequence = next.getColumn(0).getInt64();
    intake::v1::SubmitApplicationRequest form_only;
    *form_only.mutable_form() = request.form();
    std::string form_bytes;
    {
      google::protobuf::io::StringOutputStream stream(&form_bytes);
      google::protobuf::io::CodedOutputStream coded(&stream);
      coded.SetSerializationDeterministic(true);
      form_only.SerializeToCodedStream(&coded);
    }
    result.set_application_id(absl::StrCat("app_", auth::RandomHex(12)));
    result.set_number(FormatApplicationNumber(now, sequence));
    result.set_applicant_id(applicant_id);
    result.set_implementation_code(request.implementation_code());
    result.set_catalog_revision(request.catalog_revision());
    *result.mutable_form() = request.form();
    result.set_status(intake::v1::SUBMITTED);
    *result.mutable_submit_time() = store::ToProtoTime(now);
    SQLite::Statement insert(db,
                             "INSERT INTO applications(id, number, applicant_id,"
                             " implementation_code, catalog_revision, form, status, submit_time,"
                             " request_id, request_hash) VALUES(?,?,?,?,?,?,?,?,?,?)");
    insert.bind(1, result.application_id());
    insert.bind(2, result.number());
    insert.bind(3, applicant_id);
    insert.bind(4, result.implementation_code());
    insert.bind(5, static_cast<int64_t>(result.catalog_revision()));
    insert.bind(6, form_bytes.data(), static_cast<int>(form_bytes.size()));
    insert.bind(7, static_cast<int>(result.status()));
    insert.bind(8, static_cast<int64_t>(store::ToStoredTime(now)));
    insert.bind(9, request.request_id());
    insert.bind(10, hash);
    insert.exec();
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<intake::v1::Application> Applications::Get(const std::string& application_id,
                                                          const std::string& applicant_id) const {
  std::optional<intake::v1::Application> found;
  RETURN_IF_ERROR(db_->Read([&](SQLite::Database& db) {
    SQLite::Statement query(db, absl::StrCat(kSelect, "WHERE id = ?"));
    query.bind(1, application_id);
    if (query.executeStep()) found = RowToApplication(query);
    return absl::OkStatus();
  }));
  // Someone else's application looks exactly like a missing one.
  if (!found.has_value() || (!applicant_id.empty() && found->applicant_id() != applicant_id)) {
    return absl::NotFoundError(absl::StrCat("application ", application_id, " not found"));
  }
  return *found;
}

}  // namespace onewindow::intake
