// Notify's fan-out by preferences, its idempotency, quiet hours, the inbox,
// preferences, and who may act for which recipient.
#include <thread>

#include "absl/strings/match.h"
#include "libs/outbox/batch_receiver.h"
#include "services/notification/notification_grpc.h"
#include "services/notification/quiet_hours.h"
#include "tests/unit/notification_fixture.h"

namespace onewindow::notification {
namespace {

using test::Cst;
using test::Fixture;
using test::MakeEvent;

std::map<v1::Channel, v1::Delivery> DeliveriesOf(Fixture& f, const std::string& message_id) {
  auto status = f.deliveries->MessageStatus(message_id);
  REQUIRE(status.ok());
  std::map<v1::Channel, v1::Delivery> out;
  for (const auto& d : status->deliveries()) out[d.channel()] = d;
  return out;
}

TEST_CASE("a repeated event is stored once and answers with the first message") {
  Fixture f;
  f.OptIn("acct-1", true, true, "http://127.0.0.1:9/hook");
  const auto event = MakeEvent("evt-1", "application.accepted", "acct-1", {{"number", "SQ1"}});
  auto first = f.Notify(event);
  auto again = f.Notify(event);
  CHECK(first.response.created());
  CHECK_FALSE(again.response.created());
  CHECK(again.response.message_id() == first.response.message_id());
  CHECK(again.deliveries.empty());
  auto list = f.inbox->List("acct-1", 10, "");
  REQUIRE(list.ok());
  CHECK(list->messages_size() == 1);
  CHECK(DeliveriesOf(f, first.response.message_id()).size() == 3);
}

TEST_CASE("concurrent repeats of one event create one message") {
  Fixture f;
  f.OptIn("acct-1", false, true, "");
  const auto event = MakeEvent("evt-1", "application.approved", "acct-1", {{"number", "SQ1"}});
  std::vector<std::thread> threads;
  std::vector<absl::StatusOr<NotifyResult>> results(8);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] { results[i] = f.notifier->Notify(event); });
  }
  for (auto& t : threads) t.join();
  int created = 0;
  std::set<std::string> ids;
  for (const auto& r : results) {
    REQUIRE(r.ok());
    created += r->response.created() ? 1 : 0;
    ids.insert(r->response.message_id());
  }
  CHECK(created == 1);
  CHECK(ids.size() == 1);
  CHECK(DeliveriesOf(f, *ids.begin()).size() == 1);
}

TEST_CASE("events notified together each get their own answer, an invalid one failing alone") {
  Fixture f;
  f.OptIn("acct-1", false, true, "");
  const std::vector<v1::Event> batch = {
      MakeEvent("evt-1", "application.accepted", "acct-1", {{"number", "SQ1"}}), v1::Event{},
      MakeEvent("evt-2", "application.approved", "acct-2", {{"number", "SQ2"}}),
      MakeEvent("evt-1", "application.accepted", "acct-1", {{"number", "SQ1"}})};
  std::vector<NotifyResult> stored(batch.size());
  api::v1::HandoffResults results;
  outbox::ApplyEach(
      batch.size(),
      [&](size_t i, outbox::Done done) {
        f.notifier->NotifyAsync(batch[i], [&stored, i, done](absl::StatusOr<NotifyResult> r) {
          if (r.ok()) stored[i] = *r;
          done(r.status());
        });
      },
      log::Logger::Stderr("test"), &results);
  REQUIRE(results.results_size() == 4);
  CHECK(results.results(0).code() == 0);
  CHECK(results.results(1).code() == static_cast<int>(absl::StatusCode::kInvalidArgument));
  CHECK(results.results(2).code() == 0);
  CHECK(results.results(3).code() == 0);
  // The repeat inside the batch answers with the first message.
  CHECK(stored[0].response.created());
  CHECK_FALSE(stored[3].response.created());
  CHECK(stored[3].response.message_id() == stored[0].response.message_id());
  CHECK(DeliveriesOf(f, stored[0].response.message_id()).size() == 1);
  auto list = f.inbox->List("acct-2", 10, "");
  REQUIRE(list.ok());
  CHECK(list->messages_size() == 1);
}

TEST_CASE("Notify names every missing field at once") {
  Fixture f;
  auto result = f.notifier->Notify(v1::Event{});
  REQUIRE(result.status().code() == absl::StatusCode::kInvalidArgument);
  const std::string m(result.status().message());
  CHECK(absl::StrContains(m, "event.event_id: required"));
  CHECK(absl::StrContains(m, "event.type: required"));
  CHECK(absl::StrContains(m, "event.recipient_id: required"));

  // Each bad parameter is named by its key (cut when too long to read).
  const std::string long_key(100, 'k');
  auto params = f.notifier->Notify(
      MakeEvent("e-p", "application.accepted", "acct-0",
                {{"", "x"}, {long_key, "y"}, {"reason", std::string(4001, 'r')}}));
  REQUIRE(params.status().code() == absl::StatusCode::kInvalidArgument);
  const std::string p(params.status().message());
  CHECK(absl::StrContains(p, "event.params: a key is empty"));
  CHECK(absl::StrContains(
      p, absl::StrCat("event.params[", std::string(64, 'k'), "…]: key longer than 64 bytes")));
  CHECK(absl::StrContains(p, "event.params[reason]: longer than 4000 bytes"));

  // The type goes into e-mail and webhook headers as it is.
  auto smuggled = f.notifier->Notify(MakeEvent("e-t", "x\r\nBcc: a@example.cn", "acct-0"));
  REQUIRE(smuggled.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(smuggled.status().message(),
                          "event.type: only lower-case letters, digits, '_' and '.'"));
}

TEST_CASE("in-app is always on and the other channels only by opt-in") {
  Fixture f;
  auto nothing = f.Notify(MakeEvent("e0", "application.accepted", "acct-0", {{"number", "SQ0"}}));
  CHECK(nothing.deliveries.empty());
  CHECK(DeliveriesOf(f, nothing.response.message_id()).empty());

  f.OptIn("acct-1", /*sms=*/false, /*email=*/true, "");
  auto mail_only = f.Notify(MakeEvent("e1", "application.accepted", "acct-1", {{"number", "SQ1"}}));
  auto channels = DeliveriesOf(f, mail_only.response.message_id());
  REQUIRE(channels.size() == 1);
  const v1::Delivery& mail = channels.at(v1::CHANNEL_EMAIL);
  CHECK(mail.status() == v1::QUEUED);
  CHECK(mail.address() == "z***@example.com");  // Masked in status answers.
  CHECK(mail.template_version() == 1);

  f.OptIn("acct-2", true, true, "http://127.0.0.1:9/hook", "en");
  auto all = f.Notify(MakeEvent("e2", "application.accepted", "acct-2", {{"number", "SQ2"}}));
  channels = DeliveriesOf(f, all.response.message_id());
  CHECK(channels.size() == 3);
  CHECK(channels.at(v1::CHANNEL_SMS).address() == "138****5678");
  CHECK(channels.at(v1::CHANNEL_WEBHOOK).address() == "127.0.0.1");
  CHECK(channels.at(v1::CHANNEL_SMS).language() == "en");
  auto list = f.inbox->List("acct-2", 10, "");
  REQUIRE(list.ok());
  CHECK(list->messages(0).title() == "Application accepted");
}

TEST_CASE("quiet hours hold a non-urgent SMS until 08:00 China time, and only SMS") {
  Fixture f;
  f.clock.Set(Cst(2026, 3, 2, 23, 30));
  f.OptIn("acct-1", true, true, "");
  auto held = f.Notify(MakeEvent("e1", "application.approved", "acct-1", {{"number", "SQ1"}}));
  auto channels = DeliveriesOf(f, held.response.message_id());
  CHECK(store::FromProtoTime(channels.at(v1::CHANNEL_SMS).next_attempt_time()) ==
        Cst(2026, 3, 3, 8));
  CHECK(store::FromProtoTime(channels.at(v1::CHANNEL_EMAIL).next_attempt_time()) ==
        Cst(2026, 3, 2, 23, 30));

  auto urgent_event = MakeEvent("e2", "case.overdue", "acct-1", {{"number", "SQ1"}});
  urgent_event.set_urgent(true);
  auto urgent = f.Notify(urgent_event);
  CHECK(
      store::FromProtoTime(
          DeliveriesOf(f, urgent.response.message_id()).at(v1::CHANNEL_SMS).next_attempt_time()) ==
      Cst(2026, 3, 2, 23, 30));

  // Early morning: held until 08:00 the same day.
  f.clock.Set(Cst(2026, 3, 3, 6, 15));
  auto early = f.Notify(MakeEvent("e3", "application.approved", "acct-1", {{"number", "SQ3"}}));
  CHECK(store::FromProtoTime(
            DeliveriesOf(f, early.response.message_id()).at(v1::CHANNEL_SMS).next_attempt_time()) ==
        Cst(2026, 3, 3, 8));

  // Nothing due before 08:00 but the e-mail and the urgent SMS.
  f.clock.Set(Cst(2026, 3, 3, 7, 59));
  auto due = f.deliveries->Due(f.clock.Now(), 100);
  REQUIRE(due.ok());
  CHECK(due->size() == 4);  // Three e-mails and the urgent SMS.
  f.clock.Set(Cst(2026, 3, 3, 8));
  due = f.deliveries->Due(f.clock.Now(), 100);
  REQUIRE(due.ok());
  CHECK(due->size() == 6);
}

TEST_CASE("quiet hours run from 22:00 to 08:00 China time whatever the machine's zone") {
  CHECK_FALSE(InQuietHours(Cst(2026, 3, 2, 21, 59)));
  CHECK(InQuietHours(Cst(2026, 3, 2, 22, 0)));
  CHECK(InQuietHours(Cst(2026, 3, 3, 7, 59)));
  CHECK_FALSE(InQuietHours(Cst(2026, 3, 3, 8, 0)));
  CHECK(QuietHoursRelease(Cst(2026, 3, 2, 12)) == Cst(2026, 3, 2, 12));
  CHECK(QuietHoursRelease(Cst(2026, 12, 31, 22, 30)) == Cst(2027, 1, 1, 8));
  // 23:00 UTC is 07:00 CST the next day.
  CHECK(QuietHoursRelease(absl::FromCivil(absl::CivilSecond(2026, 3, 2, 23, 0, 0),
                                          absl::UTCTimeZone())) == Cst(2026, 3, 3, 8));
}

TEST_CASE("the inbox lists unread first in pages and marking read updates the count") {
  Fixture f;
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    f.clock.Advance(absl::Minutes(1));
    ids.push_back(f.Notify(MakeEvent(absl::StrCat("e", i), "application.accepted", "acct-1",
                                     {{"number", absl::StrCat("SQ", i)}}))
                      .response.message_id());
  }
  f.Notify(MakeEvent("other", "application.accepted", "acct-2", {{"number", "SQX"}}));
  auto marked = f.inbox->MarkRead(ids[4]);  // The newest.
  REQUIRE(marked.ok());
  CHECK(marked->marked() == 1);
  CHECK(marked->unread_count() == 4);
  auto again = f.inbox->MarkRead(ids[4]);
  REQUIRE(again.ok());
  CHECK(again->marked() == 0);

  auto page1 = f.inbox->List("acct-1", 3, "");
  REQUIRE(page1.ok());
  REQUIRE(page1->messages_size() == 3);
  CHECK(page1->unread_count() == 4);
  CHECK(page1->messages(0).message_id() == ids[3]);  // Newest unread first.
  CHECK(page1->messages(2).message_id() == ids[1]);
  auto page2 = f.inbox->List("acct-1", 3, page1->next_page_token());
  REQUIRE(page2.ok());
  REQUIRE(page2->messages_size() == 2);
  CHECK(page2->messages(0).message_id() == ids[0]);
  CHECK(page2->messages(1).message_id() == ids[4]);  // Read ones last.
  CHECK(page2->messages(1).read());
  CHECK(page2->next_page_token().empty());
  CHECK(f.inbox->List("acct-1", 101, "").status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(f.inbox->List("acct-1", 3, "x").status().code() == absl::StatusCode::kInvalidArgument);

  auto all = f.inbox->MarkAllRead("acct-1");
  REQUIRE(all.ok());
  CHECK(all->marked() == 4);
  CHECK(*f.inbox->UnreadCount("acct-1") == 0);
  CHECK(*f.inbox->UnreadCount("acct-2") == 1);  // Someone else's untouched.
  CHECK(f.inbox->MarkRead("msg_nope").status().code() == absl::StatusCode::kNotFound);
}

TEST_CASE("paging the inbox while marking messages read lists every message once") {
  Fixture f;
  std::vector<std::string> ids;  // Oldest first.
  for (int i = 0; i < 6; ++i) {
    f.clock.Advance(absl::Minutes(1));
    ids.push_back(f.Notify(MakeEvent(absl::StrCat("e", i), "application.accepted", "acct-1",
                                     {{"number", absl::StrCat("SQ", i)}}))
                      .response.message_id());
  }
  std::vector<std::string> seen;
  std::string token;
  for (int page = 0; page < 10; ++page) {
    auto listed = f.inbox->List("acct-1", 2, token);
    REQUIRE(listed.ok());
    for (const auto& m : listed->messages()) {
      seen.push_back(m.message_id());
      // The app opens each message as it shows it.
      REQUIRE(f.inbox->MarkRead(m.message_id()).ok());
    }
    // A new message arriving meanwhile shows on the next first page.
    if (page == 0) {
      f.clock.Advance(absl::Minutes(1));
      f.Notify(MakeEvent("late", "application.accepted", "acct-1", {{"number", "SQL"}}));
    }
    token = listed->next_page_token();
    if (token.empty()) break;
  }
  const std::vector<std::string> newest_first(ids.rbegin(), ids.rend());
  CHECK(seen == newest_first);
}

TEST_CASE("preferences report every bad value at once") {
  Fixture f;
  v1::Preferences p;
  p.set_sms(true);
  p.set_phone("2381234567");
  p.set_email(true);
  p.set_webhook(true);
  p.set_language("fr");
  auto updated = f.preferences->Update("acct-1", p, {}, true, f.clock.Now());
  REQUIRE(updated.status().code() == absl::StatusCode::kInvalidArgument);
  const std::string m(updated.status().message());
  CHECK(absl::StrContains(m, "preferences.phone: mobile number must be 11 digits"));
  CHECK(absl::StrContains(m, "preferences.email_address: required while email is on"));
  CHECK(absl::StrContains(m, "preferences.webhook_url: required while webhook is on"));
  CHECK(absl::StrContains(m, "preferences.language: must be zh-CN or en"));

  v1::Preferences injection;
  injection.set_email(true);
  injection.set_email_address("a@b.cn>\r\nRCPT TO:<evil@x.cn");
  CHECK(f.preferences->Update("acct-1", injection, {}, true, f.clock.Now()).status().code() ==
        absl::StatusCode::kInvalidArgument);
  v1::Preferences https;
  https.set_webhook(true);
  https.set_webhook_url("ftp://example.com/x");
  CHECK(f.preferences->Update("acct-1", https, {}, true, f.clock.Now()).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(f.preferences->Update("acct-1", p, {"colour"}, true, f.clock.Now()).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("a citizen cannot set a webhook URL but keeps the one a service set") {
  Fixture f;
  v1::Preferences by_service;
  by_service.set_webhook(true);
  by_service.set_webhook_url("http://city.example/hook");
  REQUIRE(
      f.preferences->Update("acct-1", by_service, {"webhook", "webhook_url"}, true, f.clock.Now())
          .ok());

  v1::Preferences by_citizen;
  by_citizen.set_webhook(true);
  by_citizen.set_webhook_url("http://127.0.0.1:50050/");
  CHECK(f.preferences->Update("acct-1", by_citizen, {"webhook_url"}, false, f.clock.Now())
            .status()
            .code() == absl::StatusCode::kPermissionDenied);

  // A whole-record update from the citizen leaves the URL alone.
  v1::Preferences mine;
  mine.set_sms(true);
  mine.set_phone("13812345678");
  mine.set_webhook(true);
  mine.set_webhook_url("http://127.0.0.1:50050/");
  auto updated = f.preferences->Update("acct-1", mine, {}, false, f.clock.Now());
  REQUIRE(updated.ok());
  CHECK(updated->webhook_url() == "http://city.example/hook");
  CHECK(updated->sms());
  CHECK(updated->language() == "zh-CN");
}

TEST_CASE("only the owner, their department's staff and supervisors act for a recipient") {
  auth::v1::Principal citizen;
  citizen.set_kind(auth::v1::CITIZEN);
  citizen.set_subject("acct-1");
  CHECK(*ResolveRecipient(citizen, "", RecipientUse::kRead) == "acct-1");
  CHECK(*ResolveRecipient(citizen, "acct-1", RecipientUse::kWrite) == "acct-1");
  CHECK(ResolveRecipient(citizen, "acct-2", RecipientUse::kRead).status().code() ==
        absl::StatusCode::kNotFound);
  CHECK(ResolveRecipient(citizen, "acct-2", RecipientUse::kPreferences).status().code() ==
        absl::StatusCode::kNotFound);
  CHECK(ResolveRecipient(citizen, "dept:d1", RecipientUse::kRead).status().code() ==
        absl::StatusCode::kNotFound);

  auth::v1::Principal staff;
  staff.set_kind(auth::v1::STAFF);
  staff.set_subject("staff-1");
  staff.set_department_id("d1");
  CHECK(*ResolveRecipient(staff, "dept:d1", RecipientUse::kWrite) == "dept:d1");
  CHECK(ResolveRecipient(staff, "dept:d2", RecipientUse::kRead).status().code() ==
        absl::StatusCode::kNotFound);

  auth::v1::Principal admin;
  admin.set_kind(auth::v1::PLATFORM_ADMIN);
  admin.set_subject("admin");
  CHECK(*ResolveRecipient(admin, "acct-1", RecipientUse::kRead) == "acct-1");
  CHECK(ResolveRecipient(admin, "acct-1", RecipientUse::kWrite).status().code() ==
        absl::StatusCode::kNotFound);

  auth::v1::Principal service;
  service.set_kind(auth::v1::SERVICE);
  service.set_subject("intake");
  CHECK(*ResolveRecipient(service, "acct-1", RecipientUse::kPreferences) == "acct-1");
  CHECK(ResolveRecipient(service, "acct-1", RecipientUse::kRead).status().code() ==
        absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace onewindow::notification
