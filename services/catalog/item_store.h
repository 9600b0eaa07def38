#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <SQLiteCpp/Statement.h>

#include "absl/functional/function_ref.h"
#include "libs/store/connection.h"
#include "onewindow/catalog/v1/items.pb.h"
#include "services/catalog/search_index.h"

namespace onewindow::catalog {

// The current state of one implementation (items_current).
struct CurrentItem {
  int64_t id = 0;
  int64_t revision = 0;
  catalog::v1::ImplementationState state = catalog::v1::IMPLEMENTATION_STATE_UNSPECIFIED;
  std::optional<int64_t> withdrawn_at;  // stored time (micros)
  std::string withdraw_reason;
};

// SQL access to basic items, implementations and their revisions; callers
// own the transaction.
class ItemStore {
 public:
  static std::optional<catalog::v1::BasicItem> GetBasic(store::Connection& db,
                                                        const std::string& basic_code);
  static std::optional<CurrentItem> GetCurrent(store::Connection& db, const std::string& code);
  // Revision `revision` of the item with id `item_id` as stored: published
  // content with state PUBLISHED; the caller overlays a later withdrawal.
  static std::optional<catalog::v1::Implementation> GetRevision(store::Connection& db,
                                                                int64_t item_id, int64_t revision);
  // The name a department's items are listed and searched under, after
  // the department was renamed (the revisions keep the name they were
  // published with).
  static void RenameDepartment(store::Connection& db, const std::string& credit_code,
                               const std::string& name);
  static void MarkWithdrawn(store::Connection& db, int64_t id, int64_t withdrawn_at,
                            const std::string& reason);
  // What the search index needs of every published implementation, in id
  // order, read from the compact current table (no guide is parsed). The
  // entry's views last until `fn` returns.
  static void ForEachPublished(store::Connection& db,
                               absl::FunctionRef<void(const IndexEntry&)> fn);

  // Basic item lookups prepared once for a whole batch; works on a read
  // connection.
  class BasicReader {
   public:
    explicit BasicReader(store::Connection& db);
    std::optional<catalog::v1::BasicItem> Get(const std::string& basic_code);

   private:
    SQLite::Statement get_;
  };

  struct Published {
    int64_t id;
    int64_t revision;
  };

  // Statements prepared once per write transaction and reused for every
  // row of an import batch.
  class Batch {
   public:
    explicit Batch(store::Connection& db);
    void UpsertBasic(const catalog::v1::BasicItem& item);
    // Stores `impl` as the item's next revision: one statement numbers the
    // revision and updates the current row (one index descent), then the
    // body goes in. `lists` are impl's lists joined; `body` is `impl`
    // serialized without its revision, which is appended here once known.
    Published Publish(const catalog::v1::Implementation& impl, const JoinedLists& lists,
                      const std::string& body, int64_t published_at);

   private:
    SQLite::Statement upsert_basic_;
    SQLite::Statement upsert_current_;
    SQLite::Statement insert_revision_;
    std::string scratch_;
  };
};

}  // namespace onewindow::catalog
