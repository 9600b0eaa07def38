#pragma once

#include <memory>
#include <string>
#include <utility>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "absl/container/node_hash_map.h"
#include "absl/strings/string_view.h"

namespace onewindow::store {

// One SQLite connection as store::Database hands it to a transaction's
// callback. It is a SQLite::Database, so callbacks written against SQLiteCpp
// keep working; what it adds is a cache of prepared statements, because on
// our hot paths preparing a statement costs more than running it.
//
// A connection is used by one thread at a time (Database guarantees it), so
// the cache needs no lock. Its statements are finalized with the connection,
// which Database::Close() ends.
class Connection : public SQLite::Database {
 public:
  using SQLite::Database::Database;

  // A prepared statement lent for one use: no bindings when lent, reset when
  // returned, so no read snapshot outlives the lease.
  class Statement {
   public:
    Statement(SQLite::Statement* statement, bool* leased,
              std::unique_ptr<SQLite::Statement> owned = nullptr)
        : statement_(statement), leased_(leased), owned_(std::move(owned)) {}
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    SQLite::Statement* operator->() const { return statement_; }
    SQLite::Statement& operator*() const { return *statement_; }

   private:
    SQLite::Statement* statement_;
    bool* leased_;                              // Null for an uncached statement.
    std::unique_ptr<SQLite::Statement> owned_;  // Set for an uncached statement.
  };

  // The statement for `sql`, prepared on first use and kept. Asking again
  // for the same SQL while the first lease is out (a nested use) gets a
  // freshly prepared statement rather than the one in use.
  Statement Prepare(absl::string_view sql);

 private:
  struct Cached {
    std::unique_ptr<SQLite::Statement> statement;
    bool leased = false;
  };
  // Node-based: a lent Statement points at its entry's `leased`, which must
  // not move when later statements are added.
  absl::node_hash_map<std::string, Cached> statements_;
};

}  // namespace onewindow::store
