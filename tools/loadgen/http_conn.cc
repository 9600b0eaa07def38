#include "tools/loadgen/http_conn.h"

#include <boost/asio/write.hpp>

#include "absl/strings/str_cat.h"

namespace onewindow::loadgen {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr uint64_t kBodyLimit = 16 << 20;

uint32_t MicrosSince(std::chrono::steady_clock::time_point start) {
  return static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::steady_clock::now() - start)
                                   .count());
}

}  // namespace

HttpConn::HttpConn(net::io_context& io, tcp::endpoint endpoint, std::chrono::milliseconds timeout)
    : io_(io), endpoint_(std::move(endpoint)), timeout_(timeout), socket_(io), timer_(io) {}

void HttpConn::Send(HttpCall call, std::function<void(HttpAnswer)> done) {
  done_ = std::move(done);
  retried_ = false;
  timed_out_ = false;
  request_.emplace(http::string_to_verb(call.method), call.target, 11);
  request_->set(http::field::host, endpoint_.address().to_string());
  request_->set(http::field::user_agent, "onewindow-loadgen");
  request_->set(http::field::accept, "application/json");
  for (auto& [name, value] : call.headers) request_->set(name, value);
  if (!call.body.empty() || call.method == "POST") {
    request_->set(http::field::content_type,
                  call.content_type.empty() ? "application/json" : call.content_type);
    request_->body() = std::move(call.body);
  }
  request_->prepare_payload();

  const uint64_t generation = ++generation_;
  timer_.expires_after(timeout_);
  timer_.async_wait([this, generation](beast::error_code ec) {
    if (ec || generation != generation_ || !done_) return;
    // Closing the socket ends the pending read or write with an error,
    // which reports the timeout.
    timed_out_ = true;
    beast::error_code ignored;
    socket_.close(ignored);
  });
  sent_ = std::chrono::steady_clock::now();
  if (socket_.is_open()) {
    Write();
  } else {
    Connect();
  }
}

void HttpConn::Connect() {
  beast::error_code ignored;
  socket_.close(ignored);
  answered_on_socket_ = 0;
  buffer_.clear();
  socket_.async_connect(endpoint_, [this](beast::error_code ec) {
    if (ec) return Fail("connect", ec);
    beast::error_code ignored;
    socket_.set_option(tcp::no_delay(true), ignored);
    Write();
  });
}

void HttpConn::Write() {
  http::async_write(socket_, *request_, [this](beast::error_code ec, size_t) {
    if (ec) return Fail("write", ec);
    parser_.emplace();
    parser_->body_limit(kBodyLimit);
    http::async_read(socket_, buffer_, *parser_,
                     [this](beast::error_code ec, size_t) { OnRead(ec); });
  });
}

void HttpConn::OnRead(beast::error_code ec) {
  if (ec) return Fail("read", ec);
  ++answered_on_socket_;
  auto& res = parser_->get();
  HttpAnswer answer;
  answer.status = res.result_int();
  answer.micros = MicrosSince(sent_);
  answer.set_cookie = std::string(res[http::field::set_cookie]);
  answer.retry_after = std::string(res[http::field::retry_after]);
  answer.body = std::move(res.body());
  if (!res.keep_alive()) {
    beast::error_code ignored;
    socket_.close(ignored);
  }
  Finish(std::move(answer));
}

void HttpConn::Fail(const char* what, beast::error_code ec) {
  const bool stale = answered_on_socket_ > 0 && !retried_ && !timed_out_ &&
                     (ec == http::error::end_of_stream || ec == net::error::eof ||
                      ec == net::error::connection_reset || ec == net::error::broken_pipe);
  beast::error_code ignored;
  socket_.close(ignored);
  if (stale) {
    // The server closed the idle connection just before our request.
    retried_ = true;
    request_->prepare_payload();
    Connect();
    return;
  }
  HttpAnswer answer;
  answer.micros = MicrosSince(sent_);
  answer.transport_error =
      timed_out_ ? std::string("timeout") : absl::StrCat(what, ": ", ec.message());
  Finish(std::move(answer));
}

void HttpConn::Finish(HttpAnswer answer) {
  ++generation_;
  timer_.cancel();
  auto done = std::move(done_);
  done_ = nullptr;
  request_.reset();
  done(std::move(answer));
}

void HttpConn::Close() {
  beast::error_code ignored;
  timer_.cancel();
  socket_.close(ignored);
}

}  // namespace onewindow::loadgen
