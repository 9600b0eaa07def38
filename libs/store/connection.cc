#include "libs/store/connection.h"

namespace onewindow::store {

Connection::Statement::~Statement() {
  // reset() reports the last step's error again; that step already threw.
  statement_->tryReset();
  if (leased_ != nullptr) *leased_ = false;
}

Connection::Statement Connection::Prepare(absl::string_view sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    // Prepared before it is stored: SQL that does not compile leaves nothing.
    Cached cached;
    cached.statement = std::make_unique<SQLite::Statement>(*this, std::string(sql));
    it = statements_.emplace(std::string(sql), std::move(cached)).first;
  } else if (it->second.leased) {
    auto fresh = std::make_unique<SQLite::Statement>(*this, std::string(sql));
    SQLite::Statement* raw = fresh.get();
    return Statement(raw, nullptr, std::move(fresh));
  }
  it->second.leased = true;
  it->second.statement->clearBindings();
  return Statement(it->second.statement.get(), &it->second.leased);
}

}  // namespace onewindow::store
