#include "services/gateway/http_server.h"

#include <algorithm>
#include <array>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <optional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace onewindow::gateway {
namespace {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

std::chrono::steady_clock::duration ToSteady(absl::Duration d) {
  return std::chrono::milliseconds(absl::ToInt64Milliseconds(d));
}

HttpResponse PlainError(http::status status, unsigned version, absl::string_view code,
                        absl::string_view message) {
  HttpResponse res{status, version};
  res.set(http::field::content_type, "application/json");
  res.set(http::field::cache_control, "no-store");
  res.set("X-Content-Type-Options", "nosniff");
  res.body() = absl::StrCat(R"({"error":{"code":")", code, R"(","message":")", message, R"("}})");
  res.keep_alive(false);
  res.prepare_payload();
  return res;
}

bool IsDisconnect(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == net::error::eof || ec == beast::error::timeout ||
         ec == net::error::connection_reset || ec == net::error::operation_aborted;
}

// Bytes a streamed body is read in: the size of one upload chunk sent on.
constexpr size_t kPieceBytes = 64 * 1024;
// How long the rest of a body refused early is read and dropped.
constexpr absl::Duration kDrainTime = absl::Seconds(5);

// How long a connection refused for being over the limit has to read why.
constexpr absl::Duration kRefusalTime = absl::Seconds(2);
// Refused connections told why at once; any more are closed unanswered.
constexpr int kMaxRefusing = 64;

// A connection over the limit: answered 503 at once, then read to its end
// (for kRefusalTime at most), since closing a socket with unread input
// resets it and the client could lose the answer.
class Refusal : public std::enable_shared_from_this<Refusal> {
 public:
  Refusal(tcp::socket socket, std::shared_ptr<HttpServer::State> state)
      : stream_(std::move(socket)), state_(std::move(state)) {
    state_->refusing.fetch_add(1);
  }
  ~Refusal() { state_->refusing.fetch_sub(1); }

  void Start() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Refusal::Answer, shared_from_this()));
  }

 private:
  void Answer() {
    response_ = PlainError(http::status::service_unavailable, 11, "UNAVAILABLE",
                           "the gateway has too many connections open; try again shortly");
    response_.set(http::field::retry_after, "1");
    stream_.expires_after(ToSteady(kRefusalTime));
    http::async_write(stream_, response_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) return;
                        beast::error_code ignored;
                        self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
                        self->Drain();
                      });
  }

  void Drain() {
    stream_.async_read_some(net::buffer(scratch_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (!ec) self->Drain();
                            });
  }

  beast::tcp_stream stream_;
  std::shared_ptr<HttpServer::State> state_;
  HttpResponse response_;
  std::array<char, 4096> scratch_;
};

// One TCP connection; lives as long as an async operation holds it.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, HttpHandler* handler, const HttpLimits& limits,
          std::shared_ptr<HttpServer::State> state, const log::Logger& logger)
      : stream_(std::move(socket)),
        handler_(handler),
        limits_(limits),
        state_(std::move(state)),
        logger_(logger) {
    state_->open_connections.fetch_add(1);
    beast::error_code ec;
    auto endpoint = stream_.socket().remote_endpoint(ec);
    if (!ec) client_ip_ = endpoint.address().to_string();
  }
  ~Session() {
    if (in_flight_) state_->in_flight.fetch_sub(1);
    state_->open_connections.fetch_sub(1);
  }

  void Start() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::Read, shared_from_this()));
  }

 private:
  // The body of the request being streamed to the handler.
  class StreamBody : public BodyReader {
   public:
    explicit StreamBody(std::shared_ptr<Session> session) : session_(std::move(session)) {}
    void Read(std::function<void(absl::StatusOr<std::string>)> done) override {
      auto session = session_;
      net::post(session->stream_.get_executor(), [session, done = std::move(done)]() mutable {
        session->ReadBodyPiece(std::move(done));
      });
    }

   private:
    std::shared_ptr<Session> session_;
  };

  // The handler's way back; every call moves onto the connection's strand.
  class Reply : public Responder {
   public:
    explicit Reply(std::shared_ptr<Session> session) : session_(std::move(session)) {}
    void Send(HttpResponse response) override {
      OnStrand([response = std::move(response)](Session* s) mutable {
        if (!s->responded_) s->Write(std::move(response));
      });
    }
    void WriteHead(HttpResponseHead head, std::function<void(absl::Status)> done) override {
      OnStrand([head = std::move(head), done = std::move(done)](Session* s) mutable {
        s->StartOutStream(std::move(head), std::move(done));
      });
    }
    void WriteBody(std::string piece, std::function<void(absl::Status)> done) override {
      OnStrand([piece = std::move(piece), done = std::move(done)](Session* s) mutable {
        s->WriteOutPiece(std::move(piece), std::move(done));
      });
    }
    void Finish() override {
      OnStrand([](Session* s) { s->FinishOutStream(); });
    }
    void Abort(const absl::Status& /*reason*/) override {
      OnStrand([](Session* s) { s->AbortOutStream(); });
    }

   private:
    template <typename F>
    void OnStrand(F f) {
      auto session = session_;
      net::post(session->stream_.get_executor(),
                [session, f = std::move(f)]() mutable { f(session.get()); });
    }

    std::shared_ptr<Session> session_;
  };

  // A response whose body the handler writes piece by piece.
  struct OutStream {
    http::response<http::buffer_body> message;
    http::response_serializer<http::buffer_body> serializer{message};
    std::string piece;
    // The Content-Length announced, if any, and the body bytes sent so far.
    std::optional<uint64_t> length;
    uint64_t written = 0;
    // The connection failed or was closed: nothing more goes out.
    bool broken = false;
  };

  void Read() {
    if (state_->draining.load()) {
      Close();
      return;
    }
    parser_.emplace();
    stream_parser_.reset();
    responded_ = false;
    parser_->header_limit(static_cast<std::uint32_t>(limits_.header_bytes));
    // Lets a streamed upload's Content-Length through the header; other
    // requests get their own limit once the header is in.
    parser_->body_limit(std::max(limits_.body_bytes, limits_.stream_body_bytes));
    stream_.expires_after(ToSteady(first_request_ ? limits_.read_timeout : limits_.idle_timeout));
    first_request_ = false;
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  // Answers a failed read; false when there was nothing to answer.
  bool AnswerReadError(beast::error_code ec, size_t limit) {
    if (IsDisconnect(ec)) {
      Close();
      return true;
    }
    if (ec == http::error::body_limit) {
      Write(PlainError(http::status::payload_too_large, 11, "PAYLOAD_TOO_LARGE",
                       absl::StrCat("request body exceeds ", limit, " bytes")));
      return true;
    }
    if (ec == http::error::header_limit) {
      Write(PlainError(http::status::request_header_fields_too_large, 11, "HEADERS_TOO_LARGE",
                       "request headers too large"));
      return true;
    }
    if (ec) {
      Write(PlainError(http::status::bad_request, 11, "BAD_REQUEST", "malformed HTTP request"));
      return true;
    }
    return false;
  }

  void OnHeader(beast::error_code ec, std::size_t) {
    if (AnswerReadError(ec, std::max(limits_.body_bytes, limits_.stream_body_bytes))) return;
    if (handler_->StreamsBody(parser_->get())) {
      StartStream();
      return;
    }
    const auto length = parser_->content_length();
    if (length.has_value() && *length > limits_.body_bytes) {
      AnswerReadError(http::error::body_limit, limits_.body_bytes);
      return;
    }
    parser_->body_limit(limits_.body_bytes);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void StartStream() {
    stream_parser_.emplace(std::move(*parser_));
    stream_parser_->body_limit(limits_.stream_body_bytes);
    // Each piece of the body sets its own timer when it is read.
    stream_.expires_never();
    state_->in_flight.fetch_add(1);
    in_flight_ = true;
    HttpRequest header;
    header.base() = stream_parser_->get().base();
    keep_alive_ = header.keep_alive();
    continue_pending_ = beast::iequals(header[http::field::expect], "100-continue");
    auto self = shared_from_this();
    handler_->HandleStream(std::move(header), client_ip_, std::make_shared<StreamBody>(self),
                           std::make_shared<Reply>(self));
  }

  void ReadBodyPiece(std::function<void(absl::StatusOr<std::string>)> done) {
    if (responded_ || !stream_parser_.has_value()) {
      done(absl::CancelledError("the request was answered already"));
      return;
    }
    if (stream_parser_->is_done()) {
      done(std::string());
      return;
    }
    if (continue_pending_) {
      // The client waits for this before sending a body it announced.
      continue_pending_ = false;
      static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      net::async_write(stream_, net::buffer(kContinue),
                       [self = shared_from_this(), done = std::move(done)](beast::error_code ec,
                                                                           std::size_t) mutable {
                         if (ec) {
                           done(absl::UnavailableError("the client went away"));
                           return;
                         }
                         self->ReadBodyPiece(std::move(done));
                       });
      return;
    }
    piece_.resize(kPieceBytes);
    auto& body = stream_parser_->get().body();
    body.data = piece_.data();
    body.size = piece_.size();
    body.more = true;
    stream_.expires_after(ToSteady(limits_.read_timeout));
    body_read_pending_ = true;
    http::async_read_some(stream_, buffer_, *stream_parser_,
                          [self = shared_from_this(), done = std::move(done)](beast::error_code ec,
                                                                              std::size_t) mutable {
                            self->body_read_pending_ = false;
                            self->OnBodyPiece(ec, std::move(done));
                          });
  }

  void OnBodyPiece(beast::error_code ec, std::function<void(absl::StatusOr<std::string>)> done) {
    stream_.expires_never();
    if (ec == http::error::need_buffer) ec = {};
    if (ec == http::error::body_limit) {
      done(absl::OutOfRangeError(
          absl::StrCat("request body exceeds ", limits_.stream_body_bytes, " bytes")));
      return;
    }
    if (ec) {
      done(absl::UnavailableError("the client stopped sending the body"));
      return;
    }
    const size_t got = piece_.size() - stream_parser_->get().body().size;
    if (got == 0) {
      // Only framing arrived (a chunk header): read on.
      ReadBodyPiece(std::move(done));
      return;
    }
    done(std::string(piece_.data(), got));
  }

  void OnRead(beast::error_code ec, std::size_t) {
    if (AnswerReadError(ec, limits_.body_bytes)) return;
    // The whole request is in; give the handler as long as it needs (it has
    // its own upstream deadline) without the read timer firing.
    stream_.expires_never();
    state_->in_flight.fetch_add(1);
    in_flight_ = true;
    HttpRequest request = parser_->release();
    keep_alive_ = request.keep_alive();
    handler_->Handle(std::move(request), client_ip_, std::make_shared<Reply>(shared_from_this()));
  }

  bool MayKeepAlive() const {
    // Unread body bytes would be taken for the next request.
    return keep_alive_ && !state_->draining.load() &&
           !(stream_parser_.has_value() && !stream_parser_->is_done());
  }

  void Write(HttpResponse response) {
    if (!MayKeepAlive()) response.keep_alive(false);
    responded_ = true;
    response_ = std::make_shared<HttpResponse>(std::move(response));
    stream_.expires_after(ToSteady(limits_.read_timeout));
    http::async_write(
        stream_, *response_,
        beast::bind_front_handler(&Session::OnWrite, shared_from_this(), response_->keep_alive()));
  }

  void EndInFlight() {
    if (in_flight_) {
      in_flight_ = false;
      state_->in_flight.fetch_sub(1);
    }
  }

  void OnWrite(bool keep_alive, beast::error_code ec, std::size_t) {
    response_.reset();
    out_.reset();
    EndInFlight();
    if (ec || !keep_alive) {
      if (!ec && stream_parser_.has_value() && !stream_parser_->is_done() && !body_read_pending_) {
        DrainThenClose(absl::Now() + kDrainTime);
        return;
      }
      Close();
      return;
    }
    Read();
  }

  void StartOutStream(HttpResponseHead head, std::function<void(absl::Status)> done) {
    if (responded_) {
      done(absl::FailedPreconditionError("the request was answered already"));
      return;
    }
    responded_ = true;
    out_ = std::make_unique<OutStream>();
    auto& message = out_->message;
    message.base() = std::move(head.base());
    if (!MayKeepAlive()) message.keep_alive(false);
    if (message.has_content_length()) {
      uint64_t length = 0;
      const auto field = message[http::field::content_length];
      if (!absl::SimpleAtoi(absl::string_view(field.data(), field.size()), &length)) {
        AbortOutStream();
        done(absl::InternalError("a streamed response has a malformed Content-Length"));
        return;
      }
      out_->length = length;
    } else if (message.version() >= 11) {
      message.chunked(true);
    } else {
      // HTTP/1.0 has no chunks: the body ends with the connection.
      message.keep_alive(false);
    }
    message.body().data = nullptr;
    message.body().more = true;
    stream_.expires_after(ToSteady(limits_.read_timeout));
    http::async_write_header(stream_, out_->serializer,
                             [self = shared_from_this(), done = std::move(done)](
                                 beast::error_code ec, std::size_t) mutable {
                               self->OnOutWritten(ec, std::move(done));
                             });
  }

  void WriteOutPiece(std::string piece, std::function<void(absl::Status)> done) {
    if (out_ == nullptr || out_->broken) {
      done(absl::UnavailableError("the response stream is closed"));
      return;
    }
    // An empty piece would read as the last chunk.
    if (piece.empty()) {
      done(absl::OkStatus());
      return;
    }
    if (out_->length.has_value() && out_->written + piece.size() > *out_->length) {
      AbortOutStream();
      done(absl::InternalError("the body is longer than its Content-Length"));
      return;
    }
    out_->written += piece.size();
    out_->piece = std::move(piece);
    auto& body = out_->message.body();
    body.data = out_->piece.data();
    body.size = out_->piece.size();
    body.more = true;
    stream_.expires_after(ToSteady(limits_.read_timeout));
    http::async_write(stream_, out_->serializer,
                      [self = shared_from_this(), done = std::move(done)](beast::error_code ec,
                                                                          std::size_t) mutable {
                        self->OnOutWritten(ec, std::move(done));
                      });
  }

  void OnOutWritten(beast::error_code ec, std::function<void(absl::Status)> done) {
    // Waiting on the handler's source now: the next write sets its own timer.
    stream_.expires_never();
    // The piece went out and the serializer wants the next one.
    if (ec == http::error::need_buffer) ec = {};
    if (ec) {
      AbortOutStream();
      done(absl::UnavailableError("the client went away or stopped reading"));
      return;
    }
    out_->piece.clear();
    done(absl::OkStatus());
  }

  void FinishOutStream() {
    if (out_ == nullptr || out_->broken) {
      EndInFlight();
      return;
    }
    // Short of what Content-Length promised: only a close tells the client.
    if (out_->length.has_value() && out_->written != *out_->length) {
      AbortOutStream();
      return;
    }
    auto& body = out_->message.body();
    body.data = nullptr;
    body.size = 0;
    body.more = false;
    const bool keep_alive = out_->message.keep_alive();
    stream_.expires_after(ToSteady(limits_.read_timeout));
    http::async_write(stream_, out_->serializer,
                      beast::bind_front_handler(&Session::OnWrite, shared_from_this(), keep_alive));
  }

  void AbortOutStream() {
    if (out_ != nullptr) out_->broken = true;
    Close();
    EndInFlight();
  }

  // Answered before the client finished sending (an upload refused early):
  // read and drop the rest for a while, so the client gets to read the
  // answer rather than a reset connection, then close.
  void DrainThenClose(absl::Time deadline) {
    if (stream_parser_->is_done() || absl::Now() > deadline) {
      Close();
      return;
    }
    piece_.resize(kPieceBytes);
    auto& body = stream_parser_->get().body();
    body.data = piece_.data();
    body.size = piece_.size();
    body.more = true;
    stream_.expires_after(ToSteady(deadline - absl::Now()));
    http::async_read_some(stream_, buffer_, *stream_parser_,
                          [self = shared_from_this(), deadline](beast::error_code ec, std::size_t) {
                            if (ec && ec != http::error::need_buffer) {
                              self->Close();
                              return;
                            }
                            self->DrainThenClose(deadline);
                          });
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  HttpHandler* handler_;
  const HttpLimits& limits_;
  std::shared_ptr<HttpServer::State> state_;
  const log::Logger& logger_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  // Set while a streamed request's body is being read.
  std::optional<http::request_parser<http::buffer_body>> stream_parser_;
  std::string piece_;
  bool continue_pending_ = false;
  bool responded_ = false;
  bool body_read_pending_ = false;
  std::shared_ptr<HttpResponse> response_;
  // Set while a streamed response is being written.
  std::unique_ptr<OutStream> out_;
  std::string client_ip_;
  bool keep_alive_ = true;
  bool first_request_ = true;
  bool in_flight_ = false;
};

}  // namespace

void HttpHandler::HandleStream(HttpRequest request, const std::string&, std::shared_ptr<BodyReader>,
                               std::shared_ptr<Responder> responder) {
  responder->Send(PlainError(http::status::not_found, request.version(), "NOT_FOUND",
                             "no streamed route here"));
}

HttpServer::HttpServer(net::io_context& io, HttpHandler* handler, HttpLimits limits,
                       log::Logger logger)
    : io_(io),
      handler_(handler),
      limits_(limits),
      logger_(std::move(logger)),
      acceptor_(net::make_strand(io)),
      accept_retry_(acceptor_.get_executor()),
      state_(std::make_shared<State>()) {}

HttpServer::~HttpServer() = default;

absl::Status HttpServer::Listen(const std::string& address) {
  const size_t colon = address.rfind(':');
  int port = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(address.substr(colon + 1), &port) ||
      port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("listen address must be host:port, got ", address));
  }
  std::string host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  beast::error_code ec;
  const auto ip = net::ip::make_address(host, ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat("bad listen host ", host));
  const tcp::endpoint endpoint(ip, static_cast<unsigned short>(port));
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    return absl::UnavailableError(absl::StrCat("cannot listen on ", address, ": ", ec.message()));
  port_ = acceptor_.local_endpoint().port();
  Accept();
  return absl::OkStatus();
}

void HttpServer::Accept() {
  acceptor_.async_accept(net::make_strand(io_), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
      // Once per outage, not every 50 ms of it.
      if (!accept_failing_) logger_.Warn("cannot accept connections", {{"error", ec.message()}});
      accept_failing_ = true;
      AcceptLater();
      return;
    }
    if (accept_failing_) logger_.Info("accepting connections again");
    accept_failing_ = false;
    if (state_->open_connections.load() >= limits_.max_connections) {
      Refuse(std::move(socket));
    } else {
      std::make_shared<Session>(std::move(socket), handler_, limits_, state_, logger_)->Start();
    }
    Accept();
  });
}

void HttpServer::AcceptLater() {
  accept_retry_.expires_after(std::chrono::milliseconds(50));
  accept_retry_.async_wait([this](beast::error_code ec) {
    if (!ec && acceptor_.is_open()) Accept();
  });
}

void HttpServer::Refuse(tcp::socket socket) {
  state_->refused_connections.fetch_add(1);
  if (state_->refusing.load() >= kMaxRefusing) {
    beast::error_code ignored;
    socket.close(ignored);
    return;
  }
  std::make_shared<Refusal>(std::move(socket), state_)->Start();
}

void HttpServer::StartDrain() {
  state_->draining.store(true);
  net::post(acceptor_.get_executor(), [this] {
    beast::error_code ec;
    acceptor_.close(ec);
    accept_retry_.cancel();
  });
}

}  // namespace onewindow::gateway
