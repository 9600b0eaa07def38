#pragma once

#include <functional>
#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/auth/token.h"
#include "onewindow/auth/v1/principal.pb.h"
#include "onewindow/intake/v1/intake.grpc.pb.h"
#include "services/gateway/http_server.h"

namespace onewindow::gateway {

struct MaterialTransferOptions {
  // Whole transfers at the client's pace, so generous: a large scan on a
  // slow line takes a while.
  absl::Duration upload_timeout = absl::Minutes(5);
  absl::Duration download_timeout = absl::Minutes(5);
};

// The two material routes the transcoder cannot serve, since their bodies
// are files, not JSON:
//
//   POST /api/v1/materials?fileName=…[&applicantId=…]   body: the raw file
//   GET  /api/v1/materials/{material_id}/content
//
// Both stream, one piece in memory at a time whatever the file's size.
// An upload's body goes to intake's client-streaming UploadMaterial piece
// by piece as it arrives, each piece read only once the previous one was
// sent on; the answer is the Material as JSON. A download answers the file
// with its type, as an attachment, with the Content-Length intake's
// description gives: each DownloadMaterial chunk is written to the client
// as it arrives, and the next one read only once it is on its way.
class MaterialTransfer {
 public:
  // The routes' templates, as the OpenAPI document and metrics name them.
  static constexpr char kUploadRoute[] = "/api/v1/materials";
  static constexpr char kDownloadRoute[] = "/api/v1/materials/{material_id}/content";

  enum class Kind { kNone, kUpload, kDownload };
  struct Match {
    Kind kind = Kind::kNone;
    std::string material_id;
    // For metrics and logs.
    const char* label = "";
  };
  // Which of the two routes `method` and `path` (no query) name, if any.
  static Match Find(absl::string_view method, absl::string_view path);

  MaterialTransfer(std::unique_ptr<intake::v1::IntakeService::StubInterface> intake,
                   const auth::TokenSigner* signer, MaterialTransferOptions options = {})
      : intake_(std::move(intake)), signer_(signer), options_(options) {}

  // `done` is called exactly once, from any thread.
  void Upload(const HttpRequest& header, absl::string_view query, std::shared_ptr<BodyReader> body,
              const auth::v1::Principal& principal, const std::string& request_id,
              std::function<void(HttpResponse)> done);
  // Answers through `responder`: an error whole (404 for anyone but the
  // owner, the uploader and handling staff, as intake decides), or the file
  // streamed; a failure mid-file aborts it, which closes the connection.
  void Download(const std::string& material_id, unsigned http_version,
                const auth::v1::Principal& principal, const std::string& request_id,
                std::shared_ptr<Responder> responder);

 private:
  std::unique_ptr<intake::v1::IntakeService::StubInterface> intake_;
  const auth::TokenSigner* signer_;
  const MaterialTransferOptions options_;
};

// "attachment; filename*=UTF-8''<percent-encoded name>" (RFC 6266), safe for
// any name.
std::string AttachmentDisposition(absl::string_view file_name);

}  // namespace onewindow::gateway
