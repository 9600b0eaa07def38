#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/testing/url_encode.h"
#include "tools/loadgen/citizens.h"
#include "tools/loadgen/http_conn.h"

// The gateway requests of the workload, built in one place so the
// preparation's probes and the measured run send exactly the same thing.

namespace onewindow::loadgen {

struct Session {
  std::string cookie;  // "ow_session=…", as sent back in Cookie
  std::string csrf_token;
  bool valid() const { return !cookie.empty(); }
};

// An item citizens apply for, with what its guide asks them to upload.
struct SubmitItem {
  std::string implementation_code;
  int64_t revision = 0;
  std::string department;   // credit code of the implementing body
  std::string region_code;  // the body's region
  // Guide material ids of the required materials (one upload each).
  std::vector<std::string> required_materials;
};

// Search words and item codes go into URLs percent-encoded.
using testing::UrlEncode;

HttpCall SearchCall(const std::string& word, const std::string& region_code);
HttpCall GuideCall(const std::string& implementation_code);
HttpCall RegisterCall(const Citizen& citizen);
HttpCall LoginCall(const Citizen& citizen);
HttpCall MeCall(const Session& session);
// A small PDF (intake types files by their first bytes) of about `bytes`.
std::string PdfBody(int bytes);
HttpCall UploadCall(const Session& session, const std::string& file_name, const std::string& pdf);
HttpCall SubmitCall(const Session& session, const SubmitItem& item,
                    const std::vector<std::string>& material_ids, const std::string& key);
HttpCall ComplainCall(const Session& session, const SubmitItem& item, const std::string& key);

// The session from a sign-in answer: the cookie from Set-Cookie and the
// CSRF token from the body.
absl::StatusOr<Session> SessionFrom(const std::string& set_cookie, const std::string& body);
// materialId of an upload's answer.
absl::StatusOr<std::string> MaterialIdFrom(const std::string& body);
// "HTTP 503: intake unavailable" from an error answer (message cut short).
std::string DescribeAnswer(int status, const std::string& body);

}  // namespace onewindow::loadgen
