#include "services/notification/event_types.h"

#include <algorithm>
#include <set>

namespace onewindow::notification {
namespace {

std::vector<EventTypeSpec> Build() {
  // Applications are named by their number; item_name says which service.
  const std::vector<std::string> app = {"number", "item_name"};
  auto with = [](std::vector<std::string> base, std::vector<std::string> more) {
    base.insert(base.end(), more.begin(), more.end());
    return base;
  };
  const std::vector<std::string> order = {"work_order_number", "title"};
  std::vector<EventTypeSpec> types = {
      {"application.submitted", app, {"number"}},
      {"application.accepted", with(app, {"due_date"}), {"number"}},
      {"application.not_accepted", with(app, {"reason"}), {"number", "reason"}},
      {"application.supplement_needed",
       with(app, {"materials", "reason", "due_date"}),
       {"number", "materials"}},
      {"application.supplemented", app, {"number"}},
      {"application.approved", with(app, {"licence_title"}), {"number"}},
      {"application.rejected", with(app, {"reason"}), {"number", "reason"}},
      {"application.result_issued", with(app, {"licence_title"}), {"number"}},
      {"application.delivered", with(app, {"licence_title"}), {"number"}},
      {"application.withdrawn", with(app, {"reason"}), {"number"}},
      {"case.due_soon", with(app, {"due_date"}), {"number", "due_date"}},
      {"case.overdue", with(app, {"due_date"}), {"number"}},
      {"work_order.received", order, {"work_order_number"}},
      {"work_order.dispatched", with(order, {"due_date"}), {"work_order_number"}},
      {"work_order.replied", with(order, {"reply"}), {"work_order_number"}},
      {"work_order.callback_requested", order, {"work_order_number"}},
      {"work_order.escalated", with(order, {"level", "due_date"}), {"work_order_number"}},
      // Complaint sends the two below since they replaced this one, which
      // stays for notices queued before the upgrade.
      {"work_order.extension_decided", with(order, {"due_date", "reason"}), {"work_order_number"}},
      {"work_order.extension_approved",
       with(order, {"due_date", "reason"}),
       {"work_order_number", "due_date"}},
      {"work_order.extension_refused",
       with(order, {"due_date", "reason"}),
       {"work_order_number", "reason"}},
      {"rating.received", with(app, {"level"}), {}},
      {"rating.submitted", with(app, {"level"}), {"number", "level"}},
      {"rating.follow_up", with(app, {"level", "reply", "work_order_number"}), {}},
      {"rectification.opened",
       with(order, {"number", "item_name", "level", "due_date"}),
       {"work_order_number"}},
  };
  std::sort(types.begin(), types.end(),
            [](const EventTypeSpec& a, const EventTypeSpec& b) { return a.type < b.type; });
  return types;
}

}  // namespace

const std::vector<EventTypeSpec>& EventTypes() {
  static const auto* const kTypes = new std::vector<EventTypeSpec>(Build());
  return *kTypes;
}

const EventTypeSpec* FindEventType(absl::string_view type) {
  const auto& types = EventTypes();
  auto it =
      std::lower_bound(types.begin(), types.end(), type,
                       [](const EventTypeSpec& s, absl::string_view t) { return s.type < t; });
  return it != types.end() && it->type == type ? &*it : nullptr;
}

const std::vector<std::string>& KnownParams() {
  static const auto* const kParams = [] {
    std::set<std::string> names;
    for (const auto& t : EventTypes()) names.insert(t.placeholders.begin(), t.placeholders.end());
    return new std::vector<std::string>(names.begin(), names.end());
  }();
  return *kParams;
}

}  // namespace onewindow::notification
