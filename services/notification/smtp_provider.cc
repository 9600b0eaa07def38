#include "services/notification/smtp_provider.h"

#include <algorithm>

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/notification/contacts.h"

namespace onewindow::notification {
namespace {

// A blocking TCP connection whose every read and write is bounded.
class LineSocket {
 public:
  ~LineSocket() {
    if (fd_ >= 0) ::close(fd_);
  }

  absl::Status Connect(const std::string& host, int port, absl::Duration timeout) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
        rc != 0) {
      return absl::UnavailableError(absl::StrCat("cannot resolve the relay: ", gai_strerror(rc)));
    }
    absl::Status last = absl::UnavailableError("no address");
    for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
      fd_ = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
      if (fd_ < 0) continue;
      timeval tv{};
      tv.tv_sec = absl::ToInt64Seconds(timeout);
      tv.tv_usec = absl::ToInt64Microseconds(timeout) % 1000000;
      ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
      ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
      // With SO_SNDTIMEO set, Linux bounds a blocking connect() too.
      if (::connect(fd_, a->ai_addr, a->ai_addrlen) == 0) {
        ::freeaddrinfo(found);
        return absl::OkStatus();
      }
      last = absl::UnavailableError(absl::StrCat("connect: ", std::strerror(errno)));
      ::close(fd_);
      fd_ = -1;
    }
    ::freeaddrinfo(found);
    return last;
  }

  absl::Status Write(absl::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        return absl::UnavailableError(absl::StrCat("send: ", std::strerror(errno)));
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return absl::OkStatus();
  }

  // One reply, possibly multi-line ("250-..." lines, then "250 ...").
  // Returns the code; `text` gets the last line.
  absl::StatusOr<int> ReadReply(std::string* text) {
    while (true) {
      std::string line;
      while (true) {
        const size_t end = buffer_.find("\r\n");
        if (end != std::string::npos) {
          line = buffer_.substr(0, end);
          buffer_.erase(0, end + 2);
          break;
        }
        if (buffer_.size() > 4096) return absl::UnavailableError("reply line too long");
        char chunk[1024];
        const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
        if (n == 0) return absl::UnavailableError("the relay closed the connection");
        if (n < 0) {
          if (errno == EINTR) continue;
          if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return absl::DeadlineExceededError("the relay did not answer in time");
          }
          return absl::UnavailableError(absl::StrCat("recv: ", std::strerror(errno)));
        }
        buffer_.append(chunk, static_cast<size_t>(n));
      }
      int code = 0;
      if (line.size() < 3 || !absl::SimpleAtoi(line.substr(0, 3), &code)) {
        return absl::UnavailableError("not an SMTP reply");
      }
      if (line.size() > 3 && line[3] == '-') continue;
      *text = line;
      return code;
    }
  }

 private:
  int fd_ = -1;
  std::string buffer_;
};

// A UTF-8 header value as RFC 2047 encoded-words (42 bytes each, never
// cutting a character), folded one to a line: a subject filled from a long
// work-order title must stay under the line limits relays enforce.
std::string EncodeHeader(absl::string_view value) {
  // 56 base64 characters + 12 around them: 77 with "Subject: " before.
  constexpr size_t kBytesPerWord = 42;
  std::string out;
  while (true) {
    size_t cut = std::min(value.size(), kBytesPerWord);
    while (cut < value.size() && cut > 0 &&
           (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) {
      --cut;
    }
    if (cut == 0) cut = std::min(value.size(), kBytesPerWord);  // Not UTF-8: cut anywhere.
    absl::StrAppend(&out, "=?UTF-8?B?", absl::Base64Escape(value.substr(0, cut)), "?=");
    value.remove_prefix(cut);
    if (value.empty()) return out;
    out += "\r\n ";
  }
}

// Relay replies often quote the address ("550 <a@b.cn>: no such user");
// attempt details end up in logs and status answers, so addresses go.
std::string Scrub(absl::string_view reply) {
  std::string out;
  for (absl::string_view word : absl::StrSplit(reply.substr(0, 200), ' ')) {
    if (!out.empty()) out += ' ';
    out += word.find('@') == absl::string_view::npos ? std::string(word) : "***";
  }
  return out;
}

// A raw header value as it may go out: a CR or LF would start another
// header, or end the message. Notify refuses such event types already;
// this holds for whatever reached the queue another way.
std::string WithoutLineBreaks(absl::string_view value) {
  std::string out(value);
  out.erase(std::remove_if(out.begin(), out.end(), [](char c) { return c == '\r' || c == '\n'; }),
            out.end());
  return out;
}

std::string WrappedBase64(absl::string_view data) {
  const std::string encoded = absl::Base64Escape(data);
  std::string out;
  for (size_t i = 0; i < encoded.size(); i += 76) {
    absl::StrAppend(&out, encoded.substr(i, 76), "\r\n");
  }
  return out;
}

}  // namespace

std::string SmtpMessage(const PendingDelivery& d, int attempt, const std::string& from,
                        const std::string& helo, absl::Time now) {
  return absl::StrCat(
      "From: ", from, "\r\n", "To: ", d.address, "\r\n", "Subject: ", EncodeHeader(d.title), "\r\n",
      "Date: ", absl::FormatTime("%a, %d %b %Y %H:%M:%S +0000", now, absl::UTCTimeZone()), "\r\n",
      "Message-ID: <", d.id, "@", helo, ">\r\n", "X-OW-Attempt: ", attempt, "\r\n",
      "X-OW-Event-Type: ", WithoutLineBreaks(d.event.type()), "\r\n", "MIME-Version: 1.0\r\n",
      "Content-Type: text/plain; charset=UTF-8\r\n", "Content-Transfer-Encoding: base64\r\n",
      "\r\n", WrappedBase64(d.body));
}

SendResult SmtpProvider::Send(const PendingDelivery& d, int attempt) {
  // The address was checked when stored; check again, it goes into commands.
  if (!ValidateEmailAddress(d.address).ok()) {
    return {SendResult::kPermanent, "not a valid e-mail address"};
  }
  LineSocket socket;
  if (absl::Status s = socket.Connect(options_.host, options_.port, options_.timeout); !s.ok()) {
    return {SendResult::kTemporary, std::string(s.message())};
  }
  std::string text;
  // Each step: send a command (none for the greeting), expect a code.
  struct Step {
    std::string command;
    int expect;
    const char* what;
  };
  const Step steps[] = {
      {"", 220, "greeting"},
      {absl::StrCat("EHLO ", options_.helo, "\r\n"), 250, "EHLO"},
      {absl::StrCat("MAIL FROM:<", options_.from, ">\r\n"), 250, "MAIL FROM"},
      {absl::StrCat("RCPT TO:<", d.address, ">\r\n"), 250, "RCPT TO"},
      {"DATA\r\n", 354, "DATA"},
      {absl::StrCat(SmtpMessage(d, attempt, options_.from, options_.helo, absl::Now()), ".\r\n"),
       250, "message"},
  };
  for (const Step& step : steps) {
    if (!step.command.empty()) {
      if (absl::Status s = socket.Write(step.command); !s.ok()) {
        return {SendResult::kTemporary, absl::StrCat(step.what, ": ", s.message())};
      }
    }
    absl::StatusOr<int> code = socket.ReadReply(&text);
    if (!code.ok()) {
      return {SendResult::kTemporary, absl::StrCat(step.what, ": ", code.status().message())};
    }
    // RCPT TO may also answer 251 (user not local; will forward).
    const bool ok = *code == step.expect || (step.expect == 250 && *code == 251);
    if (!ok) {
      const std::string detail = absl::StrCat(step.what, " answered ", Scrub(text));
      return {*code >= 500 ? SendResult::kPermanent : SendResult::kTemporary, detail};
    }
  }
  // The relay has the message; QUIT is a courtesy.
  (void)socket.Write("QUIT\r\n");
  return {SendResult::kDelivered, absl::StrCat("SMTP ", Scrub(text))};
}

}  // namespace onewindow::notification
