#include "services/catalog/item_store.h"

#include <stdexcept>

namespace onewindow::catalog {
namespace {

constexpr char kSelectBasic[] = "SELECT body FROM basic_items WHERE basic_code = ?";
constexpr char kSelectCurrent[] =
    "SELECT id, revision, state, withdrawn_at, COALESCE(withdraw_reason, '') FROM items_current "
    "WHERE code = ?";
// A first publish inserts revision 1; a later one replaces the row's
// content and counts the revision up (also after a withdrawal).
constexpr char kUpsertCurrent[] =
    "INSERT INTO items_current(code, basic_code, department_credit_code, region_code, name, "
    "search_words, type, topics, life_events, applicant_kinds, on_site_visits, online_depth, "
    "department_name, state, revision) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,1) "
    "ON CONFLICT(code) DO UPDATE SET basic_code = excluded.basic_code, "
    "department_credit_code = excluded.department_credit_code, "
    "region_code = excluded.region_code, name = excluded.name, "
    "search_words = excluded.search_words, type = excluded.type, topics = excluded.topics, "
    "life_events = excluded.life_events, applicant_kinds = excluded.applicant_kinds, "
    "on_site_visits = excluded.on_site_visits, online_depth = excluded.online_depth, "
    "department_name = excluded.department_name, state = excluded.state, "
    "revision = items_current.revision + 1, withdrawn_at = NULL, withdraw_reason = NULL "
    "RETURNING id, revision";

std::optional<catalog::v1::BasicItem> RunGetBasic(SQLite::Statement& query,
                                                  const std::string& basic_code) {
  query.reset();
  query.bind(1, basic_code);
  if (!query.executeStep()) return std::nullopt;
  catalog::v1::BasicItem item;
  const SQLite::Column body = query.getColumn(0);
  if (!item.ParseFromArray(body.getBlob(), body.getBytes())) return std::nullopt;
  return item;
}

std::optional<CurrentItem> RunGetCurrent(SQLite::Statement& query, const std::string& code) {
  query.reset();
  query.bind(1, code);
  if (!query.executeStep()) return std::nullopt;
  CurrentItem c;
  c.id = query.getColumn(0).getInt64();
  c.revision = query.getColumn(1).getInt64();
  c.state = static_cast<catalog::v1::ImplementationState>(query.getColumn(2).getInt());
  if (!query.getColumn(3).isNull()) c.withdrawn_at = query.getColumn(3).getInt64();
  c.withdraw_reason = query.getColumn(4).getString();
  return c;
}

void BindCurrent(SQLite::Statement& s, const catalog::v1::Implementation& impl,
                 const JoinedLists& lists) {
  int i = 1;
  s.bindNoCopy(i++, impl.implementation_code());
  s.bindNoCopy(i++, impl.basic_code());
  s.bindNoCopy(i++, impl.department_credit_code());
  s.bindNoCopy(i++, impl.region_code());
  s.bindNoCopy(i++, impl.name());
  s.bindNoCopy(i++, lists.words);
  s.bind(i++, static_cast<int>(impl.type()));
  s.bindNoCopy(i++, lists.topics);
  s.bindNoCopy(i++, lists.life_events);
  s.bind(i++, static_cast<int64_t>(ApplicantKindBits(impl)));
  s.bind(i++, impl.guide().on_site_visits());
  s.bind(i++, static_cast<int>(impl.guide().online_depth()));
  s.bindNoCopy(i++, impl.department_name());
  s.bind(i++, static_cast<int>(impl.state()));
}

// A text column as a view, valid until the statement moves on.
absl::string_view Text(SQLite::Statement& row, int column) {
  const SQLite::Column c = row.getColumn(column);
  const char* text = c.getText();
  return absl::string_view(text, static_cast<size_t>(c.getBytes()));
}

void AppendVarint(uint64_t value, std::string* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

// A varint field (wire type 0) in protobuf encoding.
void AppendVarintField(int field_number, uint64_t value, std::string* out) {
  AppendVarint(static_cast<uint64_t>(field_number) << 3, out);
  AppendVarint(value, out);
}

}  // namespace

std::optional<catalog::v1::BasicItem> ItemStore::GetBasic(store::Connection& db,
                                                          const std::string& basic_code) {
  SQLite::Statement query(db, kSelectBasic);
  return RunGetBasic(query, basic_code);
}

std::optional<CurrentItem> ItemStore::GetCurrent(store::Connection& db, const std::string& code) {
  SQLite::Statement query(db, kSelectCurrent);
  return RunGetCurrent(query, code);
}

std::optional<catalog::v1::Implementation> ItemStore::GetRevision(store::Connection& db,
                                                                  int64_t item_id,
                                                                  int64_t revision) {
  SQLite::Statement query(
      db, "SELECT body FROM implementation_revisions WHERE item_id = ? AND revision = ?");
  query.bind(1, item_id);
  query.bind(2, revision);
  if (!query.executeStep()) return std::nullopt;
  catalog::v1::Implementation impl;
  const SQLite::Column body = query.getColumn(0);
  if (!impl.ParseFromArray(body.getBlob(), body.getBytes())) return std::nullopt;
  return impl;
}

void ItemStore::RenameDepartment(store::Connection& db, const std::string& credit_code,
                                 const std::string& name) {
  auto update = db.Prepare(
      "UPDATE items_current SET department_name = ? WHERE department_credit_code = ? AND "
      "department_name IS NOT ?");
  update->bind(1, name);
  update->bind(2, credit_code);
  update->bind(3, name);
  update->exec();
}

void ItemStore::MarkWithdrawn(store::Connection& db, int64_t id, int64_t withdrawn_at,
                              const std::string& reason) {
  SQLite::Statement update(db,
                           "UPDATE items_current SET state = ?, withdrawn_at = ?, "
                           "withdraw_reason = ? WHERE id = ?");
  update.bind(1, static_cast<int>(catalog::v1::WITHDRAWN));
  update.bind(2, withdrawn_at);
  update.bind(3, reason);
  update.bind(4, id);
  update.exec();
}

void ItemStore::ForEachPublished(store::Connection& db,
                                 absl::FunctionRef<void(const IndexEntry&)> fn) {
  SQLite::Statement query(
      db,
      "SELECT id, code, name, search_words, region_code, department_credit_code, "
      "department_name, type, topics, life_events, applicant_kinds, on_site_visits, "
      "online_depth, revision FROM items_current WHERE state = ? ORDER BY id");
  query.bind(1, static_cast<int>(catalog::v1::PUBLISHED));
  IndexEntry e;
  while (query.executeStep()) {
    e.id = static_cast<uint32_t>(query.getColumn(0).getInt64());
    e.code = Text(query, 1);
    e.name = Text(query, 2);
    e.words = Text(query, 3);
    e.region_code = Text(query, 4);
    e.department_credit_code = Text(query, 5);
    e.department_name = Text(query, 6);
    e.type = query.getColumn(7).getInt();
    e.topics = Text(query, 8);
    e.life_events = Text(query, 9);
    e.applicant_kinds = static_cast<uint32_t>(query.getColumn(10).getInt64());
    e.on_site_visits = query.getColumn(11).getInt();
    e.online_depth = query.getColumn(12).getInt();
    e.revision = query.getColumn(13).getInt64();
    fn(e);
  }
}

ItemStore::BasicReader::BasicReader(store::Connection& db) : get_(db, kSelectBasic) {}

std::optional<catalog::v1::BasicItem> ItemStore::BasicReader::Get(const std::string& basic_code) {
  return RunGetBasic(get_, basic_code);
}

ItemStore::Batch::Batch(store::Connection& db)
    : upsert_basic_(db,
                    "INSERT INTO basic_items(basic_code, name, body) VALUES(?,?,?) "
                    "ON CONFLICT(basic_code) DO UPDATE SET name = excluded.name, "
                    "body = excluded.body"),
      upsert_current_(db, kUpsertCurrent),
      insert_revision_(db,
                       "INSERT INTO implementation_revisions(item_id, revision, published_at, "
                       "body) VALUES(?,?,?,?)") {
  // Sized for imports; both settings stay with the (single) writer
  // connection. A batch of 2000 guides dirties several MB of pages: with
  // SQLite's default 2 MB page cache they spill to the WAL mid-transaction
  // and are written twice. And with the default 1000-page WAL, every second
  // batch checkpoints (copying and fsyncing the same hot index pages again):
  // 64 MB between checkpoints measured 28 % more implementations/s.
  db.exec("PRAGMA cache_size = -65536");
  db.exec("PRAGMA wal_autocheckpoint = 16384");
}

void ItemStore::Batch::UpsertBasic(const catalog::v1::BasicItem& item) {
  item.SerializeToString(&scratch_);
  upsert_basic_.reset();
  upsert_basic_.bindNoCopy(1, item.basic_code());
  upsert_basic_.bindNoCopy(2, item.name());
  upsert_basic_.bindNoCopy(3, scratch_.data(), static_cast<int>(scratch_.size()));
  upsert_basic_.exec();
}

ItemStore::Published ItemStore::Batch::Publish(const catalog::v1::Implementation& impl,
                                               const JoinedLists& lists, const std::string& body,
                                               int64_t published_at) {
  upsert_current_.reset();
  BindCurrent(upsert_current_, impl, lists);
  if (!upsert_current_.executeStep()) {
    throw std::runtime_error("items_current upsert returned no row");
  }
  const Published published{upsert_current_.getColumn(0).getInt64(),
                            upsert_current_.getColumn(1).getInt64()};
  upsert_current_.reset();

  // The wire format takes fields in any order, so the revision can follow
  // the rest of the message: the body was serialized outside the lock.
  scratch_ = body;
  AppendVarintField(catalog::v1::Implementation::kRevisionFieldNumber,
                    static_cast<uint64_t>(published.revision), &scratch_);
  insert_revision_.reset();
  insert_revision_.bind(1, published.id);
  insert_revision_.bind(2, published.revision);
  insert_revision_.bind(3, published_at);
  insert_revision_.bindNoCopy(4, scratch_.data(), static_cast<int>(scratch_.size()));
  insert_revision_.exec();
  return published;
}

}  // namespace onewindow::catalog
