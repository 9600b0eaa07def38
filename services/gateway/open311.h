#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <grpcpp/generic/generic_stub.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/auth/token.h"
#include "libs/log/logger.h"
#include "onewindow/complaint/v1/complaint.pb.h"
#include "services/gateway/http_server.h"

// Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) on the
// gateway, so existing Open311 clients can file and follow complaints:
//
//   GET  /open311/v2/services.json              complaint categories
//   GET  /open311/v2/services/{code}.json       one category and its attributes
//   POST /open311/v2/requests.json              file a request (api_key)
//   GET  /open311/v2/requests/{id}.json         one request
//   GET  /open311/v2/requests.json              requests by id, service, dates, status
//
// Services are complaint categories; a request is a work order filed
// through the OPEN311 channel, and only those are listed (they were filed
// into a public system; other channels' orders never show here). JSON only;
// errors are Open311's array of {code, description} with HTTP 400, 403
// (api_key) or 404 (unknown service, request or jurisdiction).
//
// api_key: each Open311 client gets a key from the operators, configured as
// --open311_api_keys=name:key,... (secret; OW_OPEN311_API_KEYS). A valid key
// lets the gateway file the request with a SERVICE principal named after the
// client ("open311:<name>"); reads need no key. Keys are separate from
// identity's API tokens on purpose: those act for a department with its
// roles, while an Open311 app only files on behalf of the public.
// --open311_jurisdiction_id names this endpoint's jurisdiction; a request
// naming another one is 404.

namespace onewindow::gateway {

struct Open311Options {
  std::string jurisdiction_id;
  // api_key -> client name.
  std::map<std::string, std::string> api_keys;
  absl::Duration upstream_timeout = absl::Seconds(5);
};

// From --open311_api_keys and --open311_jurisdiction_id. INVALID_ARGUMENT
// for a malformed key list (never echoing a key).
absl::StatusOr<Open311Options> Open311OptionsFromFlags();

// The pure parts, testable without a network.
namespace open311 {

// Parameters of a request: query string, form body or JSON object, decoded.
// Repeated names (attribute[x][]=a&attribute[x][]=b) join with commas.
using Params = std::map<std::string, std::string>;

absl::StatusOr<Params> ParseForm(absl::string_view body);
// A flat JSON object; "attribute" may be an object of code -> value (or a
// list of values), which becomes attribute[code].
absl::StatusOr<Params> ParseJsonObject(absl::string_view body);

// The work order an Open311 POST asks for. INVALID_ARGUMENT naming every
// bad parameter.
absl::StatusOr<complaint::v1::SubmitWorkOrderRequest> ToSubmitRequest(const Params& params);

// The filter of GET requests.json at `now`: the ids given, or else a window
// of start_date..end_date, at most the last 90 days by default.
absl::StatusOr<complaint::v1::ListPublicWorkOrdersRequest> ToListRequest(const Params& params,
                                                                         absl::Time now);

std::string RenderServices(const complaint::v1::ListCategoriesResponse& categories);
std::string RenderDefinition(const complaint::v1::Category& category);
std::string RenderRequests(const std::vector<complaint::v1::PublicWorkOrder>& orders);
std::string RenderCreated(const complaint::v1::WorkOrder& order);
std::string RenderError(int code, absl::string_view description);

// ISO 8601 with the China Standard Time offset, e.g. 2026-04-02T09:00:00+08:00.
std::string FormatIsoTime(absl::Time t);

// 400, 403, 404 as Open311 expects; 500/503/504 for server trouble.
int HttpStatusFor(absl::StatusCode code);

}  // namespace open311

// Serves the routes above through the complaint backend's generic stub,
// on the callback API: no thread waits on a backend.
class Open311 {
 public:
  Open311(Open311Options options, grpc::GenericStub* complaint, const auth::TokenSigner* signer,
          log::Logger logger);

  // True for every path under /open311/.
  static bool Owns(absl::string_view path);
  // The metrics label for a path (ids replaced by placeholders).
  static std::string RouteLabel(absl::string_view path);

  // Answers one request; `respond` is called exactly once, from any thread.
  void Handle(const HttpRequest& request, const std::string& path, const std::string& query,
              const std::string& request_id, std::function<void(HttpResponse)> respond);

 private:
  struct Reply;
  using Done = std::function<void(absl::Status, const std::string& bytes)>;
  // Calls ComplaintService/<method> with a SERVICE token for `subject`.
  void CallComplaint(const std::string& method, const google::protobuf::Message& request,
                     const std::string& subject, const std::string& request_id, Done done);

  const Open311Options options_;
  grpc::GenericStub* complaint_;
  const auth::TokenSigner* signer_;
  const log::Logger logger_;
};

}  // namespace onewindow::gateway
