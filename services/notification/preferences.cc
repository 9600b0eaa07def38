#include "services/notification/preferences.h"

#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/codes/phone.h"
#include "libs/status/macros.h"
#include "libs/store/times.h"
#include "services/notification/contacts.h"
#include "services/notification/templates.h"

namespace onewindow::notification {
namespace {

using notification::v1::Preferences;

const std::vector<std::string>& AllFields() {
  static const auto* const kFields = new std::vector<std::string>{
      "sms", "email", "webhook", "phone", "email_address", "webhook_url", "language"};
  return *kFields;
}

void Apply(const std::string& field, const Preferences& from, Preferences* to) {
  if (field == "sms") to->set_sms(from.sms());
  if (field == "email") to->set_email(from.email());
  if (field == "webhook") to->set_webhook(from.webhook());
  if (field == "phone") to->set_phone(from.phone());
  if (field == "email_address") to->set_email_address(from.email_address());
  if (field == "webhook_url") to->set_webhook_url(from.webhook_url());
  if (field == "language") to->set_language(from.language().empty() ? kZhCn : from.language());
}

absl::Status Validate(const Preferences& p) {
  std::vector<std::string> problems;
  if (!p.phone().empty()) {
    if (absl::Status s = codes::ValidatePhone(p.phone()); !s.ok()) {
      problems.push_back(absl::StrCat("preferences.phone: ", s.message()));
    }
  } else if (p.sms()) {
    problems.push_back("preferences.phone: required while sms is on");
  }
  if (!p.email_address().empty()) {
    if (absl::Status s = ValidateEmailAddress(p.email_address()); !s.ok()) {
      problems.push_back(absl::StrCat("preferences.email_address: ", s.message()));
    }
  } else if (p.email()) {
    problems.push_back("preferences.email_address: required while email is on");
  }
  if (!p.webhook_url().empty()) {
    if (auto url = ParseHttpUrl(p.webhook_url()); !url.ok()) {
      problems.push_back(absl::StrCat("preferences.webhook_url: ", url.status().message()));
    }
  } else if (p.webhook()) {
    problems.push_back("preferences.webhook_url: required while webhook is on");
  }
  if (!IsSupportedLanguage(p.language())) {
    problems.push_back("preferences.language: must be zh-CN or en");
  }
  if (!problems.empty()) return absl::InvalidArgumentError(absl::StrJoin(problems, "; "));
  return absl::OkStatus();
}

}  // namespace

Preferences PreferencesStore::Load(store::Connection& tx, const std::string& recipient_id) {
  Preferences p;
  p.set_recipient_id(recipient_id);
  p.set_language(kZhCn);
  auto query = tx.Prepare(
      "SELECT sms, email, webhook, phone, email_address, webhook_url, language,"
      " update_time FROM preferences WHERE recipient_id = ?");
  query->bind(1, recipient_id);
  if (query->executeStep()) {
    p.set_sms(query->getColumn(0).getInt() != 0);
    p.set_email(query->getColumn(1).getInt() != 0);
    p.set_webhook(query->getColumn(2).getInt() != 0);
    p.set_phone(query->getColumn(3).getString());
    p.set_email_address(query->getColumn(4).getString());
    p.set_webhook_url(query->getColumn(5).getString());
    p.set_language(query->getColumn(6).getString());
    *p.mutable_update_time() =
        store::ToProtoTime(store::FromStoredTime(query->getColumn(7).getInt64()));
  }
  return p;
}

absl::StatusOr<Preferences> PreferencesStore::Get(const std::string& recipient_id) const {
  Preferences p;
  RETURN_IF_ERROR(db_->Read([&](store::Connection& db) {
    p = Load(db, recipient_id);
    return absl::OkStatus();
  }));
  return p;
}

absl::StatusOr<Preferences> PreferencesStore::Update(const std::string& recipient_id,
                                                     const Preferences& changes,
                                                     const std::vector<std::string>& fields,
                                                     bool may_set_webhook_url, absl::Time now) {
  if (recipient_id.empty()) return absl::InvalidArgumentError("recipient_id: required");
  std::set<std::string> chosen(fields.begin(), fields.end());
  std::vector<std::string> problems;
  for (const std::string& f : chosen) {
    if (std::find(AllFields().begin(), AllFields().end(), f) == AllFields().end()) {
      problems.push_back(absl::StrCat("fields: unknown field '", f, "'"));
    }
  }
  if (!problems.empty()) return absl::InvalidArgumentError(absl::StrJoin(problems, "; "));
  if (chosen.empty()) {
    chosen.insert(AllFields().begin(), AllFields().end());
    // A caller who may not set the URL keeps the one a service set.
    if (!may_set_webhook_url) chosen.erase("webhook_url");
  } else if (chosen.count("webhook_url") != 0 && !may_set_webhook_url) {
    return absl::PermissionDeniedError(
        "preferences.webhook_url: only services and platform admins set webhook addresses");
  }

  Preferences result;
  RETURN_IF_ERROR(db_->Write([&](store::Connection& db) -> absl::Status {
    result = Load(db, recipient_id);
    for (const std::string& f : chosen) Apply(f, changes, &result);
    RETURN_IF_ERROR(Validate(result));
    *result.mutable_update_time() = store::ToProtoTime(now);
    SQLite::Statement upsert(
        db,
        "INSERT INTO preferences(recipient_id, sms, email, webhook, phone, email_address,"
        " webhook_url, language, update_time) VALUES(?,?,?,?,?,?,?,?,?)"
        " ON CONFLICT(recipient_id) DO UPDATE SET sms = excluded.sms, email = excluded.email,"
        " webhook = excluded.webhook, phone = excluded.phone,"
        " email_address = excluded.email_address, webhook_url = excluded.webhook_url,"
        " language = excluded.language, update_time = excluded.update_time");
    upsert.bind(1, recipient_id);
    upsert.bind(2, result.sms() ? 1 : 0);
    upsert.bind(3, result.email() ? 1 : 0);
    upsert.bind(4, result.webhook() ? 1 : 0);
    upsert.bind(5, result.phone());
    upsert.bind(6, result.email_address());
    upsert.bind(7, result.webhook_url());
    upsert.bind(8, result.language());
    upsert.bind(9, store::ToStoredTime(now));
    upsert.exec();
    return absl::OkStatus();
  }));
  return result;
}

}  // namespace onewindow::notification
