#include "tools/ow_dept/render.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "libs/store/times.h"
#include "libs/workday/deadline.h"
#include "tools/ow_dept/table.h"

namespace onewindow::ow_dept {
namespace {

std::string When(const google::protobuf::Timestamp& ts, bool has) {
  if (!has) return "-";
  return absl::FormatTime("%Y-%m-%d %H:%M", store::FromProtoTime(ts), workday::ChinaStandardTime());
}

std::string MarkName(approval::v1::Mark mark) {
  switch (mark) {
    case approval::v1::YELLOW:
      return "yellow";
    case approval::v1::RED:
      return "RED";
    default:
      return "green";
  }
}

std::string TaskState(const approval::v1::Task& t) {
  switch (t.state()) {
    case approval::v1::TASK_OPEN:
      return "open";
    case approval::v1::TASK_SUSPENDED:
      return "suspended";
    case approval::v1::TASK_DONE:
      return t.outcome() == approval::v1::TASK_APPROVED ? "approved" : "rejected";
    case approval::v1::TASK_CANCELLED:
      return "cancelled";
    default:
      return "?";
  }
}

std::string CaseState(approval::v1::CaseState state) {
  std::string name = approval::v1::CaseState_Name(state);
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

std::string Stage(const approval::v1::Task& t) {
  if (t.countersign() == catalog::v1::ALL_OF) return absl::StrCat(t.stage_name(), " (all of)");
  if (t.countersign() == catalog::v1::ANY_OF) return absl::StrCat(t.stage_name(), " (any of)");
  return t.stage_name();
}

}  // namespace

void PrintQueue(const approval::v1::ListQueueResponse& queue, std::ostream& out) {
  if (queue.tasks().empty()) {
    out << "queue empty\n";
    return;
  }
  Table table({"TASK", "CASE", "NUMBER", "ITEM", "STAGE", "DUE (CST)", "MARK", "STATE", "CLAIMED"});
  for (const auto& t : queue.tasks()) {
    table.Add({t.task_id(), t.case_id(), t.application_number(), t.item_name(), Stage(t),
               When(t.due_time(), t.has_due_time()), MarkName(t.mark()), TaskState(t),
               t.claimed_by().empty() ? "-" : t.claimed_by()});
  }
  table.Print(out);
  if (!queue.next_page_token().empty()) {
    out << "more: --page_token=" << queue.next_page_token() << "\n";
  }
}

void PrintTask(const approval::v1::Task& t, std::ostream& out) {
  out << "task     " << t.task_id() << " (" << TaskState(t) << ")\n"
      << "case     " << t.case_id() << "  " << t.application_number() << "\n"
      << "stage    " << Stage(t) << "  department " << t.department_id() << "\n"
      << "due      " << When(t.due_time(), t.has_due_time()) << " CST  " << MarkName(t.mark())
      << "\n";
  if (!t.claimed_by().empty()) out << "claimed  " << t.claimed_by() << "\n";
  if (!t.decided_by().empty()) {
    out << "decided  " << t.decided_by() << " at " << When(t.decide_time(), t.has_decide_time())
        << (t.reason().empty() ? "" : absl::StrCat(": ", t.reason())) << "\n";
  }
}

void PrintCase(const approval::v1::Case& c, std::ostream& out) {
  out << "case      " << c.case_id() << " (" << CaseState(c.state()) << ")\n"
      << "number    " << c.application_number() << "  application " << c.application_id() << "\n"
      << "item      " << c.item_name() << "  " << c.implementation_code() << " r"
      << c.catalog_revision() << "\n"
      << "owner     " << c.department_id() << "  region " << c.region_code() << "\n"
      << "stage     " << c.stage_name() << "\n"
      << "limit     " << c.time_limit_days() << " working day(s) from "
      << When(c.start_time(), c.has_start_time()) << ", due "
      << When(c.due_time(), c.has_due_time()) << " CST  " << MarkName(c.mark()) << "\n";
  if (c.has_close_time()) {
    out << "closed    " << When(c.close_time(), true) << "  " << c.used_working_days()
        << " working day(s) used\n";
  }
  if (!c.reason().empty()) out << "reason    " << c.reason() << "\n";
  if (!c.licence_number().empty()) out << "licence   " << c.licence_number() << "\n";
  for (const auto& s : c.supplement()) {
    out << "awaiting  " << s.material_name() << ": " << s.reason() << "\n";
  }
}

void PrintDetail(const approval::v1::CaseDetail& detail, std::ostream& out) {
  PrintCase(detail.case_(), out);
  out << "\nmaterials\n";
  Table materials({"ID", "NAME", "REQUIRED"});
  for (const auto& m : detail.materials()) {
    materials.Add({m.material_id(), m.name(), m.required() ? "yes" : "no"});
  }
  materials.Print(out);
  out << "\ntasks\n";
  Table tasks({"TASK", "STAGE", "DEPARTMENT", "STATE", "DUE (CST)", "BY"});
  for (const auto& t : detail.tasks()) {
    tasks.Add({t.task_id(), Stage(t), t.department_id(), TaskState(t),
               When(t.due_time(), t.has_due_time()),
               t.decided_by().empty() ? t.claimed_by() : t.decided_by()});
  }
  tasks.Print(out);
  out << "\nhistory\n";
  PrintAudit(detail.history(), out);
}

void PrintDecision(const approval::v1::DecisionResponse& decision, std::ostream& out) {
  PrintTask(decision.task(), out);
  out << "case now " << CaseState(decision.case_().state()) << ", stage "
      << decision.case_().stage_name() << "\n";
}

void PrintAudit(const google::protobuf::RepeatedPtrField<approval::v1::AuditEntry>& entries,
                std::ostream& out) {
  Table table({"#", "TIME (CST)", "WHO", "DEPARTMENT", "WHAT", "STAGE", "DETAIL"});
  for (const auto& e : entries) {
    table.Add({absl::StrCat(e.sequence()), When(e.time(), true),
               e.actor_name().empty() ? e.actor() : e.actor_name(), e.actor_department_id(),
               e.action(), e.stage_name(), e.detail()});
  }
  table.Print(out);
}

}  // namespace onewindow::ow_dept
