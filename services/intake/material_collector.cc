#include "services/intake/material_collector.h"

#include <SQLiteCpp/Statement.h>

#include <optional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "libs/status/macros.h"
#include "libs/store/times.h"
#include "onewindow/intake/v1/intake.pb.h"
#include "services/intake/ids.h"
#include "services/intake/materials.h"

namespace onewindow::intake {
namespace {

constexpr char kCursor[] = "SELECT last_material_id FROM material_collection WHERE id = 1";
constexpr char kSaveCursor[] =
    "INSERT INTO material_collection(id, last_material_id) VALUES(1, ?)"
    " ON CONFLICT(id) DO UPDATE SET last_material_id = excluded.last_material_id";
// The primary key lists materials oldest first (ids begin with their
// time), so no index on upload_time has to cost every upload a page write.
constexpr char kOldMaterials[] =
    "SELECT id, owner_id, sha256, upload_time FROM materials"
    " WHERE id > ? AND id < ? ORDER BY id LIMIT ?";
// Applications list only their applicant's own materials (Materials::
// FindOwned), so the owner's applications are the only ones to read; and
// of those only the ones updated since the upload (a submission or a
// supplement listing it is an update, and the column never goes back),
// less kClockStepMargin. The others' records are neither loaded nor parsed,
// which for an enterprise with years of applications is most of them.
constexpr char kOwnerApplications[] =
    "SELECT record, update_time FROM applications WHERE applicant_id = ? AND update_time >= ?";
// Since when update_time never goes back (schema 7): for uploads before
// that, every application of the owner is read.
constexpr char kMonotonicSince[] = "SELECT since FROM update_time_monotonic WHERE id = 1";
// How far the wall clock may have been set back between an upload and the
// update that listed it, with the material still kept.
constexpr absl::Duration kClockStepMargin = absl::Hours(24);
constexpr char kDeleteMaterial[] = "DELETE FROM materials WHERE id = ?";
constexpr char kContentNamed[] = "SELECT 1 FROM materials WHERE sha256 = ? LIMIT 1";

struct Candidate {
  std::string id;
  std::string owner;
  std::string sha256;
  absl::Time uploaded;
};

// The materials `owner`'s applications updated at or after `since` list. Reading
// their records beats keeping a link table that every submission would have
// to write.
struct Listed {
  absl::flat_hash_set<std::string> ids;
  // Set when a record did not parse, so what it lists is unknown: the last
  // update of such a record, which bounds what it can list where
  // update_time is trusted.
  std::optional<absl::Time> unreadable_update;
};
Listed ListedBy(store::Connection& db, const std::string& owner, absl::Time since) {
  Listed listed;
  auto select = db.Prepare(kOwnerApplications);
  select->bind(1, owner);
  // InfinitePast stores as the least int64: every application.
  select->bind(2, store::ToStoredTime(since));
  while (select->executeStep()) {
    const SQLite::Column record = select->getColumn(0);
    intake::v1::Application application;
    if (!application.ParseFromArray(record.getBlob(), record.getBytes())) {
      const absl::Time updated = store::FromStoredTime(select->getColumn(1).getInt64());
      listed.unreadable_update = std::max(listed.unreadable_update.value_or(updated), updated);
      continue;
    }
    for (const auto& m : application.materials()) {
      if (!m.material_id().empty()) listed.ids.insert(m.material_id());
    }
  }
  return listed;
}

}  // namespace

absl::Status MaterialCollector::Collect(Collected* collected) {
  const absl::Time cutoff = clock_->Now() - options_.retention;
  for (int i = 0; i < options_.max_batches_per_pass; ++i) {
    Batch batch;
    RETURN_IF_ERROR(DeleteBatch(cutoff, &batch));
    collected->materials += batch.deleted;
    collected->kept_unreadable += batch.kept_unreadable;
    for (const std::string& sha256 : batch.contents) {
      RETURN_IF_ERROR(RemoveContent(sha256, collected).status());
    }
    if (!batch.full) break;
  }
  return Sweep(cutoff, collected);
}

absl::Status MaterialCollector::DeleteBatch(absl::Time cutoff, Batch* batch) {
  // Every id made before the cutoff sorts below this one.
  const std::string before = NewId(kMaterialIdPrefix, cutoff);
  // Looked at and deleted in the writer's transaction: a submission, which
  // checks its materials and writes in one transaction too, commits before
  // (and is seen here) or after (and finds the material gone).
  return db_->Write([&](store::Connection& db) {
    std::string after;
    {
      auto cursor = db.Prepare(kCursor);
      if (cursor->executeStep()) after = cursor->getColumn(0).getString();
    }
    std::vector<Candidate> candidates;
    bool waiting = false;
    {
      auto select = db.Prepare(kOldMaterials);
      select->bind(1, after);
      select->bind(2, before);
      select->bind(3, options_.batch_size);
      while (select->executeStep()) {
        // Begun before the cutoff but finished after it: its retention
        // runs from the end, and the cursor must not pass it.
        const absl::Time uploaded = store::FromStoredTime(select->getColumn(3).getInt64());
        if (uploaded >= cutoff) {
          waiting = true;
          break;
        }
        candidates.push_back({select->getColumn(0).getString(), select->getColumn(1).getString(),
                              select->getColumn(2).getString(), uploaded});
      }
    }
    batch->full = !waiting && static_cast<int>(candidates.size()) == options_.batch_size;
    if (candidates.empty()) return absl::OkStatus();

    absl::Time monotonic_since = absl::InfiniteFuture();
    {
      auto since = db.Prepare(kMonotonicSince);
      if (since->executeStep())
        monotonic_since = store::FromStoredTime(since->getColumn(0).getInt64());
    }
    // The earliest update time that can matter to a candidate: its upload,
    // less the margin, where update_time is trusted; any time otherwise.
    auto earliest_update = [&](const Candidate& c) {
      const absl::Time from = c.uploaded - kClockStepMargin;
      return from > monotonic_since ? from : absl::InfinitePast();
    };
    // Each owner's applications are read once, from the earliest that can
    // matter to any of their candidates.
    absl::flat_hash_map<std::string, absl::Time> earliest;
    for (const Candidate& c : candidates) {
      auto [it, fresh] = earliest.try_emplace(c.owner, earliest_update(c));
      if (!fresh) it->second = std::min(it->second, earliest_update(c));
    }
    absl::flat_hash_map<std::string, Listed> by_owner;
    for (const Candidate& c : candidates) {
      auto [owner, fresh] = by_owner.try_emplace(c.owner);
      if (fresh) owner->second = ListedBy(db, c.owner, earliest[c.owner]);
      const Listed& listed = owner->second;
      if (listed.ids.contains(c.id)) continue;
      if (listed.unreadable_update.has_value() && *listed.unreadable_update >= earliest_update(c)) {
        ++batch->kept_unreadable;
        continue;
      }
      auto remove = db.Prepare(kDeleteMaterial);
      remove->bind(1, c.id);
      remove->exec();
      ++batch->deleted;
      batch->contents.insert(c.sha256);
    }
    // Those kept are listed by an application, and applications never drop
    // a material: no later pass needs to look at them again.
    auto save = db.Prepare(kSaveCursor);
    save->bind(1, candidates.back().id);
    save->exec();
    return absl::OkStatus();
  });
}

absl::StatusOr<bool> MaterialCollector::RemoveContent(const std::string& sha256,
                                                      Collected* collected) {
  auto named = [&]() -> absl::StatusOr<bool> {
    bool found = false;
    RETURN_IF_ERROR(db_->Read([&](store::Connection& db) {
      auto select = db.Prepare(kContentNamed);
      select->bind(1, sha256);
      found = select->executeStep();
      return absl::OkStatus();
    }));
    return found;
  };
  int64_t freed = 0;
  ASSIGN_OR_RETURN(const bool removed, blobs_->Remove(sha256, named, &freed));
  if (removed) {
    ++collected->files;
    collected->bytes += freed;
  }
  return removed;
}

absl::Status MaterialCollector::Sweep(absl::Time cutoff, Collected* collected) {
  for (int i = 0; i < options_.shards_per_pass && i < BlobStore::kShards; ++i) {
    const int shard = next_shard_;
    next_shard_ = (next_shard_ + 1) % BlobStore::kShards;
    ASSIGN_OR_RETURN(const std::vector<BlobStore::Stored> files, blobs_->List(shard));
    for (const BlobStore::Stored& file : files) {
      // A file is in place before its row is written. The upload's pin
      // covers that gap; leaving young files alone as well keeps the sweep
      // safe whatever the timing, at the cost of an orphan waiting out one
      // retention.
      if (file.modified >= cutoff) continue;
      ASSIGN_OR_RETURN(const bool removed, RemoveContent(file.sha256, collected));
      if (removed) ++collected->orphan_files;
    }
  }
  return absl::OkStatus();
}

}  // namespace onewindow::intake
