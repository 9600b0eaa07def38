#pragma once

#include <string>

#include "absl/time/time.h"
#include "services/notification/provider.h"

namespace onewindow::notification {

// E-mail over plain SMTP (RFC 5321) to one relay, usually the MTA next to
// the service, which owns TLS, authentication and onward delivery: EHLO,
// MAIL FROM, RCPT TO, DATA, QUIT on a fresh connection per message.
// Replies 4xx are temporary, 5xx permanent; a broken connection or a
// timeout is temporary. The idempotency reference travels as the
// Message-ID (<delivery id@host>), the same on every attempt, which mail
// systems use to drop duplicates; a connection lost after the final "."
// but before the relay's answer is the one case a retry may show twice in
// a mailbox without such a system.
class SmtpProvider : public Provider {
 public:
  struct Options {
    std::string name = "smtp";
    std::string host = "127.0.0.1";
    int port = 25;
    std::string from = "noreply@onewindow.local";
    std::string helo = "onewindow.local";
    absl::Duration timeout = absl::Seconds(15);
  };
  explicit SmtpProvider(Options options) : options_(std::move(options)) {}

  const std::string& name() const override { return options_.name; }
  SendResult Send(const PendingDelivery& delivery, int attempt) override;

 private:
  const Options options_;
};

// The RFC 5322 message (headers and base64 body, CRLF line ends).
std::string SmtpMessage(const PendingDelivery& delivery, int attempt, const std::string& from,
                        const std::string& helo, absl::Time now);

}  // namespace onewindow::notification
