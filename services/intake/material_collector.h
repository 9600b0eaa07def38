#pragma once

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "libs/store/database.h"
#include "libs/workday/clock.h"
#include "services/intake/blob_store.h"

namespace onewindow::intake {

struct CollectorOptions {
  // How long an upload waits for an application to list it.
  absl::Duration retention = absl::Hours(72);
  // Materials looked at per write transaction; submissions wait for each.
  int batch_size = 200;
  // Bounds a pass, so a backlog (the first pass over years of uploads)
  // cannot hold up shutdown; the next pass goes on.
  int max_batches_per_pass = 250;
  // Directories of the BlobStore (of BlobStore::kShards) a pass sweeps for
  // files no material names: every one about once a day at the period
  // main.cc runs passes with.
  int shards_per_pass = 2;
};

// What passes removed.
struct Collected {
  int64_t materials = 0;
  // Files removed, orphans included, and their bytes.
  int64_t files = 0;
  int64_t bytes = 0;
  // Files the sweep found with no material naming them: left by a crash
  // between a pass's two steps, or by an upload that failed to record.
  int64_t orphan_files = 0;
  // Unlisted materials kept for good because an application of their owner
  // has a record that does not parse, so what it lists is unknown: a data
  // problem for an operator, never a reason to delete.
  int64_t kept_unreadable = 0;

  bool empty() const { return materials == 0 && files == 0 && kept_unreadable == 0; }
};

// Deletes the materials no application lists once they are older than the
// retention, and their files once no material names that content any more
// (equal uploads share one file). Rows go first, in a write transaction,
// then the files: a crash in between leaves only files no row names, which
// the sweep of the blob directories removes.
class MaterialCollector {
 public:
  MaterialCollector(store::Database* db, BlobStore* blobs, const workday::Clock* clock,
                    CollectorOptions options)
      : db_(db), blobs_(blobs), clock_(clock), options_(options) {}

  // One pass. Adds what it removed to `collected`, also when it fails
  // partway. Passes must not overlap: one server::PeriodicTask runs them.
  absl::Status Collect(Collected* collected);

 private:
  struct Batch {
    int64_t deleted = 0;
    int64_t kept_unreadable = 0;
    // The contents of the deleted rows.
    absl::flat_hash_set<std::string> contents;
    // Stopped at the batch size: more may be waiting.
    bool full = false;
  };
  absl::Status DeleteBatch(absl::Time cutoff, Batch* batch);
  // Removes the file of `sha256` unless a material names it.
  absl::StatusOr<bool> RemoveContent(const std::string& sha256, Collected* collected);
  absl::Status Sweep(absl::Time cutoff, Collected* collected);

  store::Database* const db_;
  BlobStore* const blobs_;
  const workday::Clock* const clock_;
  const CollectorOptions options_;
  // The directory the next sweep starts at; only the pass's thread uses it.
  int next_shard_ = 0;
};

}  // namespace onewindow::intake
