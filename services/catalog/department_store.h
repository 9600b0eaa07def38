#pragma once

#include <optional>
#include <string>
#include <vector>

#include <SQLiteCpp/Statement.h>

#include "libs/store/connection.h"
#include "onewindow/catalog/v1/items.pb.h"

namespace onewindow::catalog {

// SQL access to the departments table; callers own the transaction.
class DepartmentStore {
 public:
  static std::optional<catalog::v1::Department> Get(store::Connection& db,
                                                    const std::string& credit_code);

  // Point lookups prepared once and reused for every row of an import
  // batch: preparing costs more than running them. Works on a read
  // connection too.
  class Reader {
   public:
    explicit Reader(store::Connection& db);
    std::optional<catalog::v1::Department> Get(const std::string& credit_code);
    bool RegionExists(const std::string& region_code);

   private:
    SQLite::Statement get_;
    SQLite::Statement region_;
  };

  // The lookups plus the write of an import batch.
  class Batch : public Reader {
   public:
    explicit Batch(store::Connection& db);
    void Upsert(const catalog::v1::Department& department);

   private:
    SQLite::Statement upsert_;
  };
};

}  // namespace onewindow::catalog
