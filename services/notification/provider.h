#pragma once

#include <string>

#include "services/notification/deliveries.h"

namespace onewindow::notification {

// What a provider made of one hand-over.
struct SendResult {
  enum Outcome {
    // The provider took the message (it may still report otherwise later
    // through ReportDeliveryStatus).
    kDelivered,
    // Worth trying again later: timeouts, refused connections, 5xx, 429, 4xx SMTP.
    kTemporary,
    // Trying again will not help: the provider refused this message.
    kPermanent,
  };
  Outcome outcome;
  // For the attempt log: a status line, never the recipient's address.
  std::string detail;
};

// One way out: SMTP, an HTTP webhook (also how SMS gateways are reached) or
// the file sink. Every message carries its delivery id as the idempotency
// reference, the same on every attempt, so a receiver can drop a repeat
// (after a timeout, or after a crash between hand-over and its record).
class Provider {
 public:
  virtual ~Provider() = default;
  // For logs, attempt records and rate limits: "smtp", "webhook", ...
  virtual const std::string& name() const = 0;
  // Blocks at most the provider's timeout. Called from several threads.
  virtual SendResult Send(const PendingDelivery& delivery, int attempt) = 0;
};

}  // namespace onewindow::notification
