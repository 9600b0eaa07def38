#include "services/notification/notifier.h"

#include <algorithm>

#include <SQLiteCpp/Statement.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/auth/random.h"
#include "libs/codes/mask.h"
#include "libs/codes/utf8.h"
#include "libs/status/macros.h"
#include "libs/store/await.h"
#include "libs/store/times.h"
#include "services/notification/contacts.h"
#include "services/notification/preferences.h"

namespace onewindow::notification {
namespace {

using notification::v1::Channel;

// One external channel the recipient opted in to, with its address.
struct Route {
  Channel channel;
  std::string address;
  std::string masked;
};

std::vector<Route> RoutesFor(const notification::v1::Preferences& p) {
  std::vector<Route> routes;
  if (p.sms())
    routes.push_back({notification::v1::CHANNEL_SMS, p.phone(), codes::MaskPhone(p.phone())});
  if (p.email()) {
    routes.push_back(
        {notification::v1::CHANNEL_EMAIL, p.email_address(), MaskEmail(p.email_address())});
  }
  if (p.webhook()) {
    auto url = ParseHttpUrl(p.webhook_url());
    routes.push_back(
        {notification::v1::CHANNEL_WEBHOOK, p.webhook_url(), url.ok() ? url->host : "invalid"});
  }
  return routes;
}

}  // namespace

absl::Status ValidateEvent(const notification::v1::Event& event) {
  std::vector<std::string> problems;
  auto check_id = [&](const std::string& value, const char* field) {
    if (value.empty()) {
      problems.push_back(absl::StrCat(field, ": required"));
    } else if (value.size() > kMaxIdBytes) {
      problems.push_back(absl::StrCat(field, ": longer than ", kMaxIdBytes, " bytes"));
    }
  };
  check_id(event.event_id(), "event.event_id");
  check_id(event.type(), "event.type");
  // The type travels raw in headers (X-OW-Event-Type of e-mails and
  // webhooks): CR/LF there would add headers or end an SMTP message early.
  if (!std::all_of(event.type().begin(), event.type().end(), [](char c) {
        return absl::ascii_islower(static_cast<unsigned char>(c)) ||
               absl::ascii_isdigit(static_cast<unsigned char>(c)) || c == '_' || c == '.';
      })) {
    problems.push_back("event.type: only lower-case letters, digits, '_' and '.'");
  }
  check_id(event.recipient_id(), "event.recipient_id");
  if (event.params_size() > kMaxParams) {
    problems.push_back(absl::StrCat("event.params: more than ", kMaxParams, " entries"));
  }
  for (const auto& [key, value] : event.params()) {
    // Keys are named as far as they are short enough to read.
    const std::string shown = key.size() > kMaxParamKeyBytes
                                  ? absl::StrCat(codes::Utf8Prefix(key, kMaxParamKeyBytes), "…")
                                  : key;
    if (key.empty()) {
      problems.push_back("event.params: a key is empty");
    } else if (key.size() > kMaxParamKeyBytes) {
      problems.push_back(
          absl::StrCat("event.params[", shown, "]: key longer than ", kMaxParamKeyBytes, " bytes"));
    }
    if (value.size() > kMaxParamBytes) {
      problems.push_back(
          absl::StrCat("event.params[", shown, "]: longer than ", kMaxParamBytes, " bytes"));
    }
  }
  if (!problems.empty()) return absl::InvalidArgumentError(absl::StrJoin(problems, "; "));
  return absl::OkStatus();
}

absl::StatusOr<NotifyResult> Notifier::Notify(const notification::v1::Event& event) {
  return store::Await<absl::StatusOr<NotifyResult>>(
      [&](auto done) { NotifyAsync(event, std::move(done)); });
}

void Notifier::NotifyAsync(const notification::v1::Event& event, NotifyDone done) {
  if (absl::Status invalid = ValidateEvent(event); !invalid.ok()) return done(invalid);
  const absl::Time now = clock_->Now();
  const int64_t stored_now = store::ToStoredTime(now);
  auto result = std::make_shared<NotifyResult>();
  std::string serialized_event;
  event.SerializeToString(&serialized_event);

  db_->WriteGroupedAsync(
      [this, &event, now, stored_now, result,
       serialized_event = std::move(serialized_event)](store::Connection& db) -> absl::Status {
        *result = NotifyResult{};
        auto existing = db.Prepare("SELECT id FROM inbox WHERE event_id = ?");
        existing->bind(1, event.event_id());
        if (existing->executeStep()) {
          result->response.set_created(false);
          result->response.set_message_id(existing->getColumn(0).getString());
          return absl::OkStatus();
        }
        const notification::v1::Preferences prefs =
            PreferencesStore::Load(db, event.recipient_id());
        const Rendered in_app =
            templates_->Render(event, notification::v1::CHANNEL_IN_APP, prefs.language());
        result->templated = in_app.template_version != 0;
        result->missing_params = in_app.missing;
        result->response.set_created(true);
        result->response.set_message_id(absl::StrCat("msg_", auth::RandomHex(12)));

        auto insert = db.Prepare(
            "INSERT INTO inbox(id, event_id, event_type, recipient_id, title,"
            " body, create_time, event, language, template_version)"
            " VALUES(?,?,?,?,?,?,?,?,?,?)");
        insert->bind(1, result->response.message_id());
        insert->bind(2, event.event_id());
        insert->bind(3, event.type());
        insert->bind(4, event.recipient_id());
        insert->bind(5, in_app.title);
        insert->bind(6, in_app.body);
        insert->bind(7, stored_now);
        insert->bind(8, serialized_event.data(), static_cast<int>(serialized_event.size()));
        insert->bind(9, in_app.language);
        insert->bind(10, in_app.template_version);
        insert->exec();

        auto queue = db.Prepare(
            "INSERT INTO deliveries(id, message_id, channel, recipient_id, address,"
            " language, template_version, title, body, urgent, status,"
            " next_attempt_time, create_time, update_time)"
            " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
        for (const Route& route : RoutesFor(prefs)) {
          const Rendered r = templates_->Render(event, route.channel, prefs.language());
          result->missing_params.insert(r.missing.begin(), r.missing.end());
          // Quiet hours hold SMS only, and never an urgent one.
          const absl::Time not_before =
              route.channel == notification::v1::CHANNEL_SMS && !event.urgent()
                  ? QuietHoursRelease(now, quiet_)
                  : now;
          NotifyResult::Queued queued{absl::StrCat("dlv_", auth::RandomHex(12)), route.channel,
                                      route.masked, not_before};
          queue->reset();
          queue->bind(1, queued.delivery_id);
          queue->bind(2, result->response.message_id());
          queue->bind(3, static_cast<int>(route.channel));
          queue->bind(4, event.recipient_id());
          queue->bind(5, route.address);
          queue->bind(6, r.language);
          queue->bind(7, r.template_version);
          queue->bind(8, r.title);
          queue->bind(9, r.body);
          queue->bind(10, event.urgent() ? 1 : 0);
          queue->bind(11, static_cast<int>(notification::v1::QUEUED));
          queue->bind(12, store::ToStoredTime(not_before));
          queue->bind(13, stored_now);
          queue->bind(14, stored_now);
          queue->exec();
          result->deliveries.push_back(std::move(queued));
        }
        return absl::OkStatus();
      },
      [this, result, done = std::move(done)](absl::Status written) mutable {
        if (!written.ok()) return done(written);
        if (metrics_ != nullptr) {
          metrics_->Event(result->response.created());
          if (result->response.created()) {
            metrics_->Message(notification::v1::CHANNEL_IN_APP, notification::v1::DELIVERED);
            for (const auto& d : result->deliveries)
              metrics_->Message(d.channel, notification::v1::QUEUED);
            if (!result->templated) metrics_->RenderGap("no_template");
            if (!result->missing_params.empty()) metrics_->RenderGap("missing_params");
          }
        }
        if (!result->deliveries.empty() && on_queued_) on_queued_();
        done(std::move(*result));
      });
}

}  // namespace onewindow::notification
