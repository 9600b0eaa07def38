#include "services/catalog/departments.h"

#include <algorithm>
#include <deque>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "libs/codes/credit_code.h"
#include "libs/status/macros.h"
#include "services/catalog/department_store.h"
#include "services/catalog/item_store.h"
#include "services/catalog/validation.h"

namespace onewindow::catalog {
namespace {

class DepartmentFacts final : public CatalogFacts {
 public:
  explicit DepartmentFacts(DepartmentStore::Batch* batch) : batch_(batch) {}
  const catalog::v1::Department* FindDepartment(const std::string&) override { return nullptr; }
  const catalog::v1::BasicItem* FindBasicItem(const std::string&) override { return nullptr; }
  bool RegionExists(const std::string& region_code) override {
    auto [it, fresh] = regions_.try_emplace(region_code, false);
    if (fresh) it->second = batch_->RegionExists(region_code);
    return it->second;
  }

 private:
  DepartmentStore::Batch* batch_;
  absl::flat_hash_map<std::string, bool> regions_;
};

void Reject(catalog::v1::ImportResponse* response, int index, const std::string& key,
            absl::string_view reason) {
  catalog::v1::ImportRejection* r = response->add_rejected();
  r->set_index(index);
  r->set_key(key);
  r->set_reason(std::string(reason));
}

}  // namespace

absl::StatusOr<catalog::v1::ImportResponse> Departments::Import(
    std::vector<catalog::v1::Department> departments) {
  catalog::v1::ImportResponse response;
  std::vector<int> accepted;
  RETURN_IF_ERROR(db_->Write([&](store::Connection& db) -> absl::Status {
    response.Clear();
    accepted.clear();
    DepartmentStore::Batch batch(db);
    DepartmentFacts facts(&batch);
    std::vector<int> pending;
    for (size_t i = 0; i < departments.size(); ++i) {
      absl::Status s = ValidateDepartment(departments[i], facts);
      if (!s.ok()) {
        Reject(&response, static_cast<int>(i), departments[i].credit_code(), s.message());
      } else {
        pending.push_back(static_cast<int>(i));
      }
    }
    // A parent listed after its child still counts: a department whose
    // parent is neither stored nor accepted yet waits for it, and goes in
    // once it is. Each department is taken up once and each parent looked
    // up once, so a long chain listed child first costs no more than one
    // listed parent first (accepting in rounds made it quadratic).
    absl::flat_hash_map<std::string, std::vector<int>> waiting;  // By parent.
    std::deque<int> ready;
    for (int i : pending) {
      const std::string& parent = departments[i].parent_credit_code();
      if (parent.empty()) {
        ready.push_back(i);
      } else {
        waiting[parent].push_back(i);
      }
    }
    // Parents stored before this import release their children at once.
    for (auto it = waiting.begin(); it != waiting.end();) {
      if (batch.Get(it->first).has_value()) {
        ready.insert(ready.end(), it->second.begin(), it->second.end());
        waiting.erase(it++);
      } else {
        ++it;
      }
    }
    std::sort(ready.begin(), ready.end());
    while (!ready.empty()) {
      const int i = ready.front();
      ready.pop_front();
      const catalog::v1::Department& d = departments[i];
      batch.Upsert(d);
      // In the same write, so a restart's index lists the items under the
      // name search showed (RenameDepartment below) before it.
      ItemStore::RenameDepartment(db, d.credit_code(), d.name());
      accepted.push_back(i);
      if (auto children = waiting.find(d.credit_code()); children != waiting.end()) {
        ready.insert(ready.end(), children->second.begin(), children->second.end());
        waiting.erase(children);
      }
    }
    // Whatever still waits has a missing parent (or a cycle).
    pending.clear();
    for (const auto& [parent, children] : waiting) {
      pending.insert(pending.end(), children.begin(), children.end());
    }
    for (int i : pending) {
      Reject(&response, i, departments[i].credit_code(),
             absl::StrCat("department.parent_credit_code: department ",
                          departments[i].parent_credit_code(),
                          " is neither stored nor accepted in this import"));
    }
    return absl::OkStatus();
  }));
  std::sort(response.mutable_rejected()->begin(), response.mutable_rejected()->end(),
            [](const auto& a, const auto& b) { return a.index() < b.index(); });
  response.set_accepted(static_cast<int>(accepted.size()));
  for (int i : accepted)
    index_->RenameDepartment(departments[i].credit_code(), departments[i].name());
  return response;
}

absl::StatusOr<catalog::v1::Department> Departments::Get(const std::string& credit_code) const {
  if (absl::Status s = codes::ValidateCreditCode(credit_code); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("credit_code: ", s.message()));
  }
  std::optional<catalog::v1::Department> department;
  RETURN_IF_ERROR(db_->Read([&](store::Connection& db) {
    department = DepartmentStore::Get(db, credit_code);
    return absl::OkStatus();
  }));
  if (!department.has_value()) {
    return absl::NotFoundError(absl::StrCat("department ", credit_code, " not found"));
  }
  return *std::move(department);
}

}  // namespace onewindow::catalog
