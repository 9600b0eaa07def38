#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "libs/store/database.h"
#include "onewindow/complaint/v1/complaint.pb.h"

namespace onewindow::complaint {

// The rule that places `order`, or nullopt (the order waits for a
// dispatcher). A rule matches when every criterion it sets matches; among
// matches the most specific wins: an exact item beats a basic item beats
// none, then a named department, then a category, then the deeper region,
// then a kind; remaining ties go to the smallest rule id, so the outcome
// never depends on storage order.
std::optional<complaint::v1::DispatchRule> MatchRule(
    const std::vector<complaint::v1::DispatchRule>& rules, const complaint::v1::WorkOrder& order);

// INVALID_ARGUMENT naming every bad field of a rule (the id excepted).
absl::Status ValidateRule(const complaint::v1::DispatchRule& rule);

// Dispatch rules, stored and cached: every new order is matched against
// them, so the hot ingest path reads memory, not SQLite. Writes go through
// this class, which keeps the cache in step. Thread-safe.
class DispatchRules {
 public:
  explicit DispatchRules(store::Database* db) : db_(db) {}

  // Reads the stored rules into the cache; call once at start.
  absl::Status Load();

  // Creates (empty rule_id) or replaces a rule.
  absl::StatusOr<complaint::v1::DispatchRule> Put(complaint::v1::DispatchRule rule);
  // NOT_FOUND for an unknown id.
  absl::Status Delete(const std::string& rule_id);
  std::vector<complaint::v1::DispatchRule> List() const;

  // The rule that places `order` (see MatchRule), if any.
  std::optional<complaint::v1::DispatchRule> Match(const complaint::v1::WorkOrder& order) const;

 private:
  store::Database* db_;
  absl::Mutex write_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  mutable absl::Mutex mu_;
  std::vector<complaint::v1::DispatchRule> rules_ ABSL_GUARDED_BY(mu_);
};

}  // namespace onewindow::complaint
