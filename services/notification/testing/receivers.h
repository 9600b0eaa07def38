#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

// Receivers for notification's tests and benchmark: a webhook endpoint and
// an SMTP server, real TCP on 127.0.0.1 with a port the kernel picks. They
// live with the notification service because its tests are their only use.

namespace onewindow::notification::testing {

// An HTTP endpoint that records every POST and behaves like a careful
// receiver: it checks the signature and applies each idempotency key once.
class WebhookReceiver {
 public:
  struct Request {
    std::string target;
    std::string idempotency_key;
    int attempt = 0;
    bool signature_ok = false;
    std::string body;
    int status = 0;  // What it answered (or would have, if held).
  };
  // The status to answer; called once per request.
  using Responder = std::function<int(const Request&)>;

  explicit WebhookReceiver(std::string secret);
  ~WebhookReceiver();

  absl::Status Start();
  void Stop();
  int port() const { return port_; }
  std::string url(const std::string& path = "/hook") const;

  // Default: 200 for a correctly signed request, 401 otherwise.
  void SetResponder(Responder responder);
  // While held, requests are recorded (and applied) but not answered, as
  // when a receiver is slow; the sender sits in SENDING.
  void Hold(bool hold);

  std::vector<Request> requests() const;
  size_t request_count() const;
  size_t held_count() const;
  // Keys answered 2xx, each counted once however often it came.
  std::set<std::string> applied() const;
  // Requests per key.
  std::map<std::string, int> counts() const;
  // Until at least `n` requests (or `held` held ones) arrived.
  bool WaitForRequests(size_t n, absl::Duration timeout) const;
  bool WaitForHeld(size_t n, absl::Duration timeout) const;

 private:
  struct Impl;
  void Serve(int fd);

  const std::string secret_;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
  mutable absl::Mutex mu_;
  Responder responder_ ABSL_GUARDED_BY(mu_);
  bool hold_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  size_t held_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<Request> requests_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> applied_ ABSL_GUARDED_BY(mu_);
};

// An SMTP server speaking just enough RFC 5321 for a client: greeting,
// EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT.
class SmtpReceiver {
 public:
  struct Mail {
    std::string from;
    std::vector<std::string> to;
    std::string data;  // Without the final ".", dot-stuffing undone.
  };

  SmtpReceiver();
  ~SmtpReceiver();

  absl::Status Start();
  void Stop();
  int port() const { return port_; }

  // RCPT TO for `address` gets `reply` (e.g. "550 5.1.1 no such user").
  void RejectRecipient(const std::string& address, const std::string& reply);
  // The next `n` messages get "451 4.3.0 try again later" after DATA.
  void FailNext(int n);

  std::vector<Mail> mails() const;
  bool WaitForMails(size_t n, absl::Duration timeout) const;

 private:
  struct Impl;
  void Serve(int fd);

  std::unique_ptr<Impl> impl_;
  int port_ = 0;
  mutable absl::Mutex mu_;
  std::map<std::string, std::string> rejected_ ABSL_GUARDED_BY(mu_);
  int fail_next_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<Mail> mails_ ABSL_GUARDED_BY(mu_);
};

}  // namespace onewindow::notification::testing
