#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <google/protobuf/arena.h>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/store/database.h"
#include "onewindow/catalog/v1/catalog.pb.h"
#include "onewindow/catalog/v1/items.pb.h"
#include "services/catalog/search_index.h"

namespace onewindow::catalog {

// Basic items (基本目录) and implementations (实施清单) with their revisions.
//
// Every publish of an implementation stores revision N+1 as an immutable
// full copy, including a republish of unchanged content: a publish is a
// dated act that applications refer to, and numbering publishes rather
// than distinct contents keeps "the revision I applied under" exact.
// Withdrawal creates no revision; it marks the item withdrawn, which every
// revision read then shows, and takes it out of search at once. Publishing
// again brings it back as a new revision.
class Items {
 public:
  Items(store::Database* db, SearchIndex* index) : db_(db), index_(index) {}

  // Fills the search index from the store; run once at start-up, before
  // serving. Returns the number of published implementations loaded.
  absl::StatusOr<size_t> LoadIndex() ABSL_LOCKS_EXCLUDED(publish_mu_);

  // Adds or replaces basic items; each entry is checked on its own and the
  // valid ones are written in one transaction. Implementations keep the
  // copies (type, topics, …) they were published with until republished.
  absl::StatusOr<catalog::v1::ImportResponse> ImportBasicItems(
      std::vector<catalog::v1::BasicItem> items) ABSL_LOCKS_EXCLUDED(publish_mu_);
  absl::StatusOr<catalog::v1::BasicItem> GetBasicItem(const std::string& basic_code) const;

  // Publishes the next revision (the first one creates the item). A guide
  // that breaks the rules is INVALID_ARGUMENT listing every problem. With
  // `expected_revision` > 0, ABORTED unless that is still the current one.
  absl::StatusOr<catalog::v1::Implementation> Publish(catalog::v1::Implementation impl,
                                                      absl::Time now, int64_t expected_revision = 0)
      ABSL_LOCKS_EXCLUDED(publish_mu_);

  // Decides whether the caller may publish for a department.
  using Authorize = absl::FunctionRef<absl::Status(const std::string& department_credit_code)>;

  // Publishes a batch: entries the caller may not publish or that break
  // the rules are rejected one by one; the rest are written in one
  // transaction with statements prepared once, then indexed. Checking and
  // serializing happen before the write lock is taken, so concurrent
  // imports overlap everything but the SQLite writes.
  absl::StatusOr<catalog::v1::ImportResponse> ImportImplementations(
      const google::protobuf::RepeatedPtrField<catalog::v1::Implementation>& impls, absl::Time now,
      Authorize authorize) ABSL_LOCKS_EXCLUDED(publish_mu_);

  // Idempotent: withdrawing a withdrawn item returns it unchanged.
  absl::StatusOr<catalog::v1::Implementation> Withdraw(const std::string& code,
                                                       const std::string& reason, absl::Time now)
      ABSL_LOCKS_EXCLUDED(publish_mu_);

  // `revision` 0 = the current one. Withdrawn items stay readable.
  absl::StatusOr<catalog::v1::Implementation> Get(const std::string& code, int64_t revision) const;

 private:
  // Basic items as stored, shared by all imports: every batch asks for
  // hundreds of them. Emptied whenever basic items are imported; the
  // generation keeps a lookup that raced with that from refilling it with
  // what it read before.
  class BasicCache {
   public:
    std::shared_ptr<const catalog::v1::BasicItem> Find(const std::string& basic_code) const
        ABSL_LOCKS_EXCLUDED(mu_);
    void Put(const std::string& basic_code, std::shared_ptr<const catalog::v1::BasicItem> item,
             uint64_t generation) ABSL_LOCKS_EXCLUDED(mu_);
    uint64_t generation() const ABSL_LOCKS_EXCLUDED(mu_);
    void Clear() ABSL_LOCKS_EXCLUDED(mu_);

   private:
    mutable absl::Mutex mu_;
    uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
    absl::flat_hash_map<std::string, std::shared_ptr<const catalog::v1::BasicItem>> items_
        ABSL_GUARDED_BY(mu_);
  };

  class Facts;

  // An entry checked, completed and serialized, waiting to be written.
  struct Prepared {
    int index = 0;                                // in the request
    catalog::v1::Implementation* impl = nullptr;  // on the batch's arena
    JoinedLists lists;
    std::string body;  // serialized without its revision
    // > 0: the revision the edit started from, checked in the write.
    int64_t expected_revision = 0;
  };

  // Checks `impls` against the store (a read snapshot; departments and
  // basic items are never deleted) and fills `prepared` and the rejections.
  absl::Status PrepareBatch(
      const google::protobuf::RepeatedPtrField<catalog::v1::Implementation>& impls, absl::Time now,
      Authorize authorize, google::protobuf::Arena* arena, std::vector<Prepared>* prepared,
      catalog::v1::ImportResponse* rejections) ABSL_LOCKS_EXCLUDED(publish_mu_);
  // Writes the prepared entries as new revisions in one transaction, then
  // indexes them.
  absl::Status CommitBatch(std::vector<Prepared>& prepared, absl::Time now)
      ABSL_LOCKS_EXCLUDED(publish_mu_);

  store::Database* db_;
  SearchIndex* index_;
  // Held from a write's start until the index has it, so the index applies
  // changes in commit order.
  absl::Mutex publish_mu_;
  BasicCache basic_cache_;
};

}  // namespace onewindow::catalog
