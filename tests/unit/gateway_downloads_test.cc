// Streamed responses: the HTTP server's framing of a body written in pieces,
// and material downloads relayed from intake one chunk at a time.
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "libs/auth/keyring.h"
#include "libs/auth/token.h"
#include "libs/log/logger.h"
#include "libs/testing/eventually.h"
#include "libs/testing/grpc_server.h"
#include "libs/testing/http_client.h"
#include "libs/testing/principals.h"
#include "onewindow/intake/v1/intake.grpc.pb.h"
#include "services/gateway/http_server.h"
#include "services/gateway/uploads.h"
#include "tests/unit/served_http.h"

namespace onewindow::gateway {
namespace {

namespace http = boost::beast::http;

// Three distinct 64 KiB pieces: a dropped, repeated or reordered one shows.
std::vector<std::string> Pieces(size_t count = 3) {
  std::vector<std::string> pieces;
  for (size_t i = 0; i < count; ++i) pieces.emplace_back(64 * 1024, static_cast<char>('a' + i));
  return pieces;
}

std::string Joined(const std::vector<std::string>& pieces) {
  std::string all;
  for (const std::string& piece : pieces) all += piece;
  return all;
}

// Writes its pieces through `responder` one at a time, each once the last
// was written, then finishes (or aborts, to play a source that failed).
struct ScriptedStream : std::enable_shared_from_this<ScriptedStream> {
  std::shared_ptr<Responder> responder;
  std::vector<std::string> pieces;
  size_t next = 0;
  bool fail_at_end = false;

  void Step(absl::Status written) {
    if (!written.ok()) {
      responder->Abort(written);
    } else if (next < pieces.size()) {
      responder->WriteBody(pieces[next++],
                           [self = shared_from_this()](absl::Status s) { self->Step(s); });
    } else if (fail_at_end) {
      responder->Abort(absl::UnavailableError("the source failed"));
    } else {
      responder->Finish();
    }
  }
};

// /sized: Content-Length and the whole body; /chunked: no length;
// /cut: a failure after the first piece; /short: ends a piece early.
class ScriptedHandler final : public HttpHandler {
 public:
  void Handle(HttpRequest request, const std::string&,
              std::shared_ptr<Responder> responder) override {
    auto stream = std::make_shared<ScriptedStream>();
    stream->responder = responder;
    stream->pieces = Pieces();
    HttpResponseHead head{http::status::ok, request.version()};
    head.set(http::field::content_type, "application/pdf");
    const std::string target(request.target());
    if (target != "/chunked") head.content_length(Joined(Pieces()).size());
    if (target == "/cut") {
      stream->pieces.resize(1);
      stream->fail_at_end = true;
    } else if (target == "/short") {
      stream->pieces.resize(2);
    }
    responder->WriteHead(std::move(head), [stream](absl::Status s) { stream->Step(s); });
  }
};

TEST_CASE("a streamed response with a Content-Length arrives whole and keeps the connection") {
  ScriptedHandler handler;
  ServedHttp served(&handler);
  testing::HttpConnection c(served.server.port());
  for (int i = 0; i < 2; ++i) {
    absl::StatusOr<testing::HttpResult> r = c.Request("GET", "/sized");
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    CHECK(r->status == 200);
    CHECK(r->header("content-length") == std::to_string(Joined(Pieces()).size()));
    CHECK(r->header("transfer-encoding").empty());
    CHECK(r->header("connection").empty());
    CHECK(r->body == Joined(Pieces()));
  }
  CHECK(testing::Eventually([&] { return served.server.in_flight() == 0; }));
}

TEST_CASE("a streamed response without a length goes chunked") {
  ScriptedHandler handler;
  ServedHttp served(&handler);
  absl::StatusOr<testing::HttpResult> r = testing::HttpGet(served.server.port(), "/chunked");
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  CHECK(r->header("transfer-encoding") == "chunked");
  CHECK(r->body == Joined(Pieces()));
}

TEST_CASE("a streamed response that cannot be completed closes the connection, never looks whole") {
  ScriptedHandler handler;
  ServedHttp served(&handler);
  for (const char* target : {"/cut", "/short"}) {
    INFO(target);
    // A fresh connection each, so the client does not retry.
    absl::StatusOr<testing::HttpResult> r = testing::HttpGet(served.server.port(), target);
    CHECK_FALSE(r.ok());
  }
  CHECK(testing::Eventually([&] { return served.server.in_flight() == 0; }));
  // The server itself carries on.
  CHECK(testing::HttpGet(served.server.port(), "/sized").ok());
}

// Intake's DownloadMaterial as the gateway meets it: "mat_1" is described
// as `described_bytes` long, then sent as `pieces`, failing before piece
// `fail_before` if that is set; any other id is not found. Set up before
// the first call. "mat_busy" finds intake out of threads.
class FakeIntake final : public intake::v1::IntakeService::Service {
 public:
  grpc::Status DownloadMaterial(grpc::ServerContext*,
                                const intake::v1::DownloadMaterialRequest* request,
                                grpc::ServerWriter<intake::v1::MaterialChunk>* writer) override {
    if (request->material_id() == "mat_busy") {
      // What gRPC's sync server answers with every thread taken.
      return grpc::Status(grpc::RESOURCE_EXHAUSTED, "Server Threadpool Exhausted");
    }
    if (request->material_id() != "mat_1") {
      return grpc::Status(grpc::NOT_FOUND, "material not found");
    }
    intake::v1::MaterialChunk chunk;
    intake::v1::Material* material = chunk.mutable_material();
    material->set_material_id("mat_1");
    material->set_file_name("申请表.pdf");
    material->set_content_type("application/pdf");
    material->set_size_bytes(described_bytes);
    if (!writer->Write(chunk)) return grpc::Status(grpc::CANCELLED, "reader went away");
    for (size_t i = 0; i < pieces.size(); ++i) {
      if (static_cast<int>(i) == fail_before) {
        return grpc::Status(grpc::UNAVAILABLE, "the disk went away");
      }
      chunk.Clear();
      chunk.set_data(pieces[i]);
      if (!writer->Write(chunk)) return grpc::Status(grpc::CANCELLED, "reader went away");
    }
    return grpc::Status::OK;
  }

  std::vector<std::string> pieces = Pieces(4);
  int64_t described_bytes = static_cast<int64_t>(Joined(Pieces(4)).size());
  int fail_before = -1;
};

// What a download answers, with each write held until the test completes it.
class RecordingResponder final : public Responder {
 public:
  void Send(HttpResponse response) override {
    absl::MutexLock lock(&mu_);
    answer_ = std::move(response);
    ended_ = true;
  }
  void WriteHead(HttpResponseHead head, std::function<void(absl::Status)> done) override {
    absl::MutexLock lock(&mu_);
    head_ = std::move(head);
    Hold(std::move(done));
  }
  void WriteBody(std::string piece, std::function<void(absl::Status)> done) override {
    absl::MutexLock lock(&mu_);
    body_ += piece;
    ++pieces_;
    Hold(std::move(done));
  }
  void Finish() override {
    absl::MutexLock lock(&mu_);
    finished_ = true;
    ended_ = true;
  }
  void Abort(const absl::Status& reason) override {
    absl::MutexLock lock(&mu_);
    aborted_ = reason;
    ended_ = true;
  }

  // Waits until a write is held (true) or the download ended (false).
  bool AwaitWrite() {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(this, &RecordingResponder::HoldingOrEnded),
                         absl::Seconds(10));
    return held_ != nullptr;
  }
  // Completes the next write with `written`; false if none came.
  bool CompleteWrite(absl::Status written = absl::OkStatus()) {
    if (!AwaitWrite()) return false;
    std::function<void(absl::Status)> done;
    {
      absl::MutexLock lock(&mu_);
      done = std::move(held_);
      held_ = nullptr;
    }
    done(std::move(written));
    return true;
  }
  bool WaitForEnd() {
    absl::MutexLock lock(&mu_);
    return mu_.AwaitWithTimeout(absl::Condition(&ended_), absl::Seconds(10));
  }

  int pieces() {
    absl::MutexLock lock(&mu_);
    return pieces_;
  }
  std::string body() {
    absl::MutexLock lock(&mu_);
    return body_;
  }
  HttpResponseHead head() {
    absl::MutexLock lock(&mu_);
    return head_;
  }
  HttpResponse answer() {
    absl::MutexLock lock(&mu_);
    return answer_;
  }
  bool finished() {
    absl::MutexLock lock(&mu_);
    return finished_;
  }
  absl::Status aborted() {
    absl::MutexLock lock(&mu_);
    return aborted_;
  }
  bool overlapped() {
    absl::MutexLock lock(&mu_);
    return overlapped_;
  }

 private:
  void Hold(std::function<void(absl::Status)> done) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (held_ != nullptr) overlapped_ = true;
    held_ = std::move(done);
  }
  bool HoldingOrEnded() const ABSL_SHARED_LOCKS_REQUIRED(mu_) { return held_ != nullptr || ended_; }

  absl::Mutex mu_;
  std::function<void(absl::Status)> held_ ABSL_GUARDED_BY(mu_);
  HttpResponseHead head_ ABSL_GUARDED_BY(mu_);
  HttpResponse answer_ ABSL_GUARDED_BY(mu_);
  std::string body_ ABSL_GUARDED_BY(mu_);
  int pieces_ ABSL_GUARDED_BY(mu_) = 0;
  bool overlapped_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status aborted_ ABSL_GUARDED_BY(mu_);
};

// MaterialTransfer against a FakeIntake on a free port.
struct Downloads {
  Downloads() {
    server = testing::InProcessServer::Start({&intake}).value();
    transfer = std::make_unique<MaterialTransfer>(
        intake::v1::IntakeService::NewStub(
            grpc::CreateChannel(server->address(), grpc::InsecureChannelCredentials())),
        &signer);
  }

  std::shared_ptr<RecordingResponder> Download(const std::string& material_id) {
    auto responder = std::make_shared<RecordingResponder>();
    transfer->Download(material_id, 11, testing::MakePrincipal(auth::v1::CITIZEN, "acc_1"), "r1",
                       responder);
    return responder;
  }

  FakeIntake intake;
  auth::TokenSigner signer{
      auth::KeyRing::Parse(absl::StrCat("k1:", absl::Base64Escape(std::string(32, 'k')))).value()};
  std::unique_ptr<testing::InProcessServer> server;
  std::unique_ptr<MaterialTransfer> transfer;
};

TEST_CASE("a download sends the head from intake's description, then one chunk at a time") {
  Downloads d;
  auto responder = d.Download("mat_1");
  REQUIRE(responder->CompleteWrite());
  const HttpResponseHead head = responder->head();
  CHECK(head.result_int() == 200);
  CHECK(head[http::field::content_length] == std::to_string(Joined(Pieces(4)).size()));
  CHECK(head[http::field::content_type] == "application/pdf");
  CHECK(head[http::field::content_disposition] == AttachmentDisposition("申请表.pdf"));
  for (int i = 1; i <= 4; ++i) {
    INFO("piece " << i);
    REQUIRE(responder->AwaitWrite());
    // While a piece is being written the next one stays with intake: time
    // for a read-ahead to show, were there one.
    if (i == 1) absl::SleepFor(absl::Milliseconds(200));
    CHECK(responder->pieces() == i);
    REQUIRE(responder->CompleteWrite());
  }
  REQUIRE(responder->WaitForEnd());
  CHECK(responder->finished());
  CHECK(responder->aborted().ok());
  CHECK_FALSE(responder->overlapped());
  CHECK(responder->body() == Joined(Pieces(4)));
}

TEST_CASE("a download intake refuses is answered whole with its error") {
  Downloads d;
  auto responder = d.Download("mat_someone_elses");
  REQUIRE(responder->WaitForEnd());
  CHECK(responder->answer().result_int() == 404);
  CHECK(responder->pieces() == 0);
  CHECK_FALSE(responder->finished());
}

TEST_CASE("a download while intake has no thread free is answered 503, not the client's 429") {
  Downloads d;
  auto responder = d.Download("mat_busy");
  REQUIRE(responder->WaitForEnd());
  const HttpResponse answer = responder->answer();
  CHECK(answer.result_int() == 503);
  CHECK(absl::StrContains(answer.body(), "intake unavailable"));
  CHECK_FALSE(absl::StrContains(answer.body(), "Threadpool"));
}

TEST_CASE("a download that cannot be completed is aborted, never finished") {
  Downloads d;
  SECTION("intake fails mid-file") { d.intake.fail_before = 2; }
  SECTION("intake ends short of the size it described") { d.intake.described_bytes += 1; }
  SECTION("intake sends more than it described") { d.intake.described_bytes -= 1; }
  auto responder = d.Download("mat_1");
  while (responder->CompleteWrite()) {
  }
  REQUIRE(responder->WaitForEnd());
  CHECK_FALSE(responder->finished());
  CHECK_FALSE(responder->aborted().ok());
}

TEST_CASE("a client that stops reading ends the download") {
  Downloads d;
  auto responder = d.Download("mat_1");
  REQUIRE(responder->CompleteWrite());
  REQUIRE(responder->CompleteWrite(absl::UnavailableError("the client went away")));
  REQUIRE(responder->WaitForEnd());
  CHECK_FALSE(responder->finished());
  CHECK(absl::IsUnavailable(responder->aborted()));
  CHECK(responder->pieces() == 1);
}

}  // namespace
}  // namespace onewindow::gateway
