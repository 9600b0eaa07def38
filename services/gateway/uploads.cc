#include "services/gateway/uploads.h"

#include <grpcpp/client_context.h>
#include <grpcpp/support/client_callback.h>

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

constexpr char kUploadPath[] = "/api/v1/materials";
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

// A backend failure as the client should see it: transport messages name
// internal addresses, so those are replaced.
absl::Status FromIntake(const grpc::Status& status) {
  absl::Status error = status::FromGrpcStatus(status);
  if (error.code() == absl::StatusCode::kUnavailable) {
    return absl::UnavailableError("intake unavailable");
  }
  if (error.code() == absl::StatusCode::kDeadlineExceeded) {
    return absl::DeadlineExceededError("intake did not answer in time");
  }
  return error;
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

// One download: DownloadMaterial's chunks, gathered into the answer.
class DownloadCall final : public grpc::ClientReadReactor<intake::v1::MaterialChunk> {
 public:
  DownloadCall(unsigned version, size_t max_bytes, std::function<void(HttpResponse)> done)
      : version_(version), max_bytes_(max_bytes), done_(std::move(done)) {}

  void Start(intake::v1::IntakeService::StubInterface* intake,
             std::unique_ptr<grpc::ClientContext> context, const std::string& material_id) {
    context_ = std::move(context);
    request_.set_material_id(material_id);
    intake->async()->DownloadMaterial(context_.get(), &request_, this);
    StartRead(&chunk_);
    StartCall();
  }

  void OnReadDone(bool ok) override {
    if (!ok) return;
    if (chunk_.has_material()) {
      material_ = chunk_.material();
    } else {
      data_.append(chunk_.data());
      if (data_.size() > max_bytes_) {
        too_big_ = true;
        context_->TryCancel();
        return;
      }
    }
    StartRead(&chunk_);
  }

  void OnDone(const grpc::Status& status) override {
    HttpResponse response;
    if (too_big_) {
      response =
          ErrorResponse(absl::OutOfRangeError("the file is too large to download here"), version_);
    } else if (!status.ok()) {
      response = ErrorResponse(FromIntake(status), version_);
    } else {
      response = HttpResponse{http::status::ok, version_};
      response.set(http::field::content_type, material_.content_type().empty()
                                                  ? "application/octet-stream"
                                                  : material_.content_type());
      response.set(http::field::content_disposition, AttachmentDisposition(material_.file_name()));
      response.set(http::field::cache_control, "no-store");
      response.set("X-Content-Type-Options", "nosniff");
      response.set("Content-Security-Policy", "default-src 'none'; sandbox");
      response.body() = std::move(data_);
      response.prepare_payload();
    }
    done_(std::move(response));
    delete this;
  }

 private:
  const unsigned version_;
  const size_t max_bytes_;
  std::function<void(HttpResponse)> done_;
  std::unique_ptr<grpc::ClientContext> context_;
  intake::v1::DownloadMaterialRequest request_;
  intake::v1::MaterialChunk chunk_;
  intake::v1::Material material_;
  std::string data_;
  bool too_big_ = false;
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
  if (method == "POST" && path == kUploadPath) {
    match.kind = Kind::kUpload;
    match.label = kUploadPath;
    return match;
  }
  absl::string_view rest = path;
  if (method == "GET" && absl::ConsumePrefix(&rest, kDownloadPrefix) &&
      absl::ConsumeSuffix(&rest, kDownloadSuffix) && !rest.empty() &&
      rest.find('/') == absl::string_view::npos) {
    match.kind = Kind::kDownload;
    match.material_id = std::string(rest);
    match.label = "/api/v1/materials/{material_id}/content";
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
                                std::function<void(HttpResponse)> done) {
  absl::Status minted;
  auto context = IntakeContext(signer_, principal, request_id, options_.download_timeout, &minted);
  if (!minted.ok()) {
    done(ErrorResponse(minted, http_version));
    return;
  }
  auto* call = new DownloadCall(http_version, options_.max_download_bytes, std::move(done));
  call->Start(intake_.get(), std::move(context), material_id);
}

}  // namespace onewindow::gateway
