#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/log/logger.h"

namespace onewindow::gateway {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;
// The status line and headers of a response whose body follows in pieces.
using HttpResponseHead = boost::beast::http::response<boost::beast::http::empty_body>;

struct HttpLimits {
  size_t header_bytes = 16 * 1024;
  size_t body_bytes = 1024 * 1024;
  // Bodies the handler streams (HttpHandler::StreamsBody): file uploads.
  size_t stream_body_bytes = 32 * 1024 * 1024;
  // Time to receive one whole request once it started.
  absl::Duration read_timeout = absl::Seconds(15);
  // Time a keep-alive connection may wait for its next request.
  absl::Duration idle_timeout = absl::Seconds(60);
  // Connections served at once; each one past it is answered 503 and
  // closed (closed at once while 64 such answers are under way), so a flood
  // of idle connections cannot take every descriptor.
  int max_connections = 10000;
};

// The body of a streamed request, read piece by piece as the handler is
// ready for more, so a large upload never sits whole in memory.
class BodyReader {
 public:
  virtual ~BodyReader() = default;
  // Reads the next piece and calls `done` with it (from the connection's
  // strand; never block there): a non-empty string, an empty one at the end
  // of the body, or an error (OUT_OF_RANGE past the size limit,
  // UNAVAILABLE when the client went away or stalled). One read at a time.
  virtual void Read(std::function<void(absl::StatusOr<std::string>)> done) = 0;
};

// One request's way back to its client, usable from any thread (the server
// moves each write onto the connection's strand). Answer exactly once:
// either Send, or a streamed response whose body never sits whole in memory
// (a file download): WriteHead, then WriteBody for each piece, then Finish
// or Abort, each call made only after the previous one's `done` ran.
class Responder {
 public:
  virtual ~Responder() = default;
  virtual void Send(HttpResponse response) = 0;

  // With a Content-Length in `head` the body must be exactly that long, or
  // the connection is closed; without one it goes chunked. `done` runs on
  // the connection's strand (never block there): OK once the bytes are
  // written, UNAVAILABLE when the client went away or stopped reading.
  virtual void WriteHead(HttpResponseHead head, std::function<void(absl::Status)> done) = 0;
  virtual void WriteBody(std::string piece, std::function<void(absl::Status)> done) = 0;
  // The body is complete; the connection may serve the next request.
  virtual void Finish() = 0;
  // The body cannot be completed (its source failed): the connection
  // closes, so the client sees a cut-off transfer, never a short body that
  // looks whole. `reason` is for whoever logs the request.
  virtual void Abort(const absl::Status& reason) = 0;
};

// Called once per request.
class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  virtual void Handle(HttpRequest request, const std::string& client_ip,
                      std::shared_ptr<Responder> responder) = 0;

  // Whether the body of the request with this header should be streamed to
  // HandleStream instead of read whole first.
  virtual bool StreamsBody(const HttpRequest& /*header*/) const { return false; }
  // Like Handle, for a request StreamsBody claimed: `request` carries the
  // header only. Answering before the body was read closes the connection.
  virtual void HandleStream(HttpRequest request, const std::string& client_ip,
                            std::shared_ptr<BodyReader> body, std::shared_ptr<Responder> responder);
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
  // Connections refused since start for being over max_connections:
  // answered 503, or closed unanswered while 64 refusals are under way.
  int64_t refused_connections() const { return state_->refused_connections.load(); }

  struct State {
    std::atomic<bool> draining{false};
    std::atomic<int> open_connections{0};
    std::atomic<int> in_flight{0};
    std::atomic<int64_t> refused_connections{0};
    // Refused connections still being told so (Refusal in the .cc).
    std::atomic<int> refusing{0};
  };

 private:
  void Accept();
  // Accepts again after a failed accept (out of descriptors, say) without
  // spinning on it.
  void AcceptLater();
  void Refuse(boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& io_;
  HttpHandler* handler_;
  HttpLimits limits_;
  log::Logger logger_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer accept_retry_;
  // Accepting failed last time (on the acceptor's strand only).
  bool accept_failing_ = false;
  std::shared_ptr<State> state_;
  int port_ = 0;
};

}  // namespace onewindow::gateway
