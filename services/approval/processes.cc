#include "services/approval/processes.h"

#include <SQLiteCpp/Statement.h>

#include "absl/strings/str_cat.h"
#include "libs/status/macros.h"

namespace onewindow::approval {

catalog::v1::Implementation Processes::Trim(const catalog::v1::Implementation& in) {
  catalog::v1::Implementation out;
  out.set_implementation_code(in.implementation_code());
  out.set_basic_code(in.basic_code());
  out.set_name(in.name());
  out.set_department_credit_code(in.department_credit_code());
  out.set_region_code(in.region_code());
  out.set_revision(in.revision());
  out.set_type(in.type());
  out.set_department_name(in.department_name());
  catalog::v1::Guide* guide = out.mutable_guide();
  *guide->mutable_materials() = in.guide().materials();
  *guide->mutable_stages() = in.guide().stages();
  guide->set_statutory_limit_days(in.guide().statutory_limit_days());
  guide->set_promised_limit_days(in.guide().promised_limit_days());
  guide->set_handling(in.guide().handling());
  guide->set_result_name(in.guide().result_name());
  guide->set_result_type(in.guide().result_type());
  guide->set_result_licence_type(in.guide().result_licence_type());
  return out;
}

void Processes::Store(store::Connection& tx, const catalog::v1::Implementation& implementation) {
  const std::string blob = implementation.SerializeAsString();
  SQLite::Statement insert(tx,
                           "INSERT OR IGNORE INTO processes (implementation_code, revision,"
                           " implementation) VALUES (?, ?, ?)");
  insert.bind(1, implementation.implementation_code());
  insert.bind(2, static_cast<int64_t>(implementation.revision()));
  insert.bind(3, blob.data(), static_cast<int>(blob.size()));
  insert.exec();
}

Process Processes::Recall(const Key& key) const {
  absl::MutexLock lock(&mu_);
  auto it = memory_.find(key);
  return it == memory_.end() ? nullptr : it->second;
}

Process Processes::Remember(Key key, catalog::v1::Implementation implementation) {
  auto process = std::make_shared<const catalog::v1::Implementation>(std::move(implementation));
  absl::MutexLock lock(&mu_);
  // Crude but bounded: a province has tens of thousands of items in use;
  // starting over now and then costs one store read per item.
  if (memory_.size() >= capacity_) memory_.clear();
  return memory_.try_emplace(std::move(key), process).first->second;
}

absl::StatusOr<Process> Processes::Load(store::Connection& db, const Key& key) {
  SQLite::Statement q(db,
                      "SELECT implementation FROM processes WHERE implementation_code = ?"
                      " AND revision = ?");
  q.bind(1, key.first);
  q.bind(2, static_cast<int64_t>(key.second));
  if (!q.executeStep()) return Process();
  const SQLite::Column blob = q.getColumn(0);
  catalog::v1::Implementation implementation;
  if (!implementation.ParseFromArray(blob.getBlob(), blob.getBytes())) {
    return absl::DataLossError(
        absl::StrCat("stored process ", key.first, " r", key.second, " does not parse"));
  }
  return std::make_shared<const catalog::v1::Implementation>(std::move(implementation));
}

absl::StatusOr<Process> Processes::GetStored(store::Connection& tx, const std::string& code,
                                             int64_t revision) {
  Key key(code, revision);
  if (Process hit = Recall(key)) return hit;
  ASSIGN_OR_RETURN(Process loaded, Load(tx, key));
  if (loaded == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("no stored process for ", code, " revision ", revision));
  }
  return Remember(std::move(key), *loaded);
}

absl::StatusOr<Process> Processes::Get(const std::string& code, int64_t revision) {
  Key key(code, revision);
  if (Process hit = Recall(key)) return hit;
  Process stored;
  RETURN_IF_ERROR(db_->Read([&](store::Connection& db) -> absl::Status {
    ASSIGN_OR_RETURN(stored, Load(db, key));
    return absl::OkStatus();
  }));
  if (stored != nullptr) return Remember(std::move(key), *stored);
  if (source_ == nullptr) {
    return absl::UnavailableError("no catalog to read the item's process from");
  }
  ASSIGN_OR_RETURN(catalog::v1::Implementation fetched, source_->Get(code, revision));
  if (fetched.implementation_code() != code || fetched.revision() != revision) {
    return absl::InternalError(absl::StrCat("catalog answered ", fetched.implementation_code(),
                                            " r", fetched.revision(), " for ", code, " r",
                                            revision));
  }
  catalog::v1::Implementation trimmed = Trim(fetched);
  RETURN_IF_ERROR(db_->Write([&](store::Connection& tx) {
    Store(tx, trimmed);
    return absl::OkStatus();
  }));
  return Remember(std::move(key), std::move(trimmed));
}

}  // namespace onewindow::approval
