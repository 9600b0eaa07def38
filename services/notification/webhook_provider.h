#pragma once

#include <string>

#include "absl/time/time.h"
#include "services/notification/http_poster.h"
#include "services/notification/provider.h"

namespace onewindow::notification {

// POSTs each message as JSON, signed with HMAC-SHA-256 over the body
// (X-OW-Signature) and carrying its idempotency reference
// (Idempotency-Key: the delivery id, the same on every attempt) and the
// attempt number (X-OW-Attempt). 2xx is delivered; 408, 429 and 5xx are
// temporary, as are network failures and timeouts; any other status is
// permanent (redirects are not followed).
//
// Two uses: the webhook channel posts to the recipient's own URL; the SMS
// channel posts to the SMS gateway's fixed URL with the phone number in
// "to".
class WebhookProvider : public Provider {
 public:
  struct Options {
    std::string name = "webhook";
    // Empty: post to the delivery's address (the webhook channel).
    std::string fixed_url;
    std::string secret;
    absl::Duration timeout = absl::Seconds(10);
  };
  explicit WebhookProvider(Options options);

  const std::string& name() const override { return options_.name; }
  SendResult Send(const PendingDelivery& delivery, int attempt) override;

 private:
  const Options options_;
  HttpPoster poster_;
};

// The JSON body a webhook receives (exposed for tests and receivers).
// `sent_at` is when this attempt goes out: signed with the rest, so a
// receiver can refuse a captured request replayed later.
std::string WebhookPayload(const PendingDelivery& delivery, int attempt, bool include_to,
                           absl::Time sent_at);

}  // namespace onewindow::notification
