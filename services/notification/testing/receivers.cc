#include "services/notification/testing/receivers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "services/notification/signature.h"

namespace onewindow::notification::testing {
namespace {

// A TCP listener on 127.0.0.1 that serves each connection on its own thread.
class Server {
 public:
  ~Server() { Stop(); }

  absl::Status Listen(int* port) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) return absl::InternalError("socket");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::listen(listen_fd_, 128) != 0) {
      return absl::InternalError("bind/listen");
    }
    socklen_t len = sizeof(addr);
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    *port = ntohs(addr.sin_port);
    return absl::OkStatus();
  }

  void Run(std::function<void(int)> serve) {
    acceptor_ = std::thread([this, serve] {
      while (true) {
        const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        absl::MutexLock lock(&mu_);
        if (fd < 0) {
          if (errno == EINTR && !stopping_) continue;
          return;
        }
        if (stopping_) {
          ::close(fd);
          return;
        }
        fds_.insert(fd);
        threads_.emplace_back([this, serve, fd] {
          serve(fd);
          absl::MutexLock lock(&mu_);
          fds_.erase(fd);
          ::close(fd);
        });
      }
    });
  }

  void Stop() {
    std::vector<std::thread> threads;
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      stopping_ = true;
      if (listen_fd_ >= 0) ::shutdown(listen_fd_, SHUT_RDWR);
      for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
    }
    if (acceptor_.joinable()) acceptor_.join();
    {
      absl::MutexLock lock(&mu_);
      threads.swap(threads_);
    }
    for (auto& t : threads) t.join();
    if (listen_fd_ >= 0) ::close(listen_fd_);
    listen_fd_ = -1;
  }

 private:
  int listen_fd_ = -1;
  std::thread acceptor_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::set<int> fds_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> threads_ ABSL_GUARDED_BY(mu_);
};

// Buffered reads from a connected socket.
class Connection {
 public:
  explicit Connection(int fd) : fd_(fd) {}

  bool ReadUntil(absl::string_view delimiter, std::string* out) {
    while (true) {
      const size_t at = buffer_.find(delimiter.data(), 0, delimiter.size());
      if (at != std::string::npos) {
        *out = buffer_.substr(0, at);
        buffer_.erase(0, at + delimiter.size());
        return true;
      }
      if (!Fill()) return false;
    }
  }

  bool ReadExactly(size_t n, std::string* out) {
    while (buffer_.size() < n) {
      if (!Fill()) return false;
    }
    *out = buffer_.substr(0, n);
    buffer_.erase(0, n);
    return true;
  }

  bool Write(absl::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) {
        if (n < 0 && errno == EINTR) continue;
        return false;
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

 private:
  bool Fill() {
    char chunk[4096];
    while (true) {
      const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      buffer_.append(chunk, static_cast<size_t>(n));
      return true;
    }
  }

  int fd_;
  std::string buffer_;
};

}  // namespace

struct WebhookReceiver::Impl {
  Server server;
};

WebhookReceiver::WebhookReceiver(std::string secret)
    : secret_(std::move(secret)), impl_(std::make_unique<Impl>()) {}

WebhookReceiver::~WebhookReceiver() { Stop(); }

absl::Status WebhookReceiver::Start() {
  if (absl::Status s = impl_->server.Listen(&port_); !s.ok()) return s;
  impl_->server.Run([this](int fd) { Serve(fd); });
  return absl::OkStatus();
}

void WebhookReceiver::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  impl_->server.Stop();
}

std::string WebhookReceiver::url(const std::string& path) const {
  return absl::StrCat("http://127.0.0.1:", port_, path);
}

void WebhookReceiver::SetResponder(Responder responder) {
  absl::MutexLock lock(&mu_);
  responder_ = std::move(responder);
}

void WebhookReceiver::Hold(bool hold) {
  absl::MutexLock lock(&mu_);
  hold_ = hold;
}

void WebhookReceiver::Serve(int fd) {
  Connection c(fd);
  while (true) {
    std::string head;
    if (!c.ReadUntil("\r\n\r\n", &head)) return;
    std::vector<std::string> lines = absl::StrSplit(head, "\r\n");
    Request request;
    std::vector<std::string> first = absl::StrSplit(lines[0], ' ');
    if (first.size() >= 2) request.target = first[1];
    size_t length = 0;
    bool close = false;
    std::string signature;
    for (size_t i = 1; i < lines.size(); ++i) {
      const size_t colon = lines[i].find(':');
      if (colon == std::string::npos) continue;
      const std::string name = absl::AsciiStrToLower(lines[i].substr(0, colon));
      const std::string value(absl::StripAsciiWhitespace(lines[i].substr(colon + 1)));
      if (name == "content-length") absl::SimpleAtoi(value, &length);
      if (name == "connection" && absl::EqualsIgnoreCase(value, "close")) close = true;
      if (name == "idempotency-key") request.idempotency_key = value;
      if (name == "x-ow-attempt") absl::SimpleAtoi(value, &request.attempt);
      if (name == "x-ow-signature") signature = value;
    }
    if (!c.ReadExactly(length, &request.body)) return;
    request.signature_ok = VerifyWebhookSignature(secret_, request.body, signature);
    {
      absl::MutexLock lock(&mu_);
      request.status = responder_ ? responder_(request) : (request.signature_ok ? 200 : 401);
      // Applied before answering, as a real receiver would: a sender that
      // never hears the answer has still been heard.
      if (request.status >= 200 && request.status < 300) applied_.insert(request.idempotency_key);
      requests_.push_back(request);
      if (hold_) {
        ++held_;
        auto released = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !hold_ || stopping_; };
        mu_.Await(absl::Condition(&released));
        --held_;
        if (stopping_) return;
      }
    }
    const std::string body = "{}";
    if (!c.Write(absl::StrCat("HTTP/1.1 ", request.status,
                              " X\r\nContent-Type: application/json\r\n",
                              "Content-Length: ", body.size(), "\r\n",
                              close ? "Connection: close\r\n" : "", "\r\n", body))) {
      return;
    }
    if (close) return;
  }
}

std::vector<WebhookReceiver::Request> WebhookReceiver::requests() const {
  absl::MutexLock lock(&mu_);
  return requests_;
}

size_t WebhookReceiver::request_count() const {
  absl::MutexLock lock(&mu_);
  return requests_.size();
}

size_t WebhookReceiver::held_count() const {
  absl::MutexLock lock(&mu_);
  return held_;
}

std::set<std::string> WebhookReceiver::applied() const {
  absl::MutexLock lock(&mu_);
  return applied_;
}

std::map<std::string, int> WebhookReceiver::counts() const {
  absl::MutexLock lock(&mu_);
  std::map<std::string, int> counts;
  for (const auto& r : requests_) ++counts[r.idempotency_key];
  return counts;
}

bool WebhookReceiver::WaitForRequests(size_t n, absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  auto enough = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return requests_.size() >= n; };
  return mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
}

bool WebhookReceiver::WaitForHeld(size_t n, absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  auto enough = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return held_ >= n; };
  return mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
}

struct SmtpReceiver::Impl {
  Server server;
};

SmtpReceiver::SmtpReceiver() : impl_(std::make_unique<Impl>()) {}

SmtpReceiver::~SmtpReceiver() { Stop(); }

absl::Status SmtpReceiver::Start() {
  if (absl::Status s = impl_->server.Listen(&port_); !s.ok()) return s;
  impl_->server.Run([this](int fd) { Serve(fd); });
  return absl::OkStatus();
}

void SmtpReceiver::Stop() { impl_->server.Stop(); }

void SmtpReceiver::RejectRecipient(const std::string& address, const std::string& reply) {
  absl::MutexLock lock(&mu_);
  rejected_[address] = reply;
}

void SmtpReceiver::FailNext(int n) {
  absl::MutexLock lock(&mu_);
  fail_next_ = n;
}

void SmtpReceiver::Serve(int fd) {
  Connection c(fd);
  if (!c.Write("220 test.local ESMTP ready\r\n")) return;
  Mail mail;
  std::string line;
  while (c.ReadUntil("\r\n", &line)) {
    const std::string verb = absl::AsciiStrToUpper(line.substr(0, 4));
    auto address = [&line] {
      const size_t open = line.find('<');
      const size_t close = line.find('>');
      return open == std::string::npos || close == std::string::npos
                 ? std::string()
                 : line.substr(open + 1, close - open - 1);
    };
    std::string reply = "250 OK\r\n";
    if (verb == "EHLO") {
      reply = "250-test.local\r\n250 8BITMIME\r\n";
    } else if (verb == "HELO" || verb == "NOOP") {
    } else if (verb == "MAIL") {
      mail = Mail{};
      mail.from = address();
    } else if (verb == "RCPT") {
      absl::MutexLock lock(&mu_);
      auto it = rejected_.find(address());
      if (it != rejected_.end()) {
        reply = it->second + "\r\n";
      } else {
        mail.to.push_back(address());
      }
    } else if (verb == "DATA") {
      if (!c.Write("354 end with <CRLF>.<CRLF>\r\n")) return;
      std::string data;
      if (!c.ReadUntil("\r\n.\r\n", &data)) return;
      // Undo dot-stuffing.
      std::string unstuffed;
      for (absl::string_view l : absl::StrSplit(data, "\r\n")) {
        if (absl::StartsWith(l, "..")) l.remove_prefix(1);
        absl::StrAppend(&unstuffed, l, "\r\n");
      }
      mail.data = unstuffed;
      absl::MutexLock lock(&mu_);
      if (fail_next_ > 0) {
        --fail_next_;
        reply = "451 4.3.0 try again later\r\n";
      } else {
        mails_.push_back(mail);
        reply = "250 2.0.0 queued\r\n";
      }
    } else if (verb == "RSET") {
      mail = Mail{};
    } else if (verb == "QUIT") {
      c.Write("221 bye\r\n");
      return;
    } else {
      reply = "502 command not implemented\r\n";
    }
    if (!c.Write(reply)) return;
  }
}

std::vector<SmtpReceiver::Mail> SmtpReceiver::mails() const {
  absl::MutexLock lock(&mu_);
  return mails_;
}

bool SmtpReceiver::WaitForMails(size_t n, absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  auto enough = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return mails_.size() >= n; };
  return mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
}

}  // namespace onewindow::notification::testing
