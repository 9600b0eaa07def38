#pragma once

#include <optional>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "libs/store/connection.h"

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "onewindow/complaint/v1/complaint.pb.h"

namespace onewindow::complaint {

// A work order as stored: the whole order (complainant unredacted) plus the
// bookkeeping that is not part of the API.
struct StoredOrder {
  complaint::v1::WorkOrder order;
  // Start of the running deadline: receipt, or the reopening.
  absl::Time clock_start;
  // Set only when the order is created by an idempotent submission.
  std::string request_key;
};

// A page of orders and the token for the next one ("" at the end).
struct OrderPage {
  std::vector<complaint::v1::WorkOrder> orders;
  std::string next_page_token;
};

struct PublicFilter {
  std::vector<std::string> ids;
  std::string category_code;
  absl::Time start = absl::InfinitePast();
  absl::Time end = absl::InfiniteFuture();
  // 0 both, 1 open only, 2 closed only.
  int open = 0;
  int limit = 1000;
};

// SQL over work_orders and work_order_numbers. Callers own the
// transaction; every function runs inside Database::Write/Read. The
// columns are derived from the order each time it is written, so they never
// disagree with the body.
class WorkOrderStore {
 public:
  // `next_escalation` is when the supervision sweep should next look at it.
  static void Insert(store::Connection& db, const StoredOrder& stored,
                     std::optional<absl::Time> next_escalation);
  static void Update(store::Connection& db, const StoredOrder& stored,
                     std::optional<absl::Time> next_escalation);

  static std::optional<StoredOrder> Load(store::Connection& db, const std::string& id);
  static std::optional<StoredOrder> FindByHotline(store::Connection& db,
                                                  const std::string& hotline_id,
                                                  const std::string& ticket_id);
  static std::optional<StoredOrder> FindByRequestKey(store::Connection& db,
                                                     const std::string& request_key);

  // "WO20260302-000042": the CST day and that day's sequence.
  static std::string NextNumber(store::Connection& db, absl::CivilDay day);

  // RECEIVED orders, oldest first.
  static absl::StatusOr<OrderPage> ListQueue(store::Connection& db, int page_size,
                                             const std::string& page_token);
  // A department's orders in `state`, or in any open state (dispatched to
  // handled) when `state` is unspecified; earliest deadline first.
  static absl::StatusOr<OrderPage> ListDepartment(store::Connection& db,
                                                  const std::string& department_id,
                                                  complaint::v1::WorkOrderState state,
                                                  int page_size, const std::string& page_token);
  // The complainant's orders, newest first.
  static absl::StatusOr<OrderPage> ListComplainant(store::Connection& db,
                                                   const std::string& account_id, int page_size,
                                                   const std::string& page_token);

  // Ids of orders whose next escalation is due by `now`, earliest first.
  static std::vector<std::string> DueForEscalation(store::Connection& db, absl::Time now,
                                                   int limit);

  // Orders filed through Open311 matching `filter`, newest first.
  static std::vector<complaint::v1::WorkOrder> ListOpen311(store::Connection& db,
                                                           const PublicFilter& filter);
};

}  // namespace onewindow::complaint
