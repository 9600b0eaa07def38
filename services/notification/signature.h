#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace onewindow::notification {

// Webhook requests carry "X-OW-Signature: sha256=<hex HMAC-SHA-256 of the
// body under the shared secret>", so a receiver knows they came from us and
// were not altered. The signed body holds the delivery_id (the same as the
// Idempotency-Key header, which is not signed: deduplicate on the body's)
// and sent_at, when the attempt went out, so a receiver refuses a request
// replayed minutes later.
inline constexpr char kSignatureHeader[] = "X-OW-Signature";
inline constexpr char kIdempotencyHeader[] = "Idempotency-Key";
inline constexpr char kAttemptHeader[] = "X-OW-Attempt";

std::string WebhookSignature(absl::string_view secret, absl::string_view body);

// Constant-time check of a received signature header value.
bool VerifyWebhookSignature(absl::string_view secret, absl::string_view body,
                            absl::string_view header_value);

}  // namespace onewindow::notification
