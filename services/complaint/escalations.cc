#include "services/complaint/escalations.h"

#include "libs/status/macros.h"
#include "services/complaint/deadlines.h"

namespace onewindow::complaint {
namespace {

constexpr int kBatch = 200;

// Marks a transition that found nothing to do, so it rolls back unwritten.
absl::Status NothingToDo() { return absl::AbortedError("not due"); }

}  // namespace

absl::StatusOr<Escalations::Result> Escalations::Sweep() {
  const absl::Time now = env_.clock->Now();
  Result result;
  while (true) {
    std::vector<std::string> ids;
    RETURN_IF_ERROR(env_.db->Read([&](store::Connection& db) {
      ids = WorkOrderStore::DueForEscalation(db, now, kBatch);
      return absl::OkStatus();
    }));
    int progressed = 0;
    for (const std::string& id : ids) {
      EscalationLevel reached = EscalationLevel::kNone;
      absl::StatusOr<StoredOrder> applied = ApplyTransition(
          env_, id, now, [&](StoredOrder& s, std::vector<Notice>& notices) -> absl::Status {
            complaint::v1::WorkOrder& o = s.order;
            reached = LevelAt(o, s.clock_start, now);
            if (static_cast<int>(reached) <= o.escalation_level()) return NothingToDo();
            o.set_escalation_level(static_cast<int>(reached));
            const bool notice = reached == EscalationLevel::kNotice;
            Record(o, now, "escalated", "system", notice ? "notice" : "reminder");
            std::string recipient;
            if (!o.assigned_department_id().empty()) {
              recipient = DepartmentRecipient(o.assigned_department_id());
            } else if (!env_.policy->dispatch_departments.empty()) {
              recipient = DepartmentRecipient(*env_.policy->dispatch_departments.begin());
            }
            std::map<std::string, std::string> params = OrderParams(o);
            params["level"] = notice ? "notice" : "reminder";
            notices.push_back({kEscalated, recipient, params, notice});
            return absl::OkStatus();
          });
      if (applied.ok()) {
        ++progressed;
        (reached == EscalationLevel::kNotice ? result.notices : result.reminders)++;
      } else if (applied.status().code() != absl::StatusCode::kAborted &&
                 applied.status().code() != absl::StatusCode::kNotFound) {
        return applied.status();
      }
    }
    // A batch that changed nothing would come back unchanged: stop.
    if (static_cast<int>(ids.size()) < kBatch || progressed == 0) break;
  }
  return result;
}

void Supervisor::RunOnce() {
  absl::StatusOr<Escalations::Result> result = escalations_->Sweep();
  if (!result.ok()) {
    logger_.Warn("supervision sweep failed", {{"error", result.status().ToString()}});
    return;
  }
  if (result->reminders + result->notices > 0) {
    logger_.Info("orders escalated",
                 {{"reminders", result->reminders}, {"notices", result->notices}});
  }
  if (on_result_) on_result_(*result);
}

}  // namespace onewindow::complaint
