#include "services/complaint/work_orders.h"

#include <SQLiteCpp/Statement.h>

#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/auth/random.h"
#include "libs/codes/phone.h"
#include "libs/status/macros.h"
#include "libs/store/times.h"

namespace onewindow::complaint {
namespace {

constexpr char kSelect[] =
    "SELECT id, kind, state, title, description, COALESCE(hotline_id,''),"
    " COALESCE(hotline_ticket_id,''), receive_time FROM work_orders ";

complaint::v1::WorkOrder RowToWorkOrder(SQLite::Statement& row) {
  complaint::v1::WorkOrder w;
  w.set_work_order_id(row.getColumn(0).getString());
  w.set_kind(static_cast<complaint::v1::TicketKind>(row.getColumn(1).getInt()));
  w.set_state(static_cast<complaint::v1::WorkOrderState>(row.getColumn(2).getInt()));
  w.set_title(row.getColumn(3).getString());
  w.set_description(row.getColumn(4).getString());
  w.set_hotline_id(row.getColumn(5).getString());
  w.set_hotline_ticket_id(row.getColumn(6).getString());
  *w.mutable_receive_time() =
      store::ToProtoTime(store::FromStoredTime(row.getColumn(7).getInt64()));
  return w;
}

}  // namespace

absl::StatusOr<complaint::v1::WorkOrder> WorkOrders::IngestHotline(
    const complaint::v1::IngestHotlineTicketRequest& request, absl::Time now) {
  std::vector<std::string> problems;
  if (request.hotline_id().empty()) problems.push_back("hotline_id: required");
  if (request.hotline_ticket_id().empty()) problems.push_back("hotline_ticket_id: required");
  if (request.kind() == complaint::v1::TICKET_KIND_UNSPECIFIED ||
      !complaint::v1::TicketKind_IsValid(request.kind())) {
    problems.push_back("kind: must be one of CONSULTATION..PRAISE");
  }
  if (request.title().empty()) problems.push_back("title: required");
  if (!request.caller_phone().empty() && !codes::ValidatePhone(request.caller_phone()).ok()) {
    problems.push_back("caller_phone: not a mobile number");
  }
  if (!problems.empty()) return absl::InvalidArgumentError(absl::StrJoin(problems, "; "));

  complaint::v1::WorkOrder result;
  RETURN_IF_ERROR(db_->Write([&](SQLite::Database& db) -> absl::Status {
    SQLite::Statement existing(
        db, absl::StrCat(kSelect, "WHERE hotline_id = ? AND hotline_ticket_id = ?"));
    existing.bind(1, request.hotline_id());
    existing.bind(2, request.hotline_ticket_id());
    if (existing.executeStep()) {
      result = RowToWorkOrder(existing);
      return absl::OkStatus();
    }
    result.set_work_order_id(absl::StrCat("wo_", auth::RandomHex(12)));
    result.set_kind(request.kind());
    result.set_state(complaint::v1::RECEIVED);
    result.set_title(request.title());
    result.set_description(request.description());
    result.set_hotline_id(request.hotline_id());
    result.set_hotline_ticket_id(request.hotline_ticket_id());
    *result.mutable_receive_time() = store::ToProtoTime(now);
    SQLite::Statement insert(db,
                             "INSERT INTO work_orders(id, kind, state, title, description,"
                             " hotline_id, hotline_ticket_id, caller_phone, receive_time)"
                             " VALUES(?,?,?,?,?,?,?,?,?)");
    insert.bind(1, result.work_order_id());
    insert.bind(2, static_cast<int>(result.kind()));
    insert.bind(3, static_cast<int>(result.state()));
    insert.bind(4, result.title());
    insert.bind(5, result.description());
    insert.bind(6, result.hotline_id());
    insert.bind(7, result.hotline_ticket_id());
    insert.bind(8, request.caller_phone());
    insert.bind(9, static_cast<int64_t>(store::ToStoredTime(now)));
    insert.exec();
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<complaint::v1::WorkOrder> WorkOrders::Get(const std::string& id) const {
  std::optional<complaint::v1::WorkOrder> found;
  RETURN_IF_ERROR(db_->Read([&](SQLite::Database& db) {
    SQLite::Statement query(db, absl::StrCat(kSelect, "WHERE id = ?"));
    query.bind(1, id);
    if (query.executeStep()) found = RowToWorkOrder(query);
    return absl::OkStatus();
  }));
  if (!found.has_value()) return absl::NotFoundError(absl::StrCat("work order ", id, " not found"));
  return *found;
}

}  // namespace onewindow::complaint
