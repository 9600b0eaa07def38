#pragma once

#include <memory>
#include <utility>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace onewindow::intake {

// Prepared statements kept per connection, so hot paths compile their SQL
// once instead of on every call (compiling costs more than running most of
// our statements). A statement may only be used by whoever holds its
// connection, which Database::Write/WriteGrouped/Read guarantee inside their
// callbacks; the map itself is shared and locked.
//
// `sql` is keyed by address: pass string literals (or other storage that
// lives as long as the cache). Clear() before the database closes.
class StatementCache {
 public:
  // A borrowed statement, reset again when the handle goes: a statement left
  // mid-result would keep its connection's read snapshot open.
  class Handle {
   public:
    explicit Handle(SQLite::Statement* statement) : statement_(statement) {}
    ~Handle();
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    SQLite::Statement* operator->() const { return statement_; }
    SQLite::Statement& operator*() const { return *statement_; }

   private:
    SQLite::Statement* statement_;
  };

  // The statement for `sql` on `db`, with its bindings cleared.
  Handle Get(SQLite::Database& db, const char* sql);
  void Clear();

 private:
  using Key = std::pair<const SQLite::Database*, const char*>;
  absl::Mutex mu_;
  absl::flat_hash_map<Key, std::unique_ptr<SQLite::Statement>> statements_ ABSL_GUARDED_BY(mu_);
};

}  // namespace onewindow::intake
