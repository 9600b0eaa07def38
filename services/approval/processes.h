#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include <SQLiteCpp/Database.h>

#include "libs/store/connection.h"

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "libs/store/database.h"
#include "onewindow/catalog/v1/items.pb.h"

namespace onewindow::approval {

// Where implementations come from: the catalog over gRPC in the service, a
// map in tests and the benchmark.
class ImplementationSource {
 public:
  virtual ~ImplementationSource() = default;
  // Exactly that revision. NOT_FOUND when the catalog has no such revision;
  // UNAVAILABLE (or another transient code) when it cannot be asked now.
  virtual absl::StatusOr<catalog::v1::Implementation> Get(const std::string& implementation_code,
                                                          int64_t revision) = 0;
};

using Process = std::shared_ptr<const catalog::v1::Implementation>;

// The catalog revisions cases follow, by (code, revision). Revisions never
// change, so a copy is kept in the store when the first case opens (the
// case's later steps never depend on the catalog being up) and in memory.
class Processes {
 public:
  // `source` may be null: then only stored processes are found.
  Processes(store::Database* db, ImplementationSource* source, size_t memory_capacity = 20000)
      : db_(db), source_(source), capacity_(memory_capacity) {}

  // From memory, the store or the source, in that order. For opening cases;
  // never call it inside a write transaction (it may write one itself).
  absl::StatusOr<Process> Get(const std::string& code, int64_t revision) ABSL_LOCKS_EXCLUDED(mu_);

  // From memory or the store through the caller's transaction: for steps of
  // cases already open, whose process was stored when they opened.
  absl::StatusOr<Process> GetStored(store::Connection& tx, const std::string& code,
                                    int64_t revision) ABSL_LOCKS_EXCLUDED(mu_);

  // Stores a process inside the caller's transaction (bulk loads).
  static void Store(store::Connection& tx, const catalog::v1::Implementation& implementation);

  // What approval keeps of an implementation: the name, codes, region,
  // department, limits, handling, stages, materials and result; not the
  // search words, windows, fees or conditions.
  static catalog::v1::Implementation Trim(const catalog::v1::Implementation& implementation);

 private:
  using Key = std::pair<std::string, int64_t>;
  Process Remember(Key key, catalog::v1::Implementation implementation) ABSL_LOCKS_EXCLUDED(mu_);
  Process Recall(const Key& key) const ABSL_LOCKS_EXCLUDED(mu_);
  static absl::StatusOr<Process> Load(store::Connection& db, const Key& key);

  store::Database* const db_;
  ImplementationSource* const source_;
  const size_t capacity_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<Key, Process> memory_ ABSL_GUARDED_BY(mu_);
};

}  // namespace onewindow::approval
