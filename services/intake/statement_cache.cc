#include "services/intake/statement_cache.h"

namespace onewindow::intake {

StatementCache::Handle::~Handle() {
  try {
    statement_->reset();
  } catch (const std::exception&) {
    // reset() reports the last step's error again; that step already threw.
  }
}

StatementCache::Handle StatementCache::Get(SQLite::Database& db, const char* sql) {
  SQLite::Statement* statement = nullptr;
  {
    absl::MutexLock lock(&mu_);
    auto& slot = statements_[Key(&db, sql)];
    if (slot == nullptr) slot = std::make_unique<SQLite::Statement>(db, sql);
    statement = slot.get();
  }
  // Outside the lock: only the connection's holder touches it.
  statement->clearBindings();
  return Handle(statement);
}

void StatementCache::Clear() {
  absl::MutexLock lock(&mu_);
  statements_.clear();
}

}  // namespace onewindow::intake
