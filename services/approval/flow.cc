#include "services/approval/flow.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "libs/auth/random.h"
#include "libs/status/macros.h"
#include "libs/store/times.h"
#include "libs/workday/deadline.h"

namespace onewindow::approval {
namespace {

using approval::v1::Task;

bool Live(const Task& t) {
  return t.state() == approval::v1::TASK_OPEN || t.state() == approval::v1::TASK_SUSPENDED;
}

const char* ModeName(catalog::v1::CountersignMode mode) {
  return mode == catalog::v1::ANY_OF ? "any of" : "all of";
}

std::string FormatCst(const google::protobuf::Timestamp& ts) {
  return absl::FormatTime("%Y-%m-%d %H:%M CST", store::FromProtoTime(ts),
                          workday::ChinaStandardTime());
}

std::string DueText(const approval::v1::Case& c) {
  return c.has_due_time() ? absl::StrCat("due ", FormatCst(c.due_time())) : "clock stopped";
}

}  // namespace

std::string AppealText() {
  return "如不服本决定，可自收到决定之日起六十日内依法申请行政复议，或者六个月内依法向人民法院"
         "提起行政诉讼。 If you disagree, you may apply for administrative reconsideration "
         "within 60 days of receiving this decision, or bring an administrative lawsuit within "
         "6 months.";
}

int Flow::LastStage(const catalog::v1::Implementation& process) {
  if (process.guide().handling() == catalog::v1::INSTANT) return 0;
  return process.guide().stages_size() - 1;
}

std::vector<std::string> Flow::StageDepartments(const catalog::v1::Stage& stage,
                                                const std::string& case_department) {
  if (stage.countersign() != catalog::v1::COUNTERSIGN_MODE_UNSPECIFIED &&
      !stage.countersign_departments().empty()) {
    return {stage.countersign_departments().begin(), stage.countersign_departments().end()};
  }
  return {stage.department_credit_code().empty() ? case_department
                                                 : stage.department_credit_code()};
}

absl::Status Flow::StartStage(store::Connection& tx, CaseRecord& c,
                              const catalog::v1::Implementation& process, int index,
                              const Actor& actor, absl::Time now) const {
  if (index < 0 || index >= process.guide().stages_size()) {
    return absl::InternalError(absl::StrCat("stage ", index, " outside the process"));
  }
  const catalog::v1::Stage& stage = process.guide().stages(index);
  c.c.set_stage_index(index);
  c.c.set_stage_name(stage.name());
  const std::vector<std::string> departments = StageDepartments(stage, c.c.department_id());
  const bool countersign = stage.countersign() != catalog::v1::COUNTERSIGN_MODE_UNSPECIFIED &&
                           !stage.countersign_departments().empty();
  ASSIGN_OR_RETURN(const workday::TimeLimit limit, deadlines_->Fresh(now, stage.time_limit_days()));
  for (const std::string& department : departments) {
    TaskRecord task;
    Task& t = task.t;
    task.seq = ++c.task_seq;
    t.set_task_id(TaskId(c.c.case_id(), task.seq));
    t.set_case_id(c.c.case_id());
    t.set_application_id(c.c.application_id());
    t.set_application_number(c.c.application_number());
    t.set_implementation_code(c.c.implementation_code());
    t.set_item_name(c.c.item_name());
    t.set_stage_index(index);
    t.set_stage_id(stage.stage_id());
    t.set_stage_name(stage.name());
    t.set_countersign(countersign ? stage.countersign()
                                  : catalog::v1::COUNTERSIGN_MODE_UNSPECIFIED);
    t.set_department_id(department);
    t.set_state(approval::v1::TASK_OPEN);
    *t.mutable_create_time() = store::ToProtoTime(now);
    t.set_time_limit_days(stage.time_limit_days());
    *t.mutable_due_time() = store::ToProtoTime(limit.Due());
    task.yellow_time = limit.YellowAt();
    t.set_mark(approval::v1::GREEN);
    case_store::InsertTask(tx, task);
  }
  std::string detail = countersign ? absl::StrCat("countersign (", ModeName(stage.countersign()),
                                                  "): ", absl::StrJoin(departments, ", "))
                                   : absl::StrCat("to ", departments.front());
  absl::StrAppend(&detail, "; ", stage.time_limit_days(), " working day(s)");
  Journal::Record(tx, c, actor, "stage.started", "", stage.name(), detail, now);
  return absl::OkStatus();
}

absl::Status Flow::Approve(store::Connection& tx, CaseRecord& c,
                           const catalog::v1::Implementation& process, TaskRecord& task,
                           const Actor& actor, const std::string& comment,
                           const std::string& request_id, absl::Time now) const {
  Task& t = task.t;
  t.set_state(approval::v1::TASK_DONE);
  t.set_outcome(approval::v1::TASK_APPROVED);
  t.set_decided_by(actor.subject);
  *t.mutable_decide_time() = store::ToProtoTime(now);
  t.set_reason(comment);
  task.request_id = request_id;
  case_store::UpdateTask(tx, task);
  Journal::Record(tx, c, actor, "task.approved", t.task_id(), t.stage_name(), comment, now);

  if (t.countersign() != catalog::v1::COUNTERSIGN_MODE_UNSPECIFIED) {
    bool others_live = false;
    for (const TaskRecord& other : case_store::TasksOfCase(tx, c.c.case_id())) {
      if (other.t.stage_index() == t.stage_index() && other.t.task_id() != t.task_id() &&
          Live(other.t)) {
        others_live = true;
      }
    }
    if (others_live && t.countersign() == catalog::v1::ALL_OF) {
      case_store::UpdateCase(tx, c);
      return absl::OkStatus();
    }
    if (others_live) {
      CancelLive(tx, c, t.task_id(), actor, "another signer approved", now);
    }
  }
  return CompleteStage(tx, c, process, actor, now);
}

absl::Status Flow::CompleteStage(store::Connection& tx, CaseRecord& c,
                                 const catalog::v1::Implementation& process, const Actor& actor,
                                 absl::Time now) const {
  const int finished = c.c.stage_index();
  if (finished >= LastStage(process)) return ApproveCase(tx, c, process, actor, now);
  const std::string finished_name = c.c.stage_name();
  RETURN_IF_ERROR(StartStage(tx, c, process, finished + 1, actor, now));
  const int64_t seq = c.audit_seq;
  case_store::UpdateCase(tx, c);
  intake::v1::RecordTransitionRequest transition;
  transition.set_status(intake::v1::IN_REVIEW);
  transition.set_reason(absl::StrCat(finished_name, " completed; now at ", c.c.stage_name()));
  return Journal::ToIntake(tx, c, seq, actor, std::move(transition), now);
}

absl::Status Flow::Close(store::Connection& tx, CaseRecord& c, approval::v1::CaseState state,
                         absl::Time now) const {
  const std::vector<workday::PauseWindow> pauses = case_store::Pauses(tx, c.c.case_id());
  ASSIGN_OR_RETURN(const double used, deadlines_->UsedDays(c, pauses, now));
  c.c.set_state(state);
  *c.c.mutable_close_time() = store::ToProtoTime(now);
  c.c.set_used_working_days(used);
  c.c.clear_supplement();
  // Closed cases never warn again.
  c.yellow_time = absl::InfiniteFuture();
  return absl::OkStatus();
}

absl::Status Flow::ApproveCase(store::Connection& tx, CaseRecord& c,
                               const catalog::v1::Implementation& process, const Actor& actor,
                               absl::Time now) const {
  RETURN_IF_ERROR(Close(tx, c, approval::v1::APPROVED, now));
  const int64_t approved_seq =
      Journal::Record(tx, c, actor, "case.approved", "", c.c.stage_name(), DueText(c.c), now);

  // The result: a licence recorded in the holder's wallet by intake.
  const catalog::v1::Guide& guide = process.guide();
  intake::v1::Licence licence;
  licence.set_licence_id(absl::StrCat("lic_", auth::RandomHex(12)));
  licence.set_licence_type(!guide.result_licence_type().empty() ? guide.result_licence_type()
                           : !guide.result_name().empty()       ? guide.result_name()
                                                                : process.name());
  licence.set_title(process.name());
  const int64_t serial = case_store::NextLicenceSeq(tx);
  const std::string prefix =
      process.basic_code().empty() ? std::string("OW") : process.basic_code();
  licence.set_number(absl::StrFormat("%s-%d-%08d", prefix, workday::ChinaDay(now).year(), serial));
  licence.set_holder_id(c.c.applicant_id());
  licence.set_issuer_department_id(c.c.department_id());
  *licence.mutable_issue_time() = store::ToProtoTime(now);
  case_store::InsertLicence(tx, serial, c.c.case_id(), licence.licence_id(), licence.number(), now);
  c.c.set_licence_id(licence.licence_id());
  c.c.set_licence_number(licence.number());
  const int64_t issued_seq =
      Journal::Record(tx, c, actor, "licence.issued", "", c.c.stage_name(),
                      absl::StrCat(licence.licence_type(), " ", licence.number()), now);
  case_store::UpdateCase(tx, c);

  intake::v1::RecordTransitionRequest approved;
  approved.set_status(intake::v1::APPROVED);
  RETURN_IF_ERROR(Journal::ToIntake(tx, c, approved_seq, actor, std::move(approved), now));
  intake::v1::RecordTransitionRequest issued;
  issued.set_status(intake::v1::RESULT_ISSUED);
  *issued.mutable_result() = std::move(licence);
  return Journal::ToIntake(tx, c, issued_seq, actor, std::move(issued), now);
}

absl::Status Flow::Reject(store::Connection& tx, CaseRecord& c, TaskRecord& task,
                          const Actor& actor, const std::string& reason,
                          const std::string& request_id, absl::Time now) const {
  Task& t = task.t;
  t.set_state(approval::v1::TASK_DONE);
  t.set_outcome(approval::v1::TASK_REJECTED);
  t.set_decided_by(actor.subject);
  *t.mutable_decide_time() = store::ToProtoTime(now);
  t.set_reason(reason);
  task.request_id = request_id;
  case_store::UpdateTask(tx, task);
  Journal::Record(tx, c, actor, "task.rejected", t.task_id(), t.stage_name(), reason, now);

  if (t.countersign() == catalog::v1::ANY_OF) {
    for (const TaskRecord& other : case_store::TasksOfCase(tx, c.c.case_id())) {
      if (other.t.stage_index() == t.stage_index() && Live(other.t)) {
        // Another signer may still approve.
        case_store::UpdateCase(tx, c);
        return absl::OkStatus();
      }
    }
  }
  return RejectCase(tx, c, actor, reason, now);
}

absl::Status Flow::RejectCase(store::Connection& tx, CaseRecord& c, const Actor& actor,
                              const std::string& reason, absl::Time now) const {
  CancelLive(tx, c, "", actor, "the case was rejected", now);
  RETURN_IF_ERROR(Close(tx, c, approval::v1::REJECTED, now));
  c.c.set_reason(reason);
  const int64_t seq =
      Journal::Record(tx, c, actor, "case.rejected", "", c.c.stage_name(), reason, now);
  case_store::UpdateCase(tx, c);
  intake::v1::RecordTransitionRequest transition;
  transition.set_status(intake::v1::REJECTED);
  transition.set_reason(reason);
  transition.set_appeal(AppealText());
  return Journal::ToIntake(tx, c, seq, actor, std::move(transition), now);
}

void Flow::CancelLive(store::Connection& tx, CaseRecord& c, const std::string& except_task_id,
                      const Actor& actor, const std::string& why, absl::Time now) const {
  for (TaskRecord& other : case_store::TasksOfCase(tx, c.c.case_id())) {
    if (other.t.task_id() == except_task_id || !Live(other.t)) continue;
    other.t.set_state(approval::v1::TASK_CANCELLED);
    other.yellow_time = absl::InfiniteFuture();
    case_store::UpdateTask(tx, other);
    Journal::Record(tx, c, actor, "task.cancelled", other.t.task_id(), other.t.stage_name(), why,
                    now);
  }
}

absl::Status Flow::Suspend(store::Connection& tx, CaseRecord& c, const TaskRecord& task,
                           const std::vector<approval::v1::SupplementItem>& materials,
                           const Actor& actor, absl::Time now) const {
  case_store::InsertPause(tx, c.c.case_id(), now);
  const std::vector<workday::PauseWindow> pauses = case_store::Pauses(tx, c.c.case_id());
  for (TaskRecord& t : case_store::TasksOfCase(tx, c.c.case_id())) {
    if (t.t.state() != approval::v1::TASK_OPEN) continue;
    t.t.set_state(approval::v1::TASK_SUSPENDED);
    RETURN_IF_ERROR(deadlines_->RefreshTask(t, pauses));
    case_store::UpdateTask(tx, t);
  }
  c.c.set_state(approval::v1::SUSPENDED);
  c.c.clear_supplement();
  std::vector<std::string> lines;
  for (const approval::v1::SupplementItem& m : materials) {
    *c.c.add_supplement() = m;
    lines.push_back(absl::StrCat(m.material_name(), ": ", m.reason()));
  }
  RETURN_IF_ERROR(deadlines_->RefreshCase(c, pauses));
  const int64_t seq = Journal::Record(tx, c, actor, "case.suspended", task.t.task_id(),
                                      task.t.stage_name(), absl::StrJoin(lines, "; "), now);
  case_store::UpdateCase(tx, c);
  intake::v1::RecordTransitionRequest transition;
  transition.set_status(intake::v1::SUPPLEMENT_NEEDED);
  transition.set_reason("materials are missing or defective; the clock stops until they arrive");
  for (const approval::v1::SupplementItem& m : materials) {
    intake::v1::SupplementItem* item = transition.add_supplement();
    item->set_material_name(m.material_name());
    item->set_reason(m.reason());
  }
  return Journal::ToIntake(tx, c, seq, actor, std::move(transition), now);
}

absl::Status Flow::Resume(store::Connection& tx, CaseRecord& c,
                          const std::vector<std::string>& supplied, const Actor& actor,
                          absl::Time now) const {
  case_store::ClosePause(tx, c.c.case_id(), now);
  const std::vector<workday::PauseWindow> pauses = case_store::Pauses(tx, c.c.case_id());
  for (TaskRecord& t : case_store::TasksOfCase(tx, c.c.case_id())) {
    if (t.t.state() != approval::v1::TASK_SUSPENDED) continue;
    t.t.set_state(approval::v1::TASK_OPEN);
    RETURN_IF_ERROR(deadlines_->RefreshTask(t, pauses));
    case_store::UpdateTask(tx, t);
  }
  c.c.set_state(approval::v1::OPEN);
  c.c.clear_supplement();
  RETURN_IF_ERROR(deadlines_->RefreshCase(c, pauses));
  const int64_t seq = Journal::Record(
      tx, c, actor, "case.resumed", "", c.c.stage_name(),
      absl::StrCat("supplied: ", absl::StrJoin(supplied, ", "), "; ", DueText(c.c)), now);
  case_store::UpdateCase(tx, c);
  intake::v1::RecordTransitionRequest transition;
  transition.set_status(intake::v1::IN_REVIEW);
  transition.set_reason("materials received; review continues and the clock runs again");
  return Journal::ToIntake(tx, c, seq, actor, std::move(transition), now);
}

absl::Status Flow::Transfer(store::Connection& tx, CaseRecord& c, TaskRecord& task,
                            const std::string& to_department, const std::string& reason,
                            const Actor& actor, absl::Time now) const {
  const std::string from = task.t.department_id();
  task.t.set_department_id(to_department);
  task.t.set_claimed_by("");
  case_store::UpdateTask(tx, task);
  const int64_t seq =
      Journal::Record(tx, c, actor, "task.transferred", task.t.task_id(), task.t.stage_name(),
                      absl::StrCat("from ", from, " to ", to_department, ": ", reason), now);
  case_store::UpdateCase(tx, c);
  intake::v1::RecordTransitionRequest transition;
  transition.set_status(intake::v1::IN_REVIEW);
  transition.set_reason(absl::StrCat("transferred to ", to_department, ": ", reason));
  return Journal::ToIntake(tx, c, seq, actor, std::move(transition), now);
}

absl::Status Flow::Withdraw(store::Connection& tx, CaseRecord& c, const std::string& reason,
                            const Actor& actor, absl::Time now) const {
  if (c.c.state() == approval::v1::SUSPENDED) case_store::ClosePause(tx, c.c.case_id(), now);
  CancelLive(tx, c, "", actor, "the applicant withdrew", now);
  RETURN_IF_ERROR(Close(tx, c, approval::v1::WITHDRAWN, now));
  c.c.set_reason(reason);
  Journal::Record(tx, c, actor, "case.withdrawn", "", c.c.stage_name(), reason, now);
  case_store::UpdateCase(tx, c);
  return absl::OkStatus();
}

}  // namespace onewindow::approval
