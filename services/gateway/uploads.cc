#include "services/gateway/uploads.h"

#include <grpcpp/client_context.h>
#include <grpcpp/support/client_callback.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "libs/server/call.h"
#include "libs/server/request_id.h"
#include "libs/status/grpc_status.h"
#include "services/gateway/http_errors.h"
#include "services/gateway/transcoder.h"

namespace onewindow::gateway {
namespace {

namespace http = boost::beast::http;

constexpr char kDownloadPrefix[] = "/api/v1/materials/";
constexpr char kDownloadSuffix[] = "/content";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Form-style percent decoding ('+' is a space); false on a broken escape.
bool Unescape(absl::string_view in, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out->push_back(' ');
    } else if (in[i] == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = HexValue(in[i + 1]);
      const int lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out->push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out->push_back(in[i]);
    }
  }
  return true;
}

// The upload's header from the query: fileName and, for clerks,
// applicantId (proto names accepted too).
absl::StatusOr<intake::v1::UploadHeader> HeaderFromQuery(absl::string_view query) {
  intake::v1::UploadHeader header;
  for (absl::string_view pair : absl::StrSplit(query, '&', absl::SkipEmpty())) {
    const size_t eq = pair.find('=');
    const absl::string_view key = pair.substr(0, eq);
    std::string value;
    if (eq == absl::string_view::npos || !Unescape(pair.substr(eq + 1), &value) ||
        !IsValidUtf8(value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("query parameter ", key, ": not a valid percent-encoded UTF-8 value"));
    }
    if (key == "fileName" || key == "file_name") {
      header.set_file_name(std::move(value));
    } else if (key == "applicantId" || key == "applicant_id") {
      header.set_applicant_id(std::move(value));
    } else {
      return absl::InvalidArgumentError(absl::StrCat("query parameter ", key, ": unknown"));
    }
  }
  return header;
}

// A backend failure as the client should see it, as for every other route:
// transport messages name internal addresses, and intake out of threads is
// intake's trouble, not a client sending too much.
absl::Status FromIntake(const grpc::Status& status) {
  return PublicUpstreamError("intake", status::FromGrpcStatus(status));
}

HttpResponse UploadError(const absl::Status& status, unsigned version) {
  HttpResponse response = ErrorResponse(status, version);
  // Too big is a payload problem, not a malformed request.
  if (status.code() == absl::StatusCode::kOutOfRange) {
    response.result(http::status::payload_too_large);
  }
  return response;
}

std::unique_ptr<grpc::ClientContext> IntakeContext(const auth::TokenSigner* signer,
                                                   const auth::v1::Principal& principal,
                                                   const std::string& request_id,
                                                   absl::Duration timeout, absl::Status* minted) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  context->AddMetadata(server::kRequestIdHeader, request_id);
  // The token must outlive the transfer, which may take minutes.
  absl::StatusOr<std::string> token =
      signer->Mint(principal, timeout + absl::Minutes(1), absl::Now());
  if (!token.ok()) {
    *minted = token.status();
    return context;
  }
  context->AddMetadata(server::kPrincipalHeader, *token);
  *minted = absl::OkStatus();
  return context;
}

// One upload: the HTTP body, piece by piece, into UploadMaterial. Keeps
// itself alive until gRPC is done with it.
class UploadCall final : public grpc::ClientWriteReactor<intake::v1::UploadMaterialRequest>,
                         public std::enable_shared_from_this<UploadCall> {
 public:
  UploadCall(std::shared_ptr<BodyReader> body, unsigned version,
             std::function<void(HttpResponse)> done)
      : body_(std::move(body)), version_(version), done_(std::move(done)) {}

  void Start(intake::v1::IntakeService::StubInterface* intake,
             std::unique_ptr<grpc::ClientContext> context, intake::v1::UploadHeader header) {
    self_ = shared_from_this();
    context_ = std::move(context);
    *message_.mutable_header() = std::move(header);
    intake->async()->UploadMaterial(context_.get(), &response_, this);
    StartWrite(&message_);
    StartCall();
  }

  void OnWriteDone(bool ok) override {
    // Not ok: the call is ending (intake refused the file, say); OnDone
    // says how.
    if (!ok) return;
    // The next write starts outside a reaction, from the HTTP side: the
    // hold keeps the call from finishing before then.
    AddHold();
    body_->Read([self = shared_from_this()](absl::StatusOr<std::string> piece) {
      self->OnPiece(std::move(piece));
    });
  }

  void OnDone(const grpc::Status& status) override {
    HttpResponse response;
    absl::Status client_error;
    {
      absl::MutexLock lock(&mu_);
      client_error = client_error_;
    }
    if (!client_error.ok()) {
      response = UploadError(client_error, version_);
    } else if (!status.ok()) {
      response = UploadError(FromIntake(status), version_);
    } else {
      absl::StatusOr<std::string> json = ToJson(response_);
      response = json.ok() ? JsonResponse(200, *std::move(json), version_, true)
                           : ErrorResponse(json.status(), version_);
    }
    done_(std::move(response));
    self_.reset();
  }

 private:
  void OnPiece(absl::StatusOr<std::string> piece) {
    if (!piece.ok()) {
      {
        absl::MutexLock lock(&mu_);
        client_error_ = piece.status();
      }
      context_->TryCancel();
    } else if (piece->empty()) {
      StartWritesDone();
    } else {
      message_.Clear();
      message_.set_chunk(*std::move(piece));
      StartWrite(&message_);
    }
    RemoveHold();
  }

  std::shared_ptr<BodyReader> body_;
  const unsigned version_;
  std::function<void(HttpResponse)> done_;
  std::shared_ptr<UploadCall> self_;
  std::unique_ptr<grpc::ClientContext> context_;
  intake::v1::UploadMaterialRequest message_;
  intake::v1::Material response_;
  absl::Mutex mu_;
  absl::Status client_error_ ABSL_GUARDED_BY(mu_);
};

// One download: DownloadMaterial's chunks written to the client as they
// arrive. The head goes out with the description (intake sends it first,
// after checking who may read the file), and each chunk is read only once
// the previous one is on its way, so one chunk is in memory at a time. A
// failure before the head is an error answer; after it, only closing the
// connection tells the client, since the status is already sent.
class DownloadCall final : public grpc::ClientReadReactor<intake::v1::MaterialChunk> {
 public:
  DownloadCall(unsigned version, std::shared_ptr<Responder> responder)
      : version_(version), responder_(std::move(responder)) {}

  void Start(intake::v1::IntakeService::StubInterface* intake,
             std::unique_ptr<grpc::ClientContext> context, const std::string& material_id) {
    context_ = std::move(context);
    request_.set_material_id(material_id);
    intake->async()->DownloadMaterial(context_.get(), &request_, this);
    StartRead(&chunk_);
    StartCall();
  }

  void OnReadDone(bool ok) override {
    // Not ok: the stream ended; OnDone says how.
    if (!ok) return;
    if (!head_sent_) {
      if (!chunk_.has_material()) {
        Stop(absl::InternalError("intake sent bytes before the file's description"));
        return;
      }
      head_sent_ = true;
      length_ = chunk_.material().size_bytes();
      responder_->WriteHead(Head(chunk_.material()), ReadOnceWritten());
      return;
    }
    if (chunk_.has_material() || sent_ + chunk_.data().size() > length_) {
      Stop(absl::InternalError("intake sent more than the file it described"));
      return;
    }
    sent_ += chunk_.data().size();
    responder_->WriteBody(std::move(*chunk_.mutable_data()), ReadOnceWritten());
  }

  void OnDone(const grpc::Status& status) override {
    absl::Status error;
    {
      absl::MutexLock lock(&mu_);
      error = error_;
    }
    if (error.ok() && !status.ok()) error = FromIntake(status);
    if (error.ok() && sent_ != length_) {
      error = absl::InternalError("intake ended the file short of its size");
    }
    if (!head_sent_ && error.ok()) error = absl::InternalError("intake sent nothing");
    std::shared_ptr<Responder> responder = std::move(responder_);
    const bool head_sent = head_sent_;
    const unsigned version = version_;
    // Gone before anyone hears that the call ended, so nothing of it
    // outlives what they do next.
    delete this;
    if (!head_sent) {
      responder->Send(ErrorResponse(error, version));
    } else if (error.ok()) {
      responder->Finish();
    } else {
      responder->Abort(error);
    }
  }

 private:
  HttpResponseHead Head(const intake::v1::Material& material) const {
    HttpResponseHead head{http::status::ok, version_};
    head.set(http::field::content_type, material.content_type().empty() ? "application/octet-stream"
                                                                        : material.content_type());
    head.set(http::field::content_disposition, AttachmentDisposition(material.file_name()));
    head.set(http::field::cache_control, "no-store");
    head.set("X-Content-Type-Options", "nosniff");
    head.set("Content-Security-Policy", "default-src 'none'; sandbox");
    head.content_length(static_cast<uint64_t>(std::max<int64_t>(0, material.size_bytes())));
    return head;
  }

  // The callback of one write to the client: the next read starts once the
  // write is done, outside a reaction, so a hold keeps the call open until
  // then.
  std::function<void(absl::Status)> ReadOnceWritten() {
    AddHold();
    return [this](absl::Status written) {
      if (written.ok()) {
        StartRead(&chunk_);
      } else {
        Stop(std::move(written));
      }
      RemoveHold();
    };
  }

  void Stop(absl::Status error) {
    {
      absl::MutexLock lock(&mu_);
      if (error_.ok()) error_ = std::move(error);
    }
    context_->TryCancel();
  }

  const unsigned version_;
  std::shared_ptr<Responder> responder_;
  std::unique_ptr<grpc::ClientContext> context_;
  intake::v1::DownloadMaterialRequest request_;
  intake::v1::MaterialChunk chunk_;
  // Touched only by reactions, which never overlap.
  bool head_sent_ = false;
  uint64_t length_ = 0;
  uint64_t sent_ = 0;
  absl::Mutex mu_;
  absl::Status error_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

std::string AttachmentDisposition(absl::string_view file_name) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string encoded;
  for (unsigned char c : file_name) {
    if (absl::ascii_isalnum(c) || c == '.' || c == '-' || c == '_') {
      encoded.push_back(static_cast<char>(c));
    } else {
      encoded.push_back('%');
      encoded.push_back(kHex[c >> 4]);
      encoded.push_back(kHex[c & 15]);
    }
  }
  if (encoded.empty()) encoded = "material";
  return absl::StrCat("attachment; filename*=UTF-8''", encoded);
}

MaterialTransfer::Match MaterialTransfer::Find(absl::string_view method, absl::string_view path) {
  Match match;
  if (method == "POST" && path == kUploadRoute) {
    match.kind = Kind::kUpload;
    match.label = kUploadRoute;
    return match;
  }
  absl::string_view rest = path;
  if (method == "GET" && absl::ConsumePrefix(&rest, kDownloadPrefix) &&
      absl::ConsumeSuffix(&rest, kDownloadSuffix) && !rest.empty() &&
      rest.find('/') == absl::string_view::npos) {
    match.kind = Kind::kDownload;
    match.material_id = std::string(rest);
    match.label = kDownloadRoute;
  }
  return match;
}

void MaterialTransfer::Upload(const HttpRequest& header, absl::string_view query,
                              std::shared_ptr<BodyReader> body,
                              const auth::v1::Principal& principal, const std::string& request_id,
                              std::function<void(HttpResponse)> done) {
  absl::StatusOr<intake::v1::UploadHeader> upload = HeaderFromQuery(query);
  if (!upload.ok()) {
    done(ErrorResponse(upload.status(), header.version()));
    return;
  }
  absl::Status minted;
  auto context = IntakeContext(signer_, principal, request_id, options_.upload_timeout, &minted);
  if (!minted.ok()) {
    done(ErrorResponse(minted, header.version()));
    return;
  }
  auto call = std::make_shared<UploadCall>(std::move(body), header.version(), std::move(done));
  call->Start(intake_.get(), std::move(context), *std::move(upload));
}

void MaterialTransfer::Download(const std::string& material_id, unsigned http_version,
                                const auth::v1::Principal& principal, const std::string& request_id,
                                std::shared_ptr<Responder> responder) {
  if (!IsValidUtf8(material_id)) {
    responder->Send(ErrorResponse(
        absl::InvalidArgumentError("material id in the path: not valid UTF-8"), http_version));
    return;
  }
  absl::Status minted;
  auto context = IntakeContext(signer_, principal, request_id, options_.download_timeout, &minted);
  if (!minted.ok()) {
    responder->Send(ErrorResponse(minted, http_version));
    return;
  }
  auto* call = new DownloadCall(http_version, std::move(responder));
  call->Start(intake_.get(), std::move(context), material_id);
}

}  // namespace onewindow::gateway
