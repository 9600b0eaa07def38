#include "services/approval/journal.h"

#include "absl/strings/str_cat.h"
#include "libs/outbox/notify_sender.h"
#include "libs/outbox/outbox.h"
#include "libs/store/times.h"
#include "onewindow/notification/v1/notification.pb.h"

namespace onewindow::approval {

Actor Actor::Of(const auth::v1::Principal& principal) {
  return {principal.subject(), principal.display_name(), principal.department_id()};
}

Actor Actor::System() { return {"system", "working-day clock", ""}; }

int64_t Journal::Record(store::Connection& tx, CaseRecord& record, const Actor& actor,
                        const std::string& action, const std::string& task_id,
                        const std::string& stage_name, const std::string& detail, absl::Time now) {
  approval::v1::AuditEntry entry;
  entry.set_case_id(record.c.case_id());
  entry.set_sequence(++record.audit_seq);
  *entry.mutable_time() = store::ToProtoTime(now);
  entry.set_actor(actor.subject);
  entry.set_actor_name(actor.name);
  entry.set_actor_department_id(actor.department_id);
  entry.set_action(action);
  entry.set_task_id(task_id);
  entry.set_stage_name(stage_name);
  entry.set_detail(detail);
  case_store::InsertAudit(tx, entry);
  return entry.sequence();
}

absl::Status Journal::ToIntake(store::Connection& tx, const CaseRecord& record, int64_t seq,
                               const Actor& actor, intake::v1::RecordTransitionRequest transition,
                               absl::Time now) {
  transition.set_event_id(absl::StrCat(record.c.case_id(), "/", seq));
  transition.set_application_id(record.c.application_id());
  transition.set_case_id(record.c.case_id());
  // The applicant sees which body acted, never a staff member's account.
  transition.set_actor(actor.department_id.empty() ? actor.subject : actor.department_id);
  *transition.mutable_time() = store::ToProtoTime(now);
  if (record.c.has_due_time() && !transition.has_due_time()) {
    *transition.mutable_due_time() = record.c.due_time();
  }
  return outbox::Enqueue(tx,
                         {transition.event_id(), kTopicIntake, record.c.application_id(),
                          transition.SerializeAsString()},
                         now);
}

absl::Status Journal::ToDepartment(store::Connection& tx, const std::string& department_id,
                                   const std::string& key, const std::string& type,
                                   std::map<std::string, std::string> params, bool urgent,
                                   absl::Time now) {
  notification::v1::NotifyRequest notify;
  notification::v1::Event* event = notify.mutable_event();
  event->set_event_id(key);
  event->set_type(type);
  event->set_recipient_id(absl::StrCat("dept:", department_id));
  for (auto& [k, v] : params) (*event->mutable_params())[k] = std::move(v);
  outbox::FitNotifyParams(event);
  event->set_urgent(urgent);
  // Keyed by department: its escalations arrive in the order they happened.
  return outbox::Enqueue(
      tx, {key, kTopicNotify, absl::StrCat("dept:", department_id), notify.SerializeAsString()},
      now);
}

}  // namespace onewindow::approval
