#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "libs/store/database.h"
#include "onewindow/complaint/v1/complaint.pb.h"

namespace onewindow::complaint {

// The categories a filer picks from (Open311's "services"), each with its
// kind and the questions (attributes) it asks. Read on every submission,
// so they are cached; writes go through this class. Thread-safe.
class Categories {
 public:
  explicit Categories(store::Database* db) : db_(db) {}

  // Stores the built-in categories when none exist yet, then loads the
  // cache. Call once at start.
  absl::Status Init();

  std::vector<complaint::v1::Category> List() const;
  // NOT_FOUND for an unknown code.
  absl::StatusOr<complaint::v1::Category> Get(const std::string& code) const;
  // Creates or replaces; INVALID_ARGUMENT naming every bad field.
  absl::StatusOr<complaint::v1::Category> Put(complaint::v1::Category category);

 private:
  store::Database* db_;
  absl::Mutex write_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  mutable absl::Mutex mu_;
  std::map<std::string, complaint::v1::Category> by_code_ ABSL_GUARDED_BY(mu_);
};

// The categories a fresh deployment starts with.
std::vector<complaint::v1::Category> DefaultCategories();

// Appends a problem per bad field of `category` to `problems`.
void CheckCategory(const complaint::v1::Category& category, std::vector<std::string>* problems);

// Appends a problem per missing required answer, unknown attribute or
// answer of the wrong type ("attributes.<code>: ...").
void CheckAnswers(const complaint::v1::Category& category,
                  const google::protobuf::Map<std::string, std::string>& answers,
                  std::vector<std::string>* problems);

}  // namespace onewindow::complaint
