#include "services/catalog/items.h"

#include <optional>
#include <unordered_map>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "libs/codes/item_code.h"
#include "libs/status/macros.h"
#include "libs/store/times.h"
#include "services/catalog/department_store.h"
#include "services/catalog/item_store.h"
#include "services/catalog/text.h"
#include "services/catalog/validation.h"

namespace onewindow::catalog {
namespace {

using catalog::v1::BasicItem;
using catalog::v1::Department;
using catalog::v1::Implementation;

constexpr int kMaxReasonChars = 500;

// A revision read shows the item's present state: withdrawal applies to
// every revision.
void Overlay(const CurrentItem& current, Implementation* impl) {
  if (current.state != catalog::v1::WITHDRAWN) return;
  impl->set_state(catalog::v1::WITHDRAWN);
  if (current.withdrawn_at.has_value()) {
    *impl->mutable_withdraw_time() =
        store::ToProtoTime(store::FromStoredTime(*current.withdrawn_at));
  }
  impl->set_withdraw_reason(current.withdraw_reason);
}

absl::Status CheckImplementationCode(const std::string& code) {
  if (code.empty()) return absl::InvalidArgumentError("implementation_code: required");
  absl::Status s = codes::ValidateImplementationCode(code);
  if (!s.ok()) {
    absl::string_view message = s.message();
    absl::ConsumePrefix(&message, "implementation code: ");
    return absl::InvalidArgumentError(absl::StrCat("implementation_code: ", message));
  }
  return absl::OkStatus();
}

void Reject(catalog::v1::ImportResponse* response, size_t index, const std::string& key,
            absl::string_view reason) {
  catalog::v1::ImportRejection* r = response->add_rejected();
  r->set_index(static_cast<int>(index));
  r->set_key(key);
  r->set_reason(std::string(reason));
}

}  // namespace

// Facts for validation, read through statements prepared once per batch
// and remembered: an import names the same departments and basic items
// over and over. std::unordered_map keeps element addresses stable.
class Items::Facts final : public CatalogFacts {
 public:
  Facts(store::Connection& db, BasicCache* shared)
      : departments_(db), basics_(db), shared_(shared), generation_(shared->generation()) {}

  const Department* FindDepartment(const std::string& credit_code) override {
    auto it = departments_seen_.find(credit_code);
    if (it == departments_seen_.end()) {
      it = departments_seen_.emplace(credit_code, departments_.Get(credit_code)).first;
    }
    return it->second.has_value() ? &*it->second : nullptr;
  }

  const BasicItem* FindBasicItem(const std::string& basic_code) override {
    auto it = basics_seen_.find(basic_code);
    if (it == basics_seen_.end()) {
      std::shared_ptr<const BasicItem> item = shared_->Find(basic_code);
      if (item == nullptr) {
        if (std::optional<BasicItem> stored = basics_.Get(basic_code)) {
          item = std::make_shared<const BasicItem>(*std::move(stored));
          shared_->Put(basic_code, item, generation_);
        }
      }
      it = basics_seen_.emplace(basic_code, std::move(item)).first;
    }
    return it->second.get();
  }

  bool RegionExists(const std::string& region_code) override {
    return departments_.RegionExists(region_code);
  }

 private:
  DepartmentStore::Reader departments_;
  ItemStore::BasicReader basics_;
  BasicCache* shared_;
  const uint64_t generation_;
  std::unordered_map<std::string, std::optional<Department>> departments_seen_;
  std::unordered_map<std::string, std::shared_ptr<const BasicItem>> basics_seen_;
};

std::shared_ptr<const BasicItem> Items::BasicCache::Find(const std::string& basic_code) const {
  absl::MutexLock lock(&mu_);
  auto it = items_.find(basic_code);
  return it == items_.end() ? nullptr : it->second;
}

void Items::BasicCache::Put(const std::string& basic_code, std::shared_ptr<const BasicItem> item,
                            uint64_t generation) {
  absl::MutexLock lock(&mu_);
  if (generation == generation_) items_.emplace(basic_code, std::move(item));
}

uint64_t Items::BasicCache::generation() const {
  absl::MutexLock lock(&mu_);
  return generation_;
}

void Items::BasicCache::Clear() {
  absl::MutexLock lock(&mu_);
  ++generation_;
  items_.clear();
}

absl::StatusOr<size_t> Items::LoadIndex() {
  absl::MutexLock lock(&publish_mu_);
  size_t loaded = 0;
  absl::Status read;
  // Row by row, straight from SQLite's buffers into the index: nothing is
  // copied on the way.
  index_->Load([&](absl::FunctionRef<void(const IndexEntry&)> add) {
    read = db_->Read([&](store::Connection& db) {
      ItemStore::ForEachPublished(db, [&](const IndexEntry& entry) {
        add(entry);
        ++loaded;
      });
      return absl::OkStatus();
    });
  });
  RETURN_IF_ERROR(read);
  return loaded;
}

absl::StatusOr<catalog::v1::ImportResponse> Items::ImportBasicItems(std::vector<BasicItem> items) {
  catalog::v1::ImportResponse response;
  RETURN_IF_ERROR(db_->Write([&](store::Connection& db) -> absl::Status {
    response.Clear();
    ItemStore::Batch batch(db);
    int accepted = 0;
    for (size_t i = 0; i < items.size(); ++i) {
      absl::Status s = NormalizeBasicItem(&items[i]);
      if (!s.ok()) {
        Reject(&response, i, items[i].basic_code(), s.message());
        continue;
      }
      batch.UpsertBasic(items[i]);
      ++accepted;
    }
    response.set_accepted(accepted);
    return absl::OkStatus();
  }));
  basic_cache_.Clear();
  return response;
}

absl::StatusOr<BasicItem> Items::GetBasicItem(const std::string& basic_code) const {
  if (absl::Status s = codes::ValidateBasicCode(basic_code); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("basic_code: ", s.message()));
  }
  std::optional<BasicItem> item;
  RETURN_IF_ERROR(db_->Read([&](store::Connection& db) {
    item = ItemStore::GetBasic(db, basic_code);
    return absl::OkStatus();
  }));
  if (!item.has_value()) {
    return absl::NotFoundError(absl::StrCat("basic item ", basic_code, " not found"));
  }
  return *std::move(item);
}

absl::Status Items::PrepareBatch(const google::protobuf::RepeatedPtrField<Implementation>& impls,
                                 absl::Time now, Authorize authorize,
                                 google::protobuf::Arena* arena, std::vector<Prepared>* prepared,
                                 catalog::v1::ImportResponse* rejections) {
  prepared->clear();
  prepared->reserve(impls.size());
  return db_->Read([&](store::Connection& db) -> absl::Status {
    Facts facts(db, &basic_cache_);
    for (int i = 0; i < impls.size(); ++i) {
      const Implementation& given = impls.Get(i);
      absl::StatusOr<std::string> owner =
          ImplementingDepartment("implementation.implementation_code", given.implementation_code());
      if (!owner.ok()) {
        Reject(rejections, i, given.implementation_code(), owner.status().message());
        continue;
      }
      if (absl::Status allowed = authorize(*owner); !allowed.ok()) {
        Reject(rejections, i, given.implementation_code(), allowed.message());
        continue;
      }
      // Validation fills fields in, so it works on a copy; on the arena the
      // copy costs no malloc per field.
      Implementation* impl = google::protobuf::Arena::CreateMessage<Implementation>(arena);
      impl->CopyFrom(given);
      if (absl::Status s = PrepareImplementation(impl, facts); !s.ok()) {
        // Only rule violations are the entry's fault; a storage failure
        // fails the batch so nothing is half-imported.
        if (s.code() != absl::StatusCode::kInvalidArgument) return s;
        Reject(rejections, i, given.implementation_code(), s.message());
        continue;
      }
      impl->clear_revision();
      impl->set_state(catalog::v1::PUBLISHED);
      *impl->mutable_publish_time() = store::ToProtoTime(now);
      impl->clear_withdraw_time();
      impl->clear_withdraw_reason();
      Prepared& p = prepared->emplace_back();
      p.index = i;
      p.impl = impl;
      p.lists = JoinLists(*impl);
      impl->SerializeToString(&p.body);
    }
    return absl::OkStatus();
  });
}

absl::Status Items::CommitBatch(std::vector<Prepared>& prepared, absl::Time now) {
  if (prepared.empty()) return absl::OkStatus();
  absl::MutexLock lock(&publish_mu_);
  std::vector<IndexEntry> entries;
  entries.reserve(prepared.size());
  RETURN_IF_ERROR(db_->Write([&](store::Connection& db) -> absl::Status {
    entries.clear();
    ItemStore::Batch batch(db);
    const int64_t published_at = store::ToStoredTime(now);
    absl::flat_hash_map<std::string, std::string> department_names;
    for (Prepared& p : prepared) {
      if (p.expected_revision > 0) {
        const std::optional<CurrentItem> current =
            ItemStore::GetCurrent(db, p.impl->implementation_code());
        const int64_t now_at = current.has_value() ? current->revision : 0;
        if (now_at != p.expected_revision) {
          return absl::AbortedError(
              absl::StrCat("expected_revision: ", p.impl->implementation_code(), " is at revision ",
                           now_at, ", not ", p.expected_revision,
                           "; someone published since: read it again and redo "
                           "the edit on it"));
        }
        // A withdrawal keeps the revision; an edit must not bring the item
        // back without the editor knowing it was withdrawn.
        if (current->state == catalog::v1::WITHDRAWN) {
          return absl::AbortedError(
              absl::StrCat("expected_revision: ", p.impl->implementation_code(),
                           " has been withdrawn; to publish it again, send expected_revision 0"));
        }
      }
      // The department's name as committed now: a rename may have landed
      // since this entry was prepared, and must not be undone by it.
      auto [name, fresh] = department_names.try_emplace(p.impl->department_credit_code());
      if (fresh) {
        const std::optional<catalog::v1::Department> department =
            DepartmentStore::Get(db, p.impl->department_credit_code());
        name->second = department.has_value() ? department->name() : p.impl->department_name();
      }
      if (name->second != p.impl->department_name()) p.impl->set_department_name(name->second);
      const ItemStore::Published published = batch.Publish(*p.impl, p.lists, p.body, published_at);
      p.impl->set_revision(published.revision);
      entries.push_back(
          EntryFromImplementation(static_cast<uint32_t>(published.id), *p.impl, p.lists));
    }
    return absl::OkStatus();
  }));
  index_->UpsertBatch(entries);
  return absl::OkStatus();
}

absl::StatusOr<Implementation> Items::Publish(Implementation impl, absl::Time now,
                                              int64_t expected_revision) {
  if (expected_revision < 0) {
    return absl::InvalidArgumentError("expected_revision: must be >= 0 (0 = not checked)");
  }
  google::protobuf::RepeatedPtrField<Implementation> one;
  *one.Add() = std::move(impl);
  google::protobuf::Arena arena;
  std::vector<Prepared> prepared;
  catalog::v1::ImportResponse rejections;
  RETURN_IF_ERROR(PrepareBatch(
      one, now, [](const std::string&) { return absl::OkStatus(); }, &arena, &prepared,
      &rejections));
  if (!rejections.rejected().empty()) {
    return absl::InvalidArgumentError(rejections.rejected(0).reason());
  }
  prepared.front().expected_revision = expected_revision;
  RETURN_IF_ERROR(CommitBatch(prepared, now));
  Implementation published;
  published.CopyFrom(*prepared.front().impl);
  return published;
}

absl::StatusOr<catalog::v1::ImportResponse> Items::ImportImplementations(
    const google::protobuf::RepeatedPtrField<Implementation>& impls, absl::Time now,
    Authorize authorize) {
  if (impls.size() > kMaxImportEntries) {
    return absl::InvalidArgumentError(absl::StrCat("implementations: at most ", kMaxImportEntries,
                                                   " per call, got ", impls.size(),
                                                   "; send them in batches"));
  }
  google::protobuf::Arena arena;
  std::vector<Prepared> prepared;
  catalog::v1::ImportResponse response;
  RETURN_IF_ERROR(PrepareBatch(impls, now, authorize, &arena, &prepared, &response));
  RETURN_IF_ERROR(CommitBatch(prepared, now));
  response.set_accepted(static_cast<int>(prepared.size()));
  return response;
}

absl::StatusOr<Implementation> Items::Withdraw(const std::string& code, const std::string& reason,
                                               absl::Time now) {
  RETURN_IF_ERROR(CheckImplementationCode(code));
  const int reason_chars = CountCodePoints(reason);
  if (TrimSpaces(reason).empty()) return absl::InvalidArgumentError("reason: required");
  if (reason_chars < 0) return absl::InvalidArgumentError("reason: not valid UTF-8");
  if (reason_chars > kMaxReasonChars) {
    return absl::InvalidArgumentError(
        absl::StrCat("reason: at most ", kMaxReasonChars, " characters"));
  }
  absl::MutexLock lock(&publish_mu_);
  Implementation impl;
  std::optional<uint32_t> removed;
  RETURN_IF_ERROR(db_->Write([&](store::Connection& db) -> absl::Status {
    std::optional<CurrentItem> current = ItemStore::GetCurrent(db, code);
    if (!current.has_value()) {
      return absl::NotFoundError(absl::StrCat("implementation ", code, " not found"));
    }
    if (current->state != catalog::v1::WITHDRAWN) {
      ItemStore::MarkWithdrawn(db, current->id, store::ToStoredTime(now), reason);
      current->state = catalog::v1::WITHDRAWN;
      current->withdrawn_at = store::ToStoredTime(now);
      current->withdraw_reason = reason;
      removed = static_cast<uint32_t>(current->id);
    }
    std::optional<Implementation> stored =
        ItemStore::GetRevision(db, current->id, current->revision);
    if (!stored.has_value()) {
      return absl::InternalError(
          absl::StrCat("implementation ", code, " revision ", current->revision, " is missing"));
    }
    impl = *std::move(stored);
    Overlay(*current, &impl);
    return absl::OkStatus();
  }));
  if (removed.has_value()) index_->Remove(*removed);
  return impl;
}

absl::StatusOr<Implementation> Items::Get(const std::string& code, int64_t revision) const {
  RETURN_IF_ERROR(CheckImplementationCode(code));
  if (revision < 0) return absl::InvalidArgumentError("revision: must be >= 0 (0 = current)");
  std::optional<CurrentItem> current;
  std::optional<Implementation> impl;
  RETURN_IF_ERROR(db_->Read([&](store::Connection& db) {
    current = ItemStore::GetCurrent(db, code);
    if (current.has_value() && revision <= current->revision) {
      impl = ItemStore::GetRevision(db, current->id, revision == 0 ? current->revision : revision);
    }
    return absl::OkStatus();
  }));
  if (!current.has_value()) {
    return absl::NotFoundError(absl::StrCat("implementation ", code, " not found"));
  }
  if (revision > current->revision) {
    return absl::NotFoundError(absl::StrCat("implementation ", code, " has no revision ", revision,
                                            " (latest is ", current->revision, ")"));
  }
  if (!impl.has_value()) {
    return absl::InternalError(absl::StrCat("implementation ", code, " revision ",
                                            revision == 0 ? current->revision : revision,
                                            " is missing or unreadable"));
  }
  Overlay(*current, &*impl);
  return *std::move(impl);
}

}  // namespace onewindow::catalog
