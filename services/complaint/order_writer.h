#pragma once

#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "libs/store/connection.h"

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/store/database.h"
#include "libs/workday/calendar.h"
#include "libs/workday/clock.h"
#include "onewindow/complaint/v1/complaint.pb.h"
#include "services/complaint/notifications.h"
#include "services/complaint/policy.h"
#include "services/complaint/work_order_store.h"

namespace onewindow::complaint {

// What the work-order classes share: the store, the working-day calendar,
// the clock and the policy. Not owned; all outlive the classes.
struct Env {
  store::Database* db;
  const workday::Calendar* calendar;
  const workday::Clock* clock;
  const Policy* policy;
};

// Appends a step to the order's history and stamps update_time.
void Record(complaint::v1::WorkOrder& order, absl::Time now, const std::string& action,
            const std::string& actor, const std::string& note = "");

// The handle-and-reply deadline of a limit started at `start`.
absl::Time DeadlineFrom(const Env& env, absl::Time start, complaint::v1::TicketKind kind,
                        bool urgent);

// A change to one stored order: checks, mutates `stored` and lists the
// notices it causes. A non-OK status leaves nothing changed.
using Transition =
    absl::FunctionRef<absl::Status(StoredOrder& stored, std::vector<Notice>& notices)>;

// Loads order `id`, applies `fn`, writes the order back with its next
// escalation time and enqueues the notices, all in one transaction.
// NOT_FOUND for an unknown id. Returns the order as stored (unredacted).
absl::StatusOr<StoredOrder> ApplyTransition(const Env& env, const std::string& id, absl::Time now,
                                            Transition fn);

// Inserts a new order (number assigned here) with its notices, inside the
// caller's transaction.
absl::Status InsertOrder(store::Connection& tx, StoredOrder& stored,
                         const std::vector<Notice>& notices, absl::Time now);

// A fresh random work-order id, "wo_" + 24 hex digits.
std::string NewWorkOrderId();

// Common notice parameters of an order: work_order_number, title and
// due_date (the last day of the limit, CST).
std::map<std::string, std::string> OrderParams(const complaint::v1::WorkOrder& order);

}  // namespace onewindow::complaint
