#pragma once

#include <memory>
#include <string>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "absl/strings/string_view.h"

namespace onewindow::approval {

// Prepared statements kept per SQLite connection and reused: preparing costs
// more than running the short statements on approval's hot paths. Entries
// are keyed by the connection's handle, which SQLite keeps allocated while
// statements on it exist, so a closed connection's handle is never reused
// under a cached statement.
//
// A connection is used by one thread at a time (store::Database hands it
// out), so a lease needs no lock; the rule for callers is not to hold two
// leases of the same SQL on one connection at once.
class Statements {
 public:
  // A statement with no bindings, reset again when the lease ends.
  class Lease {
   public:
    explicit Lease(SQLite::Statement* statement) : statement_(statement) {}
    ~Lease() { statement_->tryReset(); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    SQLite::Statement* operator->() const { return statement_; }
    SQLite::Statement& operator*() const { return *statement_; }

   private:
    SQLite::Statement* statement_;
  };

  static Lease Get(SQLite::Database& db, absl::string_view sql);

  // Finalizes every cached statement: call before the store closes, after
  // the last transaction.
  static void Release();
};

}  // namespace onewindow::approval
