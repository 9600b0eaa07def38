#pragma once

// A notification service's domain objects over a fresh database, standing
// on a fake clock at 10:00 China Standard Time on a Monday.

#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "libs/store/times.h"
#include "libs/testing/process.h"
#include "libs/workday/clock.h"
#include "libs/workday/deadline.h"
#include "services/notification/deliveries.h"
#include "services/notification/inbox.h"
#include "services/notification/metrics.h"
#include "services/notification/notifier.h"
#include "services/notification/preferences.h"
#include "services/notification/schema.h"
#include "services/notification/templates.h"

namespace onewindow::notification::test {

// A moment in China Standard Time.
inline absl::Time Cst(int year, int month, int day, int hour, int minute = 0) {
  return absl::FromCivil(absl::CivilMinute(year, month, day, hour, minute),
                         workday::ChinaStandardTime());
}

inline v1::Event MakeEvent(const std::string& id, const std::string& type,
                           const std::string& recipient,
                           std::map<std::string, std::string> params = {}) {
  v1::Event e;
  e.set_event_id(id);
  e.set_type(type);
  e.set_recipient_id(recipient);
  for (auto& [k, v] : params) (*e.mutable_params())[k] = v;
  return e;
}

struct Fixture {
  Fixture() : clock(Cst(2026, 3, 2, 10)), metrics(&registry) {
    auto opened =
        store::Database::Open({absl::StrCat(dir.path(), "/n.db")}, NotificationMigrations());
    INFO(opened.status().ToString());
    REQUIRE(opened.ok());
    db = std::move(*opened);
    templates = std::make_unique<Templates>(db.get());
    REQUIRE(templates->Initialize(clock.Now()).ok());
    preferences = std::make_unique<PreferencesStore>(db.get());
    inbox = std::make_unique<Inbox>(db.get());
    deliveries = std::make_unique<DeliveryStore>(db.get());
    notifier = std::make_unique<Notifier>(db.get(), templates.get(), &clock, &metrics);
  }

  // Opts `recipient` in to the given channels with working contacts.
  void OptIn(const std::string& recipient, bool sms, bool email, const std::string& webhook_url,
             const std::string& language = "zh-CN") {
    v1::Preferences p;
    p.set_sms(sms);
    p.set_phone(sms ? "13812345678" : "");
    p.set_email(email);
    p.set_email_address(email ? "zhang.san@example.com" : "");
    p.set_webhook(!webhook_url.empty());
    p.set_webhook_url(webhook_url);
    p.set_language(language);
    auto updated = preferences->Update(recipient, p, {}, /*may_set_webhook_url=*/true, clock.Now());
    INFO(updated.status().ToString());
    REQUIRE(updated.ok());
  }

  NotifyResult Notify(const v1::Event& e) {
    auto result = notifier->Notify(e);
    INFO(result.status().ToString());
    REQUIRE(result.ok());
    return *result;
  }

  ::onewindow::testing::TempDir dir;
  workday::FakeClock clock;
  prometheus::Registry registry;
  NotificationMetrics metrics;
  std::unique_ptr<store::Database> db;
  std::unique_ptr<Templates> templates;
  std::unique_ptr<PreferencesStore> preferences;
  std::unique_ptr<Inbox> inbox;
  std::unique_ptr<DeliveryStore> deliveries;
  std::unique_ptr<Notifier> notifier;
};

}  // namespace onewindow::notification::test
