#include "services/notification/http_poster.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>

#include "absl/strings/str_cat.h"

namespace onewindow::notification {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// Each connection owns its io_context, so one thread drives one exchange
// with Beast's asynchronous timeouts and nothing is shared between threads.
struct HttpPoster::Connection {
  net::io_context io;
  beast::tcp_stream stream{io};
  beast::flat_buffer buffer;
  bool open = false;
};

HttpPoster::HttpPoster(absl::Duration timeout, int max_idle_per_host)
    : timeout_(timeout), max_idle_per_host_(max_idle_per_host) {}

HttpPoster::~HttpPoster() = default;

std::unique_ptr<HttpPoster::Connection> HttpPoster::Take(const std::string& key) {
  {
    absl::MutexLock lock(&mu_);
    auto it = idle_.find(key);
    if (it != idle_.end() && !it->second.empty()) {
      auto c = std::move(it->second.back());
      it->second.pop_back();
      return c;
    }
  }
  return std::make_unique<Connection>();
}

void HttpPoster::Give(const std::string& key, std::unique_ptr<Connection> connection) {
  absl::MutexLock lock(&mu_);
  auto& idle = idle_[key];
  if (static_cast<int>(idle.size()) < max_idle_per_host_) idle.push_back(std::move(connection));
}

absl::StatusOr<HttpPoster::Response> HttpPoster::Post(const HttpUrl& url, const Headers& headers,
                                                      const std::string& body) {
  const std::string key = absl::StrCat(url.host, ":", url.port);
  http::request<http::string_body> request{http::verb::post, url.target, 11};
  request.set(http::field::host, url.port == 80 ? url.host : key);
  request.set(http::field::user_agent, "onewindow-notification");
  request.set(http::field::content_type, "application/json; charset=utf-8");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.keep_alive(true);
  request.body() = body;
  request.prepare_payload();
  const auto timeout = std::chrono::milliseconds(absl::ToInt64Milliseconds(timeout_));

  for (int round = 0; round < 2; ++round) {
    std::unique_ptr<Connection> c = Take(key);
    const bool reused = c->open;
    c->io.restart();
    beast::error_code error;
    bool timed_out = false;
    bool got_response_bytes = false;
    http::response_parser<http::string_body> parser;
    parser.body_limit(1 << 20);

    auto read_response = [&] {
      c->stream.expires_after(timeout);
      http::async_read(c->stream, c->buffer, parser, [&](beast::error_code ec, size_t bytes) {
        error = ec;
        got_response_bytes = bytes > 0 || parser.got_some();
      });
    };
    auto write_request = [&] {
      c->stream.expires_after(timeout);
      http::async_write(c->stream, request, [&](beast::error_code ec, size_t) {
        if (ec) {
          error = ec;
          return;
        }
        read_response();
      });
    };
    if (!c->open) {
      tcp::resolver resolver(c->io);
      tcp::resolver::results_type endpoints =
          resolver.resolve(url.host, std::to_string(url.port), error);
      if (error) {
        return absl::UnavailableError(absl::StrCat("cannot resolve the host: ", error.message()));
      }
      c->stream.expires_after(timeout);
      c->stream.async_connect(endpoints, [&](beast::error_code ec, const tcp::endpoint&) {
        if (ec) {
          error = ec;
          return;
        }
        c->open = true;
        write_request();
      });
    } else {
      write_request();
    }
    c->io.run();
    if (error == beast::error::timeout) timed_out = true;

    if (!error) {
      Response response;
      response.status = static_cast<int>(parser.get().result_int());
      response.body = std::move(parser.get().body());
      if (parser.get().keep_alive()) {
        c->buffer.consume(c->buffer.size());
        Give(key, std::move(c));
      }
      return response;
    }
    // A kept-alive connection the server closed while idle fails before any
    // answer arrives: try once more on a new one.
    if (reused && !got_response_bytes && !timed_out && round == 0) continue;
    if (timed_out) {
      return absl::DeadlineExceededError(
          absl::StrCat("no answer within ", absl::FormatDuration(timeout_)));
    }
    return absl::UnavailableError(error.message());
  }
  return absl::UnavailableError("connection closed");
}

}  // namespace onewindow::notification
