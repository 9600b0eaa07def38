#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "libs/log/logger.h"

namespace onewindow::gateway {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

struct HttpLimits {
  size_t header_bytes = 16 * 1024;
  size_t body_bytes = 1024 * 1024;
  // Time to receive one whole request once it started.
  absl::Duration read_timeout = absl::Seconds(15);
  // Time a keep-alive connection may wait for its next request.
  absl::Duration idle_timeout = absl::Seconds(60);
};

// Called once per request. `respond` may be called from any thread, exactly
// once; the server moves the write back onto the connection's strand.
class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  virtual void Handle(HttpRequest request, const std::string& client_ip,
                      std::function<void(HttpResponse)> respond) = 0;
};

// An asynchronous HTTP/1.1 server on Beast: keep-alive, size limits, read and
// idle timeouts, and a drain that lets in-flight requests finish.
class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, HttpHandler* handler, HttpLimits limits,
             log::Logger logger);
  ~HttpServer();

  // Binds host:port (port 0 picks a free one) and starts accepting.
  absl::Status Listen(const std::string& address);
  int port() const { return port_; }

  // Stops accepting; open connections close after their current response.
  void StartDrain();
  bool draining() const { return state_->draining.load(); }
  // Connections still open.
  int open_connections() const { return state_->open_connections.load(); }
  // Requests read but not yet answered; drain waits for these, not for idle
  // keep-alive connections.
  int in_flight() const { return state_->in_flight.load(); }

  struct State {
    std::atomic<bool> draining{false};
    std::atomic<int> open_connections{0};
    std::atomic<int> in_flight{0};
  };

 private:
  void Accept();

  boost::asio::io_context& io_;
  HttpHandler* handler_;
  HttpLimits limits_;
  log::Logger logger_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::shared_ptr<State> state_;
  int port_ = 0;
};

}  // namespace onewindow::gateway
