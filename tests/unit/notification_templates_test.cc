// Templates: placeholder checks when saving, versions, language and channel
// fallback, and the shipped set.
#include <set>

#include "absl/strings/match.h"
#include "services/notification/event_types.h"
#include "services/notification/shipped_templates.h"
#include "tests/unit/notification_fixture.h"

namespace onewindow::notification {
namespace {

using test::Fixture;
using test::MakeEvent;

v1::Template MakeTemplate(const std::string& type, v1::Channel channel, const std::string& language,
                          const std::string& title, const std::string& body) {
  v1::Template t;
  t.set_event_type(type);
  t.set_channel(channel);
  t.set_language(language);
  t.set_title(title);
  t.set_body(body);
  return t;
}

std::string Problem(const absl::Status& s) { return std::string(s.message()); }

TEST_CASE("shipped templates cover every event type in zh-CN and en and pass their own checks") {
  const std::vector<std::string> emitted = {"application.submitted",
                                            "application.accepted",
                                            "application.not_accepted",
                                            "application.supplement_needed",
                                            "application.supplemented",
                                            "application.approved",
                                            "application.rejected",
                                            "application.result_issued",
                                            "application.delivered",
                                            "application.withdrawn",
                                            "case.due_soon",
                                            "case.overdue",
                                            "work_order.received",
                                            "work_order.dispatched",
                                            "work_order.replied",
                                            "work_order.callback_requested",
                                            "work_order.escalated",
                                            "work_order.extension_decided",
                                            "work_order.extension_approved",
                                            "work_order.extension_refused",
                                            "rating.received",
                                            "rating.submitted",
                                            "rating.follow_up",
                                            "rectification.opened"};
  std::set<std::string> keys;
  for (const auto& t : ShippedTemplates()) {
    INFO(t.event_type() << " " << t.language());
    CHECK(CompileTemplate(t).ok());
    keys.insert(absl::StrCat(t.event_type(), "/", t.channel(), "/", t.language()));
  }
  for (const std::string& type : emitted) {
    INFO(type);
    CHECK(FindEventType(type) != nullptr);
    for (const char* lang : {"zh-CN", "en"}) {
      CHECK(keys.count(absl::StrCat(type, "/", v1::CHANNEL_IN_APP, "/", lang)) == 1);
      CHECK(keys.count(absl::StrCat(type, "/", v1::CHANNEL_SMS, "/", lang)) == 1);
    }
  }
  CHECK(EventTypes().size() == emitted.size());
}

TEST_CASE("a template with an unknown placeholder is refused naming the placeholder") {
  Fixture f;
  auto saved = f.templates->Put(MakeTemplate("application.accepted", v1::CHANNEL_IN_APP, "zh-CN",
                                             "已受理", "申请{number}已受理，{applicant_name}您好"),
                                "admin", f.clock.Now());
  REQUIRE(saved.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(Problem(saved.status()),
                          "template.body: unknown placeholder {applicant_name}"));
}

TEST_CASE("a template missing a required placeholder is refused naming it") {
  Fixture f;
  auto saved = f.templates->Put(MakeTemplate("application.rejected", v1::CHANNEL_SMS, "en", "",
                                             "Application {number} was rejected."),
                                "admin", f.clock.Now());
  REQUIRE(saved.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(Problem(saved.status()), "missing placeholder {reason}"));
}

TEST_CASE("every problem of a template is reported at once") {
  Fixture f;
  v1::Template t = MakeTemplate("application.nonsense", v1::CHANNEL_UNSPECIFIED, "fr", "", "");
  auto saved = f.templates->Put(t, "admin", f.clock.Now());
  REQUIRE(saved.status().code() == absl::StatusCode::kInvalidArgument);
  const std::string p = Problem(saved.status());
  CHECK(absl::StrContains(p, "template.event_type: unknown event type 'application.nonsense'"));
  CHECK(absl::StrContains(p, "template.channel: required"));
  CHECK(absl::StrContains(p, "template.language: must be zh-CN or en"));
  CHECK(absl::StrContains(p, "template.title: required"));
  CHECK(absl::StrContains(p, "template.body: required"));
}

TEST_CASE("malformed braces are refused with their position and doubled braces are literal") {
  auto unclosed = TemplateText::Parse("编号{number", "template.body");
  REQUIRE(unclosed.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(Problem(unclosed.status()), "'{' at character 3 is not closed"));
  auto stray = TemplateText::Parse("ab}c", "template.title");
  REQUIRE(stray.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(Problem(stray.status()), "template.title: '}' at character 3"));
  auto bad_name = TemplateText::Parse("x{Number}", "template.body");
  CHECK(bad_name.status().code() == absl::StatusCode::kInvalidArgument);
  auto literal = TemplateText::Parse("{{{number}}}", "template.body");
  REQUIRE(literal.ok());
  CHECK(literal->placeholders() == std::set<std::string>{"number"});
  CHECK(literal->Render({{"number", "SQ1"}}) == "{SQ1}");
}

TEST_CASE("an SMS template may not have a title") {
  Fixture f;
  auto saved = f.templates->Put(
      MakeTemplate("application.approved", v1::CHANNEL_SMS, "zh-CN", "标题", "申请{number}通过"),
      "admin", f.clock.Now());
  REQUIRE(saved.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(Problem(saved.status()), "template.title: SMS templates have no title"));
}

TEST_CASE("each save adds a version and messages keep the version they were rendered with") {
  Fixture f;
  auto first = f.Notify(
      MakeEvent("e1", "application.approved", "acct-1", {{"number", "SQ1"}, {"item_name", "X"}}));
  auto v2 = f.templates->Put(MakeTemplate("application.approved", v1::CHANNEL_IN_APP, "zh-CN",
                                          "好消息", "申请{number}已通过（新版）"),
                             "admin", f.clock.Now());
  REQUIRE(v2.ok());
  CHECK(v2->version() == 2);
  CHECK(v2->author() == "admin");
  auto second = f.Notify(MakeEvent("e2", "application.approved", "acct-1", {{"number", "SQ2"}}));

  auto list = f.inbox->List("acct-1", 10, "");
  REQUIRE(list.ok());
  REQUIRE(list->messages_size() == 2);
  std::map<std::string, v1::InboxMessage> by_id;
  for (const auto& m : list->messages()) by_id[m.message_id()] = m;
  const auto& old_message = by_id.at(first.response.message_id());
  const auto& new_message = by_id.at(second.response.message_id());
  CHECK(old_message.template_version() == 1);
  CHECK(old_message.title() == "申请已通过");
  CHECK(new_message.template_version() == 2);
  CHECK(new_message.title() == "好消息");
  CHECK(new_message.body() == "申请SQ2已通过（新版）");

  // The old version stays readable.
  auto v1_again = f.templates->Get("application.approved", v1::CHANNEL_IN_APP, "zh-CN", 1);
  REQUIRE(v1_again.ok());
  CHECK(v1_again->title() == "申请已通过");
  CHECK(v1_again->author() == "shipped");
}

TEST_CASE("saving the same text again adds no version") {
  Fixture f;
  auto t = MakeTemplate("case.overdue", v1::CHANNEL_IN_APP, "en", "Overdue", "Case {number} late");
  auto a = f.templates->Put(t, "admin", f.clock.Now());
  auto b = f.templates->Put(t, "admin2", f.clock.Now());
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->version() == 2);
  CHECK(b->version() == 2);
}

TEST_CASE("a recipient's language picks the template and a missing one falls back") {
  Fixture f;
  const auto event = MakeEvent("e1", "application.not_accepted", "acct-en",
                               {{"number", "SQ9"}, {"item_name", "Passport"}, {"reason", "late"}});
  Rendered en_sms = f.templates->Render(event, v1::CHANNEL_SMS, "en");
  CHECK(en_sms.language == "en");
  CHECK(en_sms.body == "[OneWindow] Application SQ9 was not accepted. Reason: late.");
  CHECK(en_sms.template_channel == v1::CHANNEL_SMS);

  // E-mail has no template of its own: the in-app one in the same language.
  Rendered en_mail = f.templates->Render(event, v1::CHANNEL_EMAIL, "en");
  CHECK(en_mail.template_channel == v1::CHANNEL_IN_APP);
  CHECK(en_mail.title == "Application not accepted");

  // Retire the English SMS and the English in-app: Chinese takes over.
  REQUIRE(
      f.templates->Delete("application.not_accepted", v1::CHANNEL_SMS, "en", "admin", f.clock.Now())
          .ok());
  Rendered after_sms = f.templates->Render(event, v1::CHANNEL_SMS, "en");
  CHECK(after_sms.template_channel == v1::CHANNEL_IN_APP);
  CHECK(after_sms.language == "en");
  REQUIRE(f.templates
              ->Delete("application.not_accepted", v1::CHANNEL_IN_APP, "en", "admin", f.clock.Now())
              .ok());
  Rendered zh = f.templates->Render(event, v1::CHANNEL_SMS, "en");
  CHECK(zh.language == "zh-CN");
  CHECK(zh.body == "【一网通办】您的申请SQ9不予受理，理由：late。");
  // Deleting twice is NOT_FOUND; the current version is gone, history stays.
  CHECK(
      f.templates->Delete("application.not_accepted", v1::CHANNEL_SMS, "en", "admin", f.clock.Now())
          .status()
          .code() == absl::StatusCode::kNotFound);
  CHECK(f.templates->Get("application.not_accepted", v1::CHANNEL_SMS, "en", 0).status().code() ==
        absl::StatusCode::kNotFound);
  CHECK(f.templates->Get("application.not_accepted", v1::CHANNEL_SMS, "en", 1).ok());
  // A key no template can have is a wrong request naming the field, and
  // deleting it stores nothing.
  const auto odd_channel = f.templates->Delete(
      "application.not_accepted", static_cast<v1::Channel>(99), "en", "admin", f.clock.Now());
  CHECK(odd_channel.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(odd_channel.status().message(), "channel: required"));
  const auto odd_key = f.templates->Get("no.such", v1::CHANNEL_SMS, "fr", 0);
  CHECK(odd_key.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(odd_key.status().message(), "event_type: unknown event type"));
  CHECK(absl::StrContains(odd_key.status().message(), "language: must be zh-CN or en"));
}

TEST_CASE("a parameter the event lacks renders empty and is reported") {
  Fixture f;
  auto result = f.Notify(MakeEvent("e1", "application.rejected", "acct-1", {{"number", "SQ1"}}));
  CHECK(result.templated);
  CHECK(result.missing_params == std::set<std::string>{"item_name", "reason"});
}

TEST_CASE("an event type without a template still reaches the inbox as generic text") {
  Fixture f;
  auto result = f.Notify(MakeEvent("e1", "application.teleported", "acct-1", {{"number", "SQ1"}}));
  CHECK_FALSE(result.templated);
  auto list = f.inbox->List("acct-1", 10, "");
  REQUIRE(list.ok());
  REQUIRE(list->messages_size() == 1);
  CHECK(list->messages(0).title() == "application.teleported");
  CHECK(list->messages(0).body() == "number: SQ1");
  CHECK(list->messages(0).template_version() == 0);
}

TEST_CASE("templates survive a restart: the cache reloads current versions and tombstones") {
  Fixture f;
  REQUIRE(f.templates
              ->Put(MakeTemplate("case.due_soon", v1::CHANNEL_IN_APP, "zh-CN", "快到期",
                                 "办件{number}将于{due_date}到期"),
                    "admin", f.clock.Now())
              .ok());
  REQUIRE(
      f.templates->Delete("case.due_soon", v1::CHANNEL_SMS, "zh-CN", "admin", f.clock.Now()).ok());
  Templates reloaded(f.db.get());
  REQUIRE(reloaded.Initialize(f.clock.Now()).ok());
  const auto event =
      MakeEvent("e", "case.due_soon", "dept:1", {{"number", "N"}, {"due_date", "D"}});
  CHECK(reloaded.Render(event, v1::CHANNEL_IN_APP, "zh-CN").title == "快到期");
  // The deleted SMS template was not seeded again.
  CHECK(reloaded.Render(event, v1::CHANNEL_SMS, "zh-CN").template_channel == v1::CHANNEL_IN_APP);
}

}  // namespace
}  // namespace onewindow::notification
