#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace onewindow::loadgen {

struct HttpCall {
  std::string method = "GET";
  std::string target;
  std::string body;
  std::string content_type;  // set with a body
  std::vector<std::pair<std::string, std::string>> headers;
};

struct HttpAnswer {
  int status = 0;  // 0: no answer (see `transport_error`)
  std::string transport_error;
  std::string body;
  std::string set_cookie;   // the Set-Cookie header, if any
  std::string retry_after;  // the Retry-After header of a 429, if any
  uint32_t micros = 0;      // from sending to the whole answer read
};

// One keep-alive HTTP/1.1 connection driven asynchronously on an
// io_context: one request at a time, connecting when needed. A request on a
// connection the server closed while it sat idle is sent again once on a
// fresh one (requests that change state carry an Idempotency-Key, so that is
// safe). Not thread-safe: use it from its io_context's thread.
class HttpConn {
 public:
  HttpConn(boost::asio::io_context& io, boost::asio::ip::tcp::endpoint endpoint,
           std::chrono::milliseconds timeout);
  HttpConn(const HttpConn&) = delete;
  HttpConn& operator=(const HttpConn&) = delete;

  // `done` runs on the io_context's thread, exactly once.
  void Send(HttpCall call, std::function<void(HttpAnswer)> done);
  void Close();

 private:
  void Connect();
  void Write();
  void OnRead(boost::beast::error_code ec);
  void Fail(const char* what, boost::beast::error_code ec);
  void Finish(HttpAnswer answer);

  boost::asio::io_context& io_;
  const boost::asio::ip::tcp::endpoint endpoint_;
  const std::chrono::milliseconds timeout_;
  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer timer_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request<boost::beast::http::string_body>> request_;
  std::optional<boost::beast::http::response_parser<boost::beast::http::string_body>> parser_;
  std::function<void(HttpAnswer)> done_;
  std::chrono::steady_clock::time_point sent_;
  // Answers read on this socket; a failure on a used socket earns one retry.
  int answered_on_socket_ = 0;
  bool retried_ = false;
  bool timed_out_ = false;
  // Bumped per request so a late timer from an earlier one does nothing.
  uint64_t generation_ = 0;
};

}  // namespace onewindow::loadgen
