#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "onewindow/catalog/v1/items.pb.h"

namespace onewindow::catalog {

// Rules for what the catalog accepts. Every check runs and every problem is
// reported at once ("implementation.guide.materials[2].name: required;
// implementation.guide.promised_limit_days: must be <= statutory_limit_days
// (20)"), so a department fixes its entry in one round trip.

inline constexpr int kMaxNameChars = 200;
inline constexpr int kMaxWordChars = 50;
inline constexpr int kMaxWords = 50;
inline constexpr int kMaxTagChars = 50;
inline constexpr int kMaxTags = 20;
inline constexpr int kMaxTextChars = 10000;
inline constexpr int kMaxListEntries = 200;
// Implementations per import call: department staff may import, and each
// rejected entry costs a line of the answer.
inline constexpr int kMaxImportEntries = 2000;
inline constexpr int kMaxLimitDays = 365;
inline constexpr int kMaxOnSiteVisits = 5;
inline constexpr int kMaxCopies = 99;

// What validation needs to know of stored data. Implementations may cache:
// an import asks about the same departments and basic items many times.
class CatalogFacts {
 public:
  virtual ~CatalogFacts() = default;
  // nullptr when not stored. The pointer stays valid while the facts live.
  virtual const catalog::v1::Department* FindDepartment(const std::string& credit_code) = 0;
  virtual const catalog::v1::BasicItem* FindBasicItem(const std::string& basic_code) = 0;
  virtual bool RegionExists(const std::string& region_code) = 0;
};

// Problems found so far, each "field: what is wrong".
class Problems {
 public:
  // Listed in an answer at most; the rest are counted. A guide is fixed
  // from its first problems, and a crafted one could otherwise have
  // millions, each a line of a message that could not be sent.
  static constexpr size_t kMaxListed = 500;

  void Add(absl::string_view field, absl::string_view problem);
  // Listed ahead of the rest and never left out: a list over its size
  // limit (one such problem per list at most).
  void AddFirst(absl::string_view field, absl::string_view problem);
  bool empty() const { return first_.empty() && list_.empty(); }
  // OK when empty, else INVALID_ARGUMENT listing the problems.
  absl::Status ToStatus() const;

 private:
  std::vector<std::string> first_;
  std::vector<std::string> list_;
  int64_t unlisted_ = 0;
};

// Checks a department's own fields and that its region is stored. Whether
// its parent exists is the caller's to check: the parent may arrive in the
// same import.
absl::Status ValidateDepartment(const catalog::v1::Department& department, CatalogFacts& facts);

// Checks a basic item, derives its type from the code when unset, and drops
// repeated topics, life events and applicant kinds.
absl::Status NormalizeBasicItem(catalog::v1::BasicItem* item);

// Checks an implementation against the guide rules and the stored catalog,
// then fills what the server owns: basic code and department from the code
// when empty, region and department name from the department, name (when
// empty), type, topics, life events and applicant kinds from the basic item.
// Revision, state and times are left to the publisher.
absl::Status PrepareImplementation(catalog::v1::Implementation* impl, CatalogFacts& facts);

// The department an implementation code names, which decides who may
// publish or withdraw it; INVALID_ARGUMENT naming `field` when the code is
// missing or does not parse (a wrong check character, say), so that is
// what the caller hears rather than a refusal.
absl::StatusOr<std::string> ImplementingDepartment(absl::string_view field,
                                                   const std::string& implementation_code);

}  // namespace onewindow::catalog
