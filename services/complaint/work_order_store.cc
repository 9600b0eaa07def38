#include "services/complaint/work_order_store.h"

#include <SQLiteCpp/Statement.h>

#include <limits>

#include "absl/functional/function_ref.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "libs/store/times.h"

namespace onewindow::complaint {
namespace {

using complaint::v1::WorkOrder;

constexpr int kMaxPageSize = 200;
constexpr int kDefaultPageSize = 50;

int PageSize(int requested) {
  if (requested <= 0) return kDefaultPageSize;
  return std::min(requested, kMaxPageSize);
}

// Keyset paging: the sort key and id of the last row served.
std::string EncodeToken(int64_t key, const std::string& id) {
  return absl::WebSafeBase64Escape(absl::StrCat(key, "|", id));
}

absl::Status DecodeToken(const std::string& token, int64_t* key, std::string* id) {
  std::string raw;
  std::pair<std::string, std::string> parts;
  if (!absl::WebSafeBase64Unescape(token, &raw) ||
      (parts = absl::StrSplit(raw, absl::MaxSplits('|', 1)), parts.second.empty()) ||
      !absl::SimpleAtoi(parts.first, key)) {
    return absl::InvalidArgumentError("page_token: not a token this service issued");
  }
  *id = parts.second;
  return absl::OkStatus();
}

int64_t Micros(const google::protobuf::Timestamp& ts) {
  return store::ToStoredTime(store::FromProtoTime(ts));
}

void BindColumns(SQLite::Statement& s, const StoredOrder& stored,
                 std::optional<absl::Time> next_escalation) {
  const WorkOrder& o = stored.order;
  int escalations = 0;
  for (const auto& entry : o.timeline()) escalations += entry.action() == "escalated" ? 1 : 0;
  const bool called_back = o.callback_result() == complaint::v1::SATISFIED ||
                           o.callback_result() == complaint::v1::DISSATISFIED;
  s.bind(":id", o.work_order_id());
  s.bind(":number", o.number());
  s.bind(":kind", static_cast<int>(o.kind()));
  s.bind(":state", static_cast<int>(o.state()));
  s.bind(":channel", static_cast<int>(o.channel()));
  s.bind(":category", o.category_code());
  s.bind(":complainant", o.complainant().account_id());
  s.bind(":department", o.assigned_department_id());
  s.bind(":region", o.location().region_code());
  if (o.hotline_id().empty()) {
    s.bind(":hotline");
    s.bind(":ticket");
  } else {
    s.bind(":hotline", o.hotline_id());
    s.bind(":ticket", o.hotline_ticket_id());
  }
  s.bind(":receive", static_cast<int64_t>(Micros(o.receive_time())));
  s.bind(":clock_start", static_cast<int64_t>(store::ToStoredTime(stored.clock_start)));
  s.bind(":due", static_cast<int64_t>(Micros(o.due_time())));
  if (next_escalation.has_value()) {
    s.bind(":next", static_cast<int64_t>(store::ToStoredTime(*next_escalation)));
  } else {
    s.bind(":next");
  }
  s.bind(":replied", o.has_reply_time() ? 1 : 0);
  s.bind(":on_time", o.replied_on_time() ? 1 : 0);
  s.bind(":called_back", called_back ? 1 : 0);
  s.bind(":satisfied", o.callback_result() == complaint::v1::SATISFIED ? 1 : 0);
  s.bind(":reopened", o.reopen_count() > 0 ? 1 : 0);
  s.bind(":escalations", escalations);
  s.bind(":update", static_cast<int64_t>(Micros(o.update_time())));
  const std::string body = o.SerializeAsString();
  s.bind(":body", body.data(), static_cast<int>(body.size()));
}

constexpr char kSelectStored[] =
    "SELECT body, clock_start, COALESCE(request_key, '') FROM work_orders ";

std::optional<StoredOrder> ReadStored(SQLite::Statement& q) {
  if (!q.executeStep()) return std::nullopt;
  StoredOrder stored;
  const SQLite::Column body = q.getColumn(0);
  if (!stored.order.ParseFromArray(body.getBlob(), body.getBytes())) {
    throw std::runtime_error("work order body does not parse");
  }
  stored.clock_start = store::FromStoredTime(q.getColumn(1).getInt64());
  stored.request_key = q.getColumn(2).getString();
  return stored;
}

WorkOrder ParseBody(const SQLite::Column& body) {
  WorkOrder order;
  if (!order.ParseFromArray(body.getBlob(), body.getBytes())) {
    throw std::runtime_error("work order body does not parse");
  }
  return order;
}

// The page `q` yields: it asks for one row more than `size`, and that
// extra row's presence means a next page, which starts after the last
// order's (`key`, id).
OrderPage ReadPage(SQLite::Statement& q, int size,
                   absl::FunctionRef<int64_t(const WorkOrder&)> key) {
  OrderPage page;
  while (q.executeStep()) {
    if (static_cast<int>(page.orders.size()) == size) {
      const WorkOrder& last = page.orders.back();
      page.next_page_token = EncodeToken(key(last), last.work_order_id());
      break;
    }
    page.orders.push_back(ParseBody(q.getColumn(0)));
  }
  return page;
}

}  // namespace

void WorkOrderStore::Insert(store::Connection& db, const StoredOrder& stored,
                            std::optional<absl::Time> next_escalation) {
  auto insert = db.Prepare(
      "INSERT INTO work_orders (id, number, kind, state, channel, category_code, complainant_id,"
      " assigned_department_id, region_code, hotline_id, hotline_ticket_id, request_key,"
      " receive_time, clock_start, due_time, next_escalation_time, replied, replied_on_time,"
      " called_back, satisfied, reopened, escalations, update_time, body) VALUES (:id, :number,"
      " :kind, :state, :channel, :category, :complainant, :department, :region, :hotline,"
      " :ticket, :request_key, :receive, :clock_start, :due, :next, :replied, :on_time,"
      " :called_back, :satisfied, :reopened, :escalations, :update, :body)");
  BindColumns(*insert, stored, next_escalation);
  if (stored.request_key.empty()) {
    insert->bind(":request_key");
  } else {
    insert->bind(":request_key", stored.request_key);
  }
  insert->exec();
}

void WorkOrderStore::Update(store::Connection& db, const StoredOrder& stored,
                            std::optional<absl::Time> next_escalation) {
  auto update = db.Prepare(
      "UPDATE work_orders SET number = :number, kind = :kind, state = :state, channel = :channel,"
      " category_code = :category, complainant_id = :complainant,"
      " assigned_department_id = :department, region_code = :region, hotline_id = :hotline,"
      " hotline_ticket_id = :ticket, receive_time = :receive, clock_start = :clock_start,"
      " due_time = :due, next_escalation_time = :next, replied = :replied,"
      " replied_on_time = :on_time, called_back = :called_back, satisfied = :satisfied,"
      " reopened = :reopened, escalations = :escalations, update_time = :update, body = :body"
      " WHERE id = :id");
  BindColumns(*update, stored, next_escalation);
  update->exec();
}

std::optional<StoredOrder> WorkOrderStore::Load(store::Connection& db, const std::string& id) {
  auto q = db.Prepare(absl::StrCat(kSelectStored, "WHERE id = ?"));
  q->bind(1, id);
  return ReadStored(*q);
}

std::optional<StoredOrder> WorkOrderStore::FindByHotline(store::Connection& db,
                                                         const std::string& hotline_id,
                                                         const std::string& ticket_id) {
  auto q =
      db.Prepare(absl::StrCat(kSelectStored, "WHERE hotline_id = ? AND hotline_ticket_id = ?"));
  q->bind(1, hotline_id);
  q->bind(2, ticket_id);
  return ReadStored(*q);
}

std::optional<StoredOrder> WorkOrderStore::FindByRequestKey(store::Connection& db,
                                                            const std::string& request_key) {
  auto q = db.Prepare(absl::StrCat(kSelectStored, "WHERE request_key = ?"));
  q->bind(1, request_key);
  return ReadStored(*q);
}

std::string WorkOrderStore::NextNumber(store::Connection& db, absl::CivilDay day) {
  const std::string key = absl::StrFormat("%04d%02d%02d", day.year(), day.month(), day.day());
  auto next = db.Prepare(
      "INSERT INTO work_order_numbers (day, last) VALUES (?, 1)"
      " ON CONFLICT (day) DO UPDATE SET last = last + 1 RETURNING last");
  next->bind(1, key);
  next->executeStep();
  return absl::StrFormat("WO%s-%06d", key, next->getColumn(0).getInt64());
}

absl::StatusOr<OrderPage> WorkOrderStore::ListQueue(store::Connection& db, int page_size,
                                                    const std::string& page_token) {
  const int size = PageSize(page_size);
  int64_t after_time = std::numeric_limits<int64_t>::min();
  std::string after_id;
  if (!page_token.empty()) {
    absl::Status s = DecodeToken(page_token, &after_time, &after_id);
    if (!s.ok()) return s;
  }
  SQLite::Statement q(db,
                      "SELECT body, receive_time, id FROM work_orders INDEXED BY work_orders_queue"
                      " WHERE state = 1 AND (receive_time, id) > (?, ?)"
                      " ORDER BY receive_time, id LIMIT ?");
  q.bind(1, static_cast<int64_t>(after_time));
  q.bind(2, after_id);
  q.bind(3, size + 1);
  return ReadPage(q, size, [](const WorkOrder& last) { return Micros(last.receive_time()); });
}

absl::StatusOr<OrderPage> WorkOrderStore::ListDepartment(store::Connection& db,
                                                         const std::string& department_id,
                                                         complaint::v1::WorkOrderState state,
                                                         int page_size,
                                                         const std::string& page_token) {
  const int size = PageSize(page_size);
  int64_t after_due = std::numeric_limits<int64_t>::min();
  std::string after_id;
  if (!page_token.empty()) {
    absl::Status s = DecodeToken(page_token, &after_due, &after_id);
    if (!s.ok()) return s;
  }
  const bool any_open = state == complaint::v1::WORK_ORDER_STATE_UNSPECIFIED;
  SQLite::Statement q(db,
                      absl::StrCat("SELECT body FROM work_orders WHERE assigned_department_id = ?",
                                   any_open ? " AND state BETWEEN 2 AND 4" : " AND state = ?",
                                   " AND (due_time, id) > (?, ?) ORDER BY due_time, id LIMIT ?"));
  int i = 1;
  q.bind(i++, department_id);
  if (!any_open) q.bind(i++, static_cast<int>(state));
  q.bind(i++, static_cast<int64_t>(after_due));
  q.bind(i++, after_id);
  q.bind(i++, size + 1);
  return ReadPage(q, size, [](const WorkOrder& last) { return Micros(last.due_time()); });
}

absl::StatusOr<OrderPage> WorkOrderStore::ListComplainant(store::Connection& db,
                                                          const std::string& account_id,
                                                          int page_size,
                                                          const std::string& page_token) {
  const int size = PageSize(page_size);
  int64_t before_time = std::numeric_limits<int64_t>::max();
  std::string before_id = "\x7f";
  if (!page_token.empty()) {
    absl::Status s = DecodeToken(page_token, &before_time, &before_id);
    if (!s.ok()) return s;
  }
  SQLite::Statement q(
      db,
      "SELECT body FROM work_orders WHERE complainant_id = ? AND complainant_id != ''"
      " AND (receive_time, id) < (?, ?) ORDER BY receive_time DESC, id DESC LIMIT ?");
  q.bind(1, account_id);
  q.bind(2, static_cast<int64_t>(before_time));
  q.bind(3, before_id);
  q.bind(4, size + 1);
  return ReadPage(q, size, [](const WorkOrder& last) { return Micros(last.receive_time()); });
}

std::vector<std::string> WorkOrderStore::DueForEscalation(store::Connection& db, absl::Time now,
                                                          int limit) {
  SQLite::Statement q(db,
                      "SELECT id FROM work_orders WHERE next_escalation_time IS NOT NULL"
                      " AND next_escalation_time <= ? ORDER BY next_escalation_time LIMIT ?");
  q.bind(1, static_cast<int64_t>(store::ToStoredTime(now)));
  q.bind(2, limit);
  std::vector<std::string> ids;
  while (q.executeStep()) ids.push_back(q.getColumn(0).getString());
  return ids;
}

std::vector<WorkOrder> WorkOrderStore::ListOpen311(store::Connection& db,
                                                   const PublicFilter& filter) {
  std::string sql =
      "SELECT body FROM work_orders WHERE channel = ? AND receive_time >= ? AND receive_time < ?";
  if (!filter.category_code.empty()) sql += " AND category_code = ?";
  if (filter.open == 1) sql += " AND state != 7";
  if (filter.open == 2) sql += " AND state = 7";
  if (!filter.ids.empty()) {
    sql += " AND id IN (";
    for (size_t i = 0; i < filter.ids.size(); ++i) sql += i == 0 ? "?" : ",?";
    sql += ")";
  }
  sql += " ORDER BY receive_time DESC, id DESC LIMIT ?";
  SQLite::Statement q(db, sql);
  int i = 1;
  q.bind(i++, static_cast<int>(complaint::v1::OPEN311));
  q.bind(i++, static_cast<int64_t>(filter.start == absl::InfinitePast()
                                       ? std::numeric_limits<int64_t>::min()
                                       : store::ToStoredTime(filter.start)));
  q.bind(i++, static_cast<int64_t>(filter.end == absl::InfiniteFuture()
                                       ? std::numeric_limits<int64_t>::max()
                                       : store::ToStoredTime(filter.end)));
  if (!filter.category_code.empty()) q.bind(i++, filter.category_code);
  for (const std::string& id : filter.ids) q.bind(i++, id);
  q.bind(i++, filter.limit);
  std::vector<WorkOrder> out;
  while (q.executeStep()) out.push_back(ParseBody(q.getColumn(0)));
  return out;
}

}  // namespace onewindow::complaint
