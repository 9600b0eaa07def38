#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace onewindow::notification {

// An e-mail address as SMTP needs it: one '@', a non-empty local part and a
// dotted domain, printable ASCII without spaces, angle brackets or line
// breaks (which would let an address inject SMTP commands or headers).
absl::Status ValidateEmailAddress(absl::string_view address);

// libs/codes has no e-mail mask: first character of the local part, "***",
// then the domain ("z***@example.com"). Anything else is masked whole.
std::string MaskEmail(absl::string_view address);

// The parts of an http:// URL a client needs. https is not supported yet:
// webhooks are reached over plain HTTP inside the deployment's network.
struct HttpUrl {
  std::string host;
  int port = 80;
  // Path and query, at least "/".
  std::string target;
};

absl::StatusOr<HttpUrl> ParseHttpUrl(absl::string_view url);

}  // namespace onewindow::notification
