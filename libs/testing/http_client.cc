#include "libs/testing/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace onewindow::testing {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct HttpConnection::Impl {
  int port;
  std::string host;
  absl::Duration timeout;
  net::io_context io;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  absl::Status Connect() {
    stream.emplace(io);
    beast::error_code ec;
    stream->expires_after(std::chrono::milliseconds(absl::ToInt64Milliseconds(timeout)));
    stream->connect(tcp::endpoint(net::ip::make_address(host), static_cast<unsigned short>(port)),
                    ec);
    if (ec) {
      stream.reset();
      return absl::UnavailableError(absl::StrCat("connect: ", ec.message()));
    }
    buffer.clear();
    return absl::OkStatus();
  }
};

HttpConnection::HttpConnection(int port, std::string host, absl::Duration timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->port = port;
  impl_->host = std::move(host);
  impl_->timeout = timeout;
}

HttpConnection::~HttpConnection() = default;

absl::StatusOr<HttpResult> HttpConnection::Request(const std::string& method,
                                                   const std::string& target,
                                                   const std::string& body,
                                                   const Headers& headers) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool fresh = !impl_->stream.has_value();
    if (fresh) {
      absl::Status s = impl_->Connect();
      if (!s.ok()) return s;
    }
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    // A method Beast has no verb for goes out as written.
    if (req.method() == http::verb::unknown) req.method_string(method);
    req.set(http::field::host, impl_->host);
    // Inserted, not set: a test may send a header twice, as proxies do.
    for (const auto& [k, v] : headers) req.insert(k, v);
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
      if (req[http::field::content_type].empty()) {
        req.set(http::field::content_type, "application/json");
      }
      req.body() = body;
    }
    req.prepare_payload();
    beast::error_code ec;
    impl_->stream->expires_after(
        std::chrono::milliseconds(absl::ToInt64Milliseconds(impl_->timeout)));
    http::write(*impl_->stream, req, ec);
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    if (!ec) http::read(*impl_->stream, impl_->buffer, parser, ec);
    if (ec) {
      impl_->stream.reset();
      // A kept-alive connection the server closed meanwhile: retry once.
      if (!fresh) continue;
      return absl::UnavailableError(absl::StrCat(method, " ", target, ": ", ec.message()));
    }
    auto res = parser.release();
    HttpResult result;
    result.status = res.result_int();
    result.body = res.body();
    for (const auto& field : res) {
      std::string name = absl::AsciiStrToLower(std::string(field.name_string()));
      std::string value(field.value());
      auto [it, inserted] = result.headers.emplace(name, value);
      if (!inserted) it->second += "\n" + value;
    }
    if (!res.keep_alive()) impl_->stream.reset();
    return result;
  }
  return absl::UnavailableError("connection closed");
}

absl::StatusOr<HttpResult> HttpGet(int port, const std::string& target, const Headers& headers) {
  HttpConnection c(port);
  return c.Request("GET", target, "", headers);
}

absl::StatusOr<HttpResult> HttpPost(int port, const std::string& target, const std::string& body,
                                    const Headers& headers) {
  HttpConnection c(port);
  return c.Request("POST", target, body, headers);
}

}  // namespace onewindow::testing
