#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/store/database.h"
#include "onewindow/catalog/v1/catalog.pb.h"
#include "onewindow/catalog/v1/items.pb.h"
#include "services/catalog/search_index.h"

namespace onewindow::catalog {

// Implementing bodies (实施主体), keyed by unified social credit code.
class Departments {
 public:
  // `index` learns renames so search results show the current name.
  Departments(store::Database* db, SearchIndex* index) : db_(db), index_(index) {}

  // Adds or replaces departments. Each entry is checked on its own; the
  // valid ones are written in one transaction. A parent must be stored or
  // accepted in the same batch (in any order). Stored implementations keep
  // the region they were published with until they are republished.
  absl::StatusOr<catalog::v1::ImportResponse> Import(
      std::vector<catalog::v1::Department> departments);
  absl::StatusOr<catalog::v1::Department> Get(const std::string& credit_code) const;

 private:
  store::Database* db_;
  SearchIndex* index_;
};

}  // namespace onewindow::catalog
