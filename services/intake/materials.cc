#include "services/intake/materials.h"

#include <SQLiteCpp/Statement.h>

#include <optional>

#include "absl/strings/str_cat.h"
#include "libs/auth/access.h"
#include "libs/status/macros.h"
#include "libs/store/times.h"
#include "services/intake/file_type.h"
#include "services/intake/ids.h"

namespace onewindow::intake {
namespace {

constexpr size_t kMaxFileNameBytes = 255;

constexpr char kInsertMaterial[] =
    "INSERT INTO materials(id, owner_id, uploaded_by, file_name, content_type, size_bytes,"
    " sha256, upload_time) VALUES(?,?,?,?,?,?,?,?)";
constexpr char kSelectMaterial[] =
    "SELECT id, owner_id, uploaded_by, file_name, content_type, size_bytes, sha256, upload_time"
    " FROM materials WHERE id = ?";
// The owner's applications at one department: a material is that
// department's to read once one of them lists it. An applicant has few
// applications, so reading their records beats keeping a link table whose
// randomly placed rows would cost every submission extra pages.
constexpr char kOwnerApplicationsAt[] =
    "SELECT record FROM applications WHERE applicant_id = ? AND department_id = ?";

intake::v1::Material RowToMaterial(SQLite::Statement& row) {
  intake::v1::Material m;
  m.set_material_id(row.getColumn(0).getString());
  m.set_owner_id(row.getColumn(1).getString());
  m.set_uploaded_by(row.getColumn(2).getString());
  m.set_file_name(row.getColumn(3).getString());
  m.set_content_type(row.getColumn(4).getString());
  m.set_size_bytes(row.getColumn(5).getInt64());
  m.set_sha256(row.getColumn(6).getString());
  *m.mutable_upload_time() = store::ToProtoTime(store::FromStoredTime(row.getColumn(7).getInt64()));
  return m;
}

// The last path component, so "C:\scans\id.pdf" shows as "id.pdf".
std::string BaseName(const std::string& name) {
  const size_t slash = name.find_last_of("/\\");
  return slash == std::string::npos ? name : name.substr(slash + 1);
}

absl::Status NotFound(const std::string& id) {
  return absl::NotFoundError(absl::StrCat("material ", id, " not found"));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Materials::Upload>> Materials::Begin(
    const auth::v1::Principal& uploader, const intake::v1::UploadHeader& header) {
  std::string owner;
  switch (uploader.kind()) {
    case auth::v1::CITIZEN:
    case auth::v1::ENTERPRISE:
      if (!header.applicant_id().empty() && header.applicant_id() != uploader.subject()) {
        return absl::PermissionDeniedError("applicant_id: applicants upload for themselves only");
      }
      owner = uploader.subject();
      break;
    case auth::v1::STAFF:
      RETURN_IF_ERROR(auth::RequireRole(uploader, auth::kRoleClerk));
      [[fallthrough]];
    case auth::v1::SERVICE:
      if (header.applicant_id().empty()) {
        return absl::InvalidArgumentError(
            "applicant_id: required when uploading for a walk-in or hotline applicant");
      }
      if (header.applicant_id().size() > kMaxIdBytes) {
        return absl::InvalidArgumentError(
            absl::StrCat("applicant_id: longer than ", kMaxIdBytes, " bytes"));
      }
      owner = header.applicant_id();
      break;
    default:
      return absl::PermissionDeniedError("only applicants and window clerks upload materials");
  }
  std::string file_name = BaseName(header.file_name());
  if (file_name.size() > kMaxFileNameBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("file_name: longer than ", kMaxFileNameBytes, " bytes"));
  }
  if (file_name.empty()) file_name = "material";
  ASSIGN_OR_RETURN(UploadSlots::Slot slot,
                   slots_.Acquire(absl::StrCat(uploader.kind(), ":", uploader.subject())));
  ASSIGN_OR_RETURN(std::unique_ptr<BlobStore::Writer> writer, blobs_->NewWriter());
  intake::v1::Material material;
  material.set_material_id(NewId(kMaterialIdPrefix, clock_->Now()));
  material.set_owner_id(owner);
  material.set_uploaded_by(uploader.subject());
  material.set_file_name(std::move(file_name));
  return std::unique_ptr<Upload>(
      new Upload(this, std::move(slot), std::move(writer), std::move(material)));
}

absl::Status Materials::Upload::Append(absl::string_view chunk) {
  const int64_t limit = materials_->limits_.max_material_bytes;
  if (writer_->size() + static_cast<int64_t>(chunk.size()) > limit) {
    return absl::OutOfRangeError(absl::StrCat("content: larger than ", limit, " bytes"));
  }
  const bool had_prefix = writer_->prefix().size() >= kSniffBytes;
  RETURN_IF_ERROR(writer_->Append(chunk));
  // Refuse early: no need to store megabytes of something we will not keep.
  if (!had_prefix && writer_->prefix().size() >= kSniffBytes &&
      SniffPrefix(writer_->prefix()) == FileType::kUnknown) {
    return absl::InvalidArgumentError("content: not a PDF, JPEG, PNG or OFD file");
  }
  return absl::OkStatus();
}

absl::StatusOr<intake::v1::Material> Materials::Upload::Finish() {
  if (writer_->size() == 0) return absl::InvalidArgumentError("content: the file is empty");
  const FileType type = SniffPrefix(writer_->prefix());
  if (type == FileType::kUnknown) {
    return absl::InvalidArgumentError("content: not a PDF, JPEG, PNG or OFD file");
  }
  if (type == FileType::kOfd) RETURN_IF_ERROR(CheckOfdPackage(writer_->temp_path()));
  ASSIGN_OR_RETURN(const std::string sha, writer_->Commit());
  material_.set_content_type(MimeType(type));
  material_.set_size_bytes(writer_->size());
  material_.set_sha256(sha);
  *material_.mutable_upload_time() = store::ToProtoTime(materials_->clock_->Now());
  RETURN_IF_ERROR(materials_->Record(material_));
  return material_;
}

absl::Status Materials::Record(const intake::v1::Material& m) {
  return db_->WriteGrouped([&](store::Connection& db) {
    auto insert = db.Prepare(kInsertMaterial);
    insert->bind(1, m.material_id());
    insert->bind(2, m.owner_id());
    insert->bind(3, m.uploaded_by());
    insert->bind(4, m.file_name());
    insert->bind(5, m.content_type());
    insert->bind(6, static_cast<int64_t>(m.size_bytes()));
    insert->bind(7, m.sha256());
    insert->bind(8, store::ToStoredTime(store::FromProtoTime(m.upload_time())));
    insert->exec();
    return absl::OkStatus();
  });
}

absl::StatusOr<intake::v1::Material> Materials::Get(const auth::v1::Principal& reader,
                                                    const std::string& material_id) {
  if (material_id.empty()) return absl::InvalidArgumentError("material_id: required");
  std::optional<intake::v1::Material> found;
  bool handled_by_reader = false;
  RETURN_IF_ERROR(db_->Read([&](store::Connection& db) {
    auto select = db.Prepare(kSelectMaterial);
    select->bind(1, material_id);
    if (!select->executeStep()) return absl::OkStatus();
    found = RowToMaterial(*select);
    if (reader.kind() == auth::v1::STAFF && !reader.department_id().empty()) {
      auto applications = db.Prepare(kOwnerApplicationsAt);
      applications->bind(1, found->owner_id());
      applications->bind(2, reader.department_id());
      while (!handled_by_reader && applications->executeStep()) {
        const SQLite::Column record = applications->getColumn(0);
        intake::v1::Application application;
        if (!application.ParseFromArray(record.getBlob(), record.getBytes())) continue;
        for (const auto& m : application.materials())
          handled_by_reader |= m.material_id() == material_id;
      }
    }
    return absl::OkStatus();
  }));
  if (!found.has_value()) return NotFound(material_id);
  const std::string& subject = reader.subject();
  const bool own =
      !subject.empty() && (subject == found->owner_id() || subject == found->uploaded_by());
  if (!own && !handled_by_reader) return NotFound(material_id);
  return *found;
}

absl::StatusOr<Materials::Opened> Materials::Open(const auth::v1::Principal& reader,
                                                  const std::string& material_id) {
  Opened opened;
  ASSIGN_OR_RETURN(opened.material, Get(reader, material_id));
  absl::StatusOr<std::unique_ptr<BlobStore::Reader>> content =
      blobs_->OpenContent(opened.material.sha256());
  if (!content.ok()) {
    // Recorded but gone from disk: an operator restored the database without
    // the files. Not the reader's fault, and not something to hide.
    return absl::InternalError(
        absl::StrCat("material ", material_id, ": content missing from storage"));
  }
  opened.content = *std::move(content);
  return opened;
}

absl::flat_hash_map<std::string, intake::v1::Material> Materials::FindOwned(
    store::Connection& db, const std::string& owner_id, const std::vector<std::string>& ids) {
  absl::flat_hash_map<std::string, intake::v1::Material> out;
  for (const std::string& id : ids) {
    if (id.empty() || out.contains(id)) continue;
    auto select = db.Prepare(kSelectMaterial);
    select->bind(1, id);
    if (!select->executeStep()) continue;
    intake::v1::Material m = RowToMaterial(*select);
    if (m.owner_id() == owner_id) out.emplace(id, std::move(m));
  }
  return out;
}

}  // namespace onewindow::intake
