#pragma once

#include <memory>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "libs/store/connection.h"
#include "libs/store/database.h"
#include "libs/workday/clock.h"
#include "onewindow/auth/v1/principal.pb.h"
#include "onewindow/intake/v1/intake.pb.h"
#include "services/intake/blob_store.h"
#include "services/intake/upload_slots.h"

namespace onewindow::intake {

// Material ids are NewId(kMaterialIdPrefix, start of the upload): they sort
// oldest first.
inline constexpr char kMaterialIdPrefix[] = "mat_";

struct MaterialLimits {
  int64_t max_material_bytes = 20 << 20;
  int64_t max_application_bytes = 100 << 20;
  int max_materials_per_application = 50;
  // Uploads in progress at once, in all and per uploader (UploadSlots).
  int max_uploads_in_progress = 128;
  int max_uploads_per_uploader = 8;
};

// Files applicants upload: bytes in the BlobStore, descriptions in the
// database. A material belongs to its applicant (the owner); a clerk may
// upload one for a walk-in applicant. It is readable by the owner, the
// uploader and staff of a department handling an application it is part of.
class Materials {
 public:
  Materials(store::Database* db, BlobStore* blobs, const workday::Clock* clock,
            MaterialLimits limits)
      : db_(db),
        blobs_(blobs),
        clock_(clock),
        limits_(limits),
        slots_({limits.max_uploads_in_progress, limits.max_uploads_per_uploader}) {}

  // One upload in progress. Dropping it unfinished leaves nothing behind.
  class Upload {
   public:
    // INVALID_ARGUMENT as soon as the first bytes show a type we do not
    // take; OUT_OF_RANGE once the file outgrows the limit.
    absl::Status Append(absl::string_view chunk);
    // Durable on disk and recorded when this returns.
    absl::StatusOr<intake::v1::Material> Finish();

   private:
    friend class Materials;
    Upload(Materials* materials, UploadSlots::Slot slot, std::unique_ptr<BlobStore::Writer> writer,
           intake::v1::Material material)
        : materials_(materials),
          slot_(std::move(slot)),
          writer_(std::move(writer)),
          material_(std::move(material)) {}

    Materials* materials_;
    UploadSlots::Slot slot_;
    std::unique_ptr<BlobStore::Writer> writer_;
    intake::v1::Material material_;
  };

  // Starts an upload by `uploader`. Applicants upload for themselves; window
  // clerks name the applicant in the header. RESOURCE_EXHAUSTED while the
  // uploader, or everyone, has the most uploads in progress already.
  absl::StatusOr<std::unique_ptr<Upload>> Begin(const auth::v1::Principal& uploader,
                                                const intake::v1::UploadHeader& header);

  absl::StatusOr<intake::v1::Material> Get(const auth::v1::Principal& reader,
                                           const std::string& material_id);

  struct Opened {
    intake::v1::Material material;
    std::unique_ptr<BlobStore::Reader> content;
  };
  absl::StatusOr<Opened> Open(const auth::v1::Principal& reader, const std::string& material_id);

  // Inside a transaction: the materials among `ids` that `owner_id` owns.
  // Others' and unknown ids are simply absent.
  absl::flat_hash_map<std::string, intake::v1::Material> FindOwned(
      store::Connection& db, const std::string& owner_id, const std::vector<std::string>& ids);

  const MaterialLimits& limits() const { return limits_; }
  // Releases cached statements; call before the database closes.

 private:
  absl::Status Record(const intake::v1::Material& material);

  store::Database* db_;
  BlobStore* blobs_;
  const workday::Clock* clock_;
  const MaterialLimits limits_;
  UploadSlots slots_;
};

}  // namespace onewindow::intake
