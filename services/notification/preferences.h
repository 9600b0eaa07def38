#pragma once

#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/store/database.h"
#include "onewindow/notification/v1/notification.pb.h"

namespace onewindow::notification {

// A recipient's channels and contacts. In-app is always on; SMS, e-mail and
// webhook are opt-in and need their contact.
class PreferencesStore {
 public:
  explicit PreferencesStore(store::Database* db) : db_(db) {}

  // The stored preferences, or the defaults (zh-CN, nothing opted in).
  absl::StatusOr<notification::v1::Preferences> Get(const std::string& recipient_id) const;
  // The same inside a caller's transaction (Notify reads them in its write).
  static notification::v1::Preferences Load(store::Connection& tx, const std::string& recipient_id);

  // Changes `fields` of the stored preferences to the values in `changes`
  // (every field the caller may set when `fields` is empty). Only callers
  // with `may_set_webhook_url` (services, platform admins) change the
  // webhook URL: PERMISSION_DENIED for anyone else naming it. Every invalid
  // value is reported at once as INVALID_ARGUMENT.
  absl::StatusOr<notification::v1::Preferences> Update(const std::string& recipient_id,
                                                       const notification::v1::Preferences& changes,
                                                       const std::vector<std::string>& fields,
                                                       bool may_set_webhook_url, absl::Time now);

 private:
  store::Database* const db_;
};

}  // namespace onewindow::notification
