#include "services/approval/statements.h"

#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace onewindow::approval {
namespace {

// Per connection, statements by their SQL (looked up without copying it).
using ByText = absl::flat_hash_map<std::string, std::unique_ptr<SQLite::Statement>>;

struct Cache {
  absl::Mutex mu;
  absl::flat_hash_map<sqlite3*, ByText> map ABSL_GUARDED_BY(mu);
};

Cache& TheCache() {
  static auto* const cache = new Cache();
  return *cache;
}

}  // namespace

Statements::Lease Statements::Get(SQLite::Database& db, absl::string_view sql) {
  Cache& cache = TheCache();
  SQLite::Statement* statement = nullptr;
  {
    absl::MutexLock lock(&cache.mu);
    auto connection = cache.map.find(db.getHandle());
    if (connection != cache.map.end()) {
      auto it = connection->second.find(sql);
      if (it != connection->second.end()) statement = it->second.get();
    }
  }
  if (statement == nullptr) {
    // Prepared outside the lock; a connection is only ever prepared on by
    // the one thread using it, so nobody races to insert the same key.
    auto prepared = std::make_unique<SQLite::Statement>(db, std::string(sql));
    absl::MutexLock lock(&cache.mu);
    statement = cache.map[db.getHandle()]
                    .emplace(std::string(sql), std::move(prepared))
                    .first->second.get();
  }
  statement->clearBindings();
  return Lease(statement);
}

void Statements::Release() {
  Cache& cache = TheCache();
  absl::MutexLock lock(&cache.mu);
  cache.map.clear();
}

}  // namespace onewindow::approval
