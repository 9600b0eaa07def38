#include "services/complaint/order_writer.h"

#include "absl/strings/str_cat.h"
#include "libs/auth/random.h"
#include "libs/status/macros.h"
#include "libs/store/times.h"
#include "libs/workday/deadline.h"
#include "services/complaint/deadlines.h"

namespace onewindow::complaint {

using complaint::v1::WorkOrder;

void Record(WorkOrder& order, absl::Time now, const std::string& action, const std::string& actor,
            const std::string& note) {
  complaint::v1::TimelineEntry* entry = order.add_timeline();
  *entry->mutable_time() = store::ToProtoTime(now);
  entry->set_action(action);
  entry->set_actor(actor);
  entry->set_note(note);
  entry->set_state(order.state());
  *order.mutable_update_time() = store::ToProtoTime(now);
}

absl::Time DeadlineFrom(const Env& env, absl::Time start, complaint::v1::TicketKind kind,
                        bool urgent) {
  return workday::AddWorkingDays(*env.calendar, start, env.policy->LimitFor(kind, urgent));
}

std::string NewWorkOrderId() { return absl::StrCat("wo_", auth::RandomHex(12)); }

std::map<std::string, std::string> OrderParams(const WorkOrder& order) {
  std::map<std::string, std::string> params = {{"work_order_number", order.number()},
                                               {"title", order.title()}};
  if (order.has_due_time()) {
    // The last day of the limit, as people say it: due_time is 24:00 of it.
    params["due_date"] =
        absl::FormatTime("%Y-%m-%d", store::FromProtoTime(order.due_time()) - absl::Seconds(1),
                         workday::ChinaStandardTime());
  }
  return params;
}

namespace {

std::string EventPrefix(const WorkOrder& order) {
  // Every change appends to the timeline, so its length names the change.
  return absl::StrCat(order.work_order_id(), ":", order.timeline_size());
}

}  // namespace

absl::StatusOr<StoredOrder> ApplyTransition(const Env& env, const std::string& id, absl::Time now,
                                            Transition fn) {
  StoredOrder result;
  RETURN_IF_ERROR(env.db->Write([&](store::Connection& tx) -> absl::Status {
    std::optional<StoredOrder> stored = WorkOrderStore::Load(tx, id);
    if (!stored.has_value()) {
      return absl::NotFoundError(absl::StrCat("work order ", id, " not found"));
    }
    std::vector<Notice> notices;
    RETURN_IF_ERROR(fn(*stored, notices));
    WorkOrderStore::Update(tx, *stored, NextEscalation(stored->order, stored->clock_start));
    RETURN_IF_ERROR(EnqueueNotices(tx, stored->order.work_order_id(), EventPrefix(stored->order),
                                   notices, now));
    result = *std::move(stored);
    return absl::OkStatus();
  }));
  return result;
}

absl::Status InsertOrder(store::Connection& tx, StoredOrder& stored,
                         const std::vector<Notice>& notices, absl::Time now) {
  WorkOrder& order = stored.order;
  order.set_number(WorkOrderStore::NextNumber(tx, workday::ChinaDay(now)));
  // Notices were built before the number existed.
  std::vector<Notice> numbered = notices;
  for (Notice& n : numbered) n.params["work_order_number"] = order.number();
  WorkOrderStore::Insert(tx, stored, NextEscalation(order, stored.clock_start));
  return EnqueueNotices(tx, order.work_order_id(), EventPrefix(order), numbered, now);
}

}  // namespace onewindow::complaint
