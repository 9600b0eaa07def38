#include "services/gateway/http_errors.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/log/json_writer.h"

namespace onewindow::gateway {

namespace http = boost::beast::http;

int HttpStatusFor(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      return 400;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kFailedPrecondition:
      return 409;
    case absl::StatusCode::kResourceExhausted:
      return 429;
    case absl::StatusCode::kUnimplemented:
      return 501;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kCancelled:
      return 503;
    case absl::StatusCode::kDeadlineExceeded:
      return 504;
    default:
      return 500;
  }
}

const char* CodeName(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return "OK";
    case absl::StatusCode::kCancelled:
      return "CANCELLED";
    case absl::StatusCode::kInvalidArgument:
      return "INVALID_ARGUMENT";
    case absl::StatusCode::kDeadlineExceeded:
      return "DEADLINE_EXCEEDED";
    case absl::StatusCode::kNotFound:
      return "NOT_FOUND";
    case absl::StatusCode::kAlreadyExists:
      return "ALREADY_EXISTS";
    case absl::StatusCode::kPermissionDenied:
      return "PERMISSION_DENIED";
    case absl::StatusCode::kResourceExhausted:
      return "RESOURCE_EXHAUSTED";
    case absl::StatusCode::kFailedPrecondition:
      return "FAILED_PRECONDITION";
    case absl::StatusCode::kAborted:
      return "ABORTED";
    case absl::StatusCode::kOutOfRange:
      return "OUT_OF_RANGE";
    case absl::StatusCode::kUnimplemented:
      return "UNIMPLEMENTED";
    case absl::StatusCode::kUnavailable:
      return "UNAVAILABLE";
    case absl::StatusCode::kUnauthenticated:
      return "UNAUTHENTICATED";
    default:
      return "INTERNAL";
  }
}

HttpResponse JsonResponse(int http_status, std::string body, unsigned http_version, bool personal) {
  HttpResponse res{static_cast<http::status>(http_status), http_version};
  res.set(http::field::content_type, "application/json; charset=utf-8");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("X-Frame-Options", "DENY");
  res.set("Referrer-Policy", "no-referrer");
  if (personal) res.set(http::field::cache_control, "no-store");
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

absl::Status PublicUpstreamError(absl::string_view backend, const absl::Status& error) {
  if (error.code() == absl::StatusCode::kUnavailable ||
      (error.code() == absl::StatusCode::kResourceExhausted &&
       absl::StrContains(error.message(), "Threadpool"))) {
    return absl::UnavailableError(absl::StrCat(backend, " unavailable"));
  }
  if (error.code() == absl::StatusCode::kDeadlineExceeded) {
    return absl::DeadlineExceededError(absl::StrCat(backend, " did not answer in time"));
  }
  return error;
}

HttpResponse ErrorResponse(const absl::Status& status, unsigned http_version) {
  std::string body =
      absl::StrCat(R"({"error":{"code":")", CodeName(status.code()), R"(","message":)");
  // Internal details never reach clients; the log has them. What is not
  // supported (501), unavailable or late is said as it is.
  const int http_status = HttpStatusFor(status.code());
  log::AppendJsonString(
      http_status >= 500 && http_status != 501 && http_status != 503 && http_status != 504
          ? absl::string_view("internal error")
          : status.message(),
      &body);
  body.append(R"(,"details":[]}})");
  return JsonResponse(http_status, std::move(body), http_version, /*personal=*/true);
}

}  // namespace onewindow::gateway
