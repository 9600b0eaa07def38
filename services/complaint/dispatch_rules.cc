#include "services/complaint/dispatch_rules.h"

#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <tuple>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/auth/random.h"
#include "libs/codes/credit_code.h"
#include "libs/codes/item_code.h"
#include "libs/codes/region_code.h"
#include "libs/status/macros.h"
#include "services/complaint/region_scope.h"

namespace onewindow::complaint {
namespace {

using complaint::v1::DispatchRule;
using complaint::v1::WorkOrder;

// Higher is more specific; compared as a tuple.
using Specificity = std::tuple<int, int, int, int, int>;

std::optional<Specificity> Matches(const DispatchRule& rule, const WorkOrder& order) {
  int item = 0;
  if (!rule.item_code().empty()) {
    const std::string& code = order.implementation_code();
    if (code == rule.item_code()) {
      item = 2;
    } else if (absl::StartsWith(code, absl::StrCat(rule.item_code(), "-"))) {
      item = 1;  // A basic code covers all its implementations.
    } else {
      return std::nullopt;
    }
  }
  if (!rule.department_id().empty() && rule.department_id() != order.department_id()) {
    return std::nullopt;
  }
  if (!rule.category_code().empty() && rule.category_code() != order.category_code()) {
    return std::nullopt;
  }
  int region_depth = 0;
  if (!rule.region_code().empty()) {
    if (!InSubtree(order.location().region_code(), rule.region_code())) return std::nullopt;
    region_depth = static_cast<int>(SubtreePrefix(rule.region_code()).size());
  }
  if (rule.kind() != complaint::v1::TICKET_KIND_UNSPECIFIED && rule.kind() != order.kind()) {
    return std::nullopt;
  }
  return Specificity{item, rule.department_id().empty() ? 0 : 1,
                     rule.category_code().empty() ? 0 : 1, region_depth,
                     rule.kind() == complaint::v1::TICKET_KIND_UNSPECIFIED ? 0 : 1};
}

DispatchRule ParseRule(const SQLite::Column& body) {
  DispatchRule rule;
  if (!rule.ParseFromArray(body.getBlob(), body.getBytes())) {
    throw std::runtime_error("dispatch rule body does not parse");
  }
  return rule;
}

}  // namespace

std::optional<DispatchRule> MatchRule(const std::vector<DispatchRule>& rules,
                                      const WorkOrder& order) {
  const DispatchRule* best = nullptr;
  Specificity best_score;
  for (const DispatchRule& rule : rules) {
    std::optional<Specificity> score = Matches(rule, order);
    if (!score.has_value()) continue;
    if (best == nullptr || *score > best_score ||
        (*score == best_score && rule.rule_id() < best->rule_id())) {
      best = &rule;
      best_score = *score;
    }
  }
  if (best == nullptr) return std::nullopt;
  return *best;
}

absl::Status ValidateRule(const DispatchRule& rule) {
  std::vector<std::string> problems;
  if (rule.target_department_id().empty()) {
    problems.push_back("target_department_id: required");
  } else if (!codes::ValidateCreditCode(rule.target_department_id()).ok()) {
    problems.push_back("target_department_id: not a unified social credit code");
  }
  if (rule.item_code().empty() && rule.department_id().empty() && rule.category_code().empty() &&
      rule.region_code().empty() && rule.kind() == complaint::v1::TICKET_KIND_UNSPECIFIED) {
    problems.push_back(
        "rule: set at least one of item_code, department_id, category_code, region_code, kind");
  }
  if (!rule.item_code().empty() && !codes::ValidateImplementationCode(rule.item_code()).ok() &&
      !codes::ValidateBasicCode(rule.item_code()).ok()) {
    problems.push_back("item_code: neither an implementation code nor a basic code");
  }
  if (!rule.department_id().empty() && !codes::ValidateCreditCode(rule.department_id()).ok()) {
    problems.push_back("department_id: not a unified social credit code");
  }
  if (!rule.region_code().empty() && !codes::ValidateRegionCode(rule.region_code()).ok()) {
    problems.push_back("region_code: not a 12-digit division code");
  }
  if (!complaint::v1::TicketKind_IsValid(rule.kind())) problems.push_back("kind: unknown");
  if (rule.note().size() > 1000) problems.push_back("note: longer than 1000 bytes");
  if (!problems.empty()) return absl::InvalidArgumentError(absl::StrJoin(problems, "; "));
  return absl::OkStatus();
}

absl::Status DispatchRules::Load() {
  std::vector<DispatchRule> loaded;
  RETURN_IF_ERROR(db_->Read([&](store::Connection& db) {
    SQLite::Statement q(db, "SELECT body FROM dispatch_rules ORDER BY rule_id");
    while (q.executeStep()) loaded.push_back(ParseRule(q.getColumn(0)));
    return absl::OkStatus();
  }));
  absl::MutexLock lock(&mu_);
  rules_ = std::move(loaded);
  return absl::OkStatus();
}

absl::StatusOr<DispatchRule> DispatchRules::Put(DispatchRule rule) {
  RETURN_IF_ERROR(ValidateRule(rule));
  if (rule.rule_id().empty()) rule.set_rule_id(absl::StrCat("dr_", auth::RandomHex(8)));
  // Writers take turns so the cache follows the table in the same order;
  // mu_ itself is never held across a database call, because new orders
  // read the cache inside their write transaction.
  absl::MutexLock writing(&write_mu_);
  RETURN_IF_ERROR(db_->Write([&](store::Connection& db) {
    SQLite::Statement upsert(db,
                             "INSERT INTO dispatch_rules (rule_id, body) VALUES (?, ?)"
                             " ON CONFLICT (rule_id) DO UPDATE SET body = excluded.body");
    const std::string body = rule.SerializeAsString();
    upsert.bind(1, rule.rule_id());
    upsert.bind(2, body.data(), static_cast<int>(body.size()));
    upsert.exec();
    return absl::OkStatus();
  }));
  absl::MutexLock lock(&mu_);
  auto it = std::find_if(rules_.begin(), rules_.end(),
                         [&](const DispatchRule& r) { return r.rule_id() == rule.rule_id(); });
  if (it == rules_.end()) {
    rules_.push_back(rule);
  } else {
    *it = rule;
  }
  return rule;
}

absl::Status DispatchRules::Delete(const std::string& rule_id) {
  absl::MutexLock writing(&write_mu_);
  int deleted = 0;
  RETURN_IF_ERROR(db_->Write([&](store::Connection& db) {
    SQLite::Statement del(db, "DELETE FROM dispatch_rules WHERE rule_id = ?");
    del.bind(1, rule_id);
    deleted = del.exec();
    return absl::OkStatus();
  }));
  if (deleted == 0)
    return absl::NotFoundError(absl::StrCat("dispatch rule ", rule_id, " not found"));
  absl::MutexLock lock(&mu_);
  rules_.erase(std::remove_if(rules_.begin(), rules_.end(),
                              [&](const DispatchRule& r) { return r.rule_id() == rule_id; }),
               rules_.end());
  return absl::OkStatus();
}

std::vector<DispatchRule> DispatchRules::List() const {
  absl::MutexLock lock(&mu_);
  std::vector<DispatchRule> out = rules_;
  std::sort(out.begin(), out.end(),
            [](const DispatchRule& a, const DispatchRule& b) { return a.rule_id() < b.rule_id(); });
  return out;
}

std::optional<DispatchRule> DispatchRules::Match(const WorkOrder& order) const {
  absl::MutexLock lock(&mu_);
  return MatchRule(rules_, order);
}

}  // namespace onewindow::complaint
