#pragma once

#include <string>

// The gateway's own session endpoints and the cookie they set: one place for
// what the handlers (gateway.cc) serve and the OpenAPI document (openapi.cc)
// describes.

namespace onewindow::gateway {

inline constexpr char kSessionsPath[] = "/api/v1/sessions";
inline constexpr char kCurrentSessionPath[] = "/api/v1/sessions/current";
inline constexpr char kCsrfHeader[] = "X-CSRF-Token";

// With secure cookies the __Host- prefix binds the cookie to this origin
// over HTTPS.
inline std::string SessionCookieName(bool secure) {
  return secure ? "__Host-ow_session" : "ow_session";
}

// What every session cookie carries after its value (Max-Age only when it
// is deleted).
inline std::string SessionCookieAttributes(bool secure) {
  return secure ? "Path=/; HttpOnly; SameSite=Strict; Secure" : "Path=/; HttpOnly; SameSite=Strict";
}

// Open311 GeoReport v2 lives under this prefix (open311.h).
inline constexpr char kOpen311Prefix[] = "/open311/v2/";

}  // namespace onewindow::gateway
