#include "services/notification/webhook_provider.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/log/json_writer.h"
#include "libs/store/times.h"
#include "services/notification/names.h"
#include "services/notification/signature.h"

namespace onewindow::notification {
namespace {

void Field(absl::string_view name, absl::string_view value, std::string* out) {
  if (out->size() > 1) out->push_back(',');
  log::AppendJsonString(name, out);
  out->push_back(':');
  log::AppendJsonString(value, out);
}

void RawField(absl::string_view name, absl::string_view json, std::string* out) {
  if (out->size() > 1) out->push_back(',');
  log::AppendJsonString(name, out);
  out->push_back(':');
  out->append(json.data(), json.size());
}

}  // namespace

std::string WebhookPayload(const PendingDelivery& d, int attempt, bool include_to,
                           absl::Time sent_at) {
  std::string out = "{";
  Field("delivery_id", d.id, &out);
  RawField("attempt", absl::StrCat(attempt), &out);
  Field("message_id", d.message_id, &out);
  Field("event_id", d.event.event_id(), &out);
  Field("event_type", d.event.type(), &out);
  Field("channel", ChannelName(d.channel), &out);
  Field("recipient_id", d.recipient_id, &out);
  if (include_to) Field("to", d.address, &out);
  Field("language", d.language, &out);
  RawField("template_version", absl::StrCat(d.template_version), &out);
  Field("title", d.title, &out);
  Field("body", d.body, &out);
  RawField("urgent", d.urgent ? "true" : "false", &out);
  // Sorted, so the same message always has the same body and signature.
  std::map<std::string, std::string> params(d.event.params().begin(), d.event.params().end());
  std::string p = "{";
  for (const auto& [k, v] : params) Field(k, v, &p);
  p += "}";
  RawField("params", p, &out);
  Field("create_time", store::FormatUtc(d.create_time), &out);
  Field("sent_at", store::FormatUtc(sent_at), &out);
  out += "}";
  return out;
}

WebhookProvider::WebhookProvider(Options options)
    : options_(std::move(options)), poster_(options_.timeout) {}

SendResult WebhookProvider::Send(const PendingDelivery& d, int attempt) {
  const std::string& target = options_.fixed_url.empty() ? d.address : options_.fixed_url;
  absl::StatusOr<HttpUrl> url = ParseHttpUrl(target);
  if (!url.ok()) {
    return {SendResult::kPermanent, absl::StrCat("bad webhook URL: ", url.status().message())};
  }
  const std::string body = WebhookPayload(d, attempt, !options_.fixed_url.empty(), absl::Now());
  HttpPoster::Headers headers = {
      {kIdempotencyHeader, d.id},
      {kAttemptHeader, absl::StrCat(attempt)},
      {kSignatureHeader, WebhookSignature(options_.secret, body)},
  };
  absl::StatusOr<HttpPoster::Response> response = poster_.Post(*url, headers, body);
  if (!response.ok()) {
    return {SendResult::kTemporary, std::string(response.status().message())};
  }
  const int status = response->status;
  const std::string detail = absl::StrCat("HTTP ", status);
  if (status >= 200 && status < 300) return {SendResult::kDelivered, detail};
  if (status == 408 || status == 429 || status >= 500) return {SendResult::kTemporary, detail};
  return {SendResult::kPermanent, detail};
}

}  // namespace onewindow::notification
