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
  // Whole transfers, so generous: a large scan on a slow line takes a while.
  absl::Duration upload_timeout = absl::Minutes(5);
  absl::Duration download_timeout = absl::Minutes(2);
  // Downloads are answered whole; intake's per-file limit keeps them below.
  size_t max_download_bytes = 64 << 20;
};

// The two material routes the transcoder cannot serve, since their bodies
// are files, not JSON:
//
//   POST /api/v1/materials?fileName=…[&applicantId=…]   body: the raw file
//   GET  /api/v1/materials/{material_id}/content
//
// An upload's body goes to intake's client-streaming UploadMaterial piece
// by piece as it arrives (never whole in memory), each piece read only once
// the previous one was sent on. The answer is the Material as JSON. A
// download streams DownloadMaterial back and answers the file with its
// type, as an attachment.
class MaterialTransfer {
 public:
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
  void Download(const std::string& material_id, unsigned http_version,
                const auth::v1::Principal& principal, const std::string& request_id,
                std::function<void(HttpResponse)> done);

 private:
  std::unique_ptr<intake::v1::IntakeService::StubInterface> intake_;
  const auth::TokenSigner* signer_;
  const MaterialTransferOptions options_;
};

// "attachment; filename*=UTF-8''<percent-encoded name>" (RFC 6266), safe for
// any name.
std::string AttachmentDisposition(absl::string_view file_name);

}  // namespace onewindow::gateway
