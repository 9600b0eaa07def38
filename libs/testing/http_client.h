#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace onewindow::testing {

struct HttpResult {
  int status = 0;
  std::string body;
  // Lower-case names; repeated headers (Set-Cookie) joined with "\n".
  std::map<std::string, std::string> headers;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

using Headers = std::vector<std::pair<std::string, std::string>>;

// A blocking HTTP/1.1 client on one keep-alive connection, for tests and
// tools. Reconnects if the server closed the connection.
class HttpConnection {
 public:
  explicit HttpConnection(int port, std::string host = "127.0.0.1",
                          absl::Duration timeout = absl::Seconds(10));
  ~HttpConnection();

  absl::StatusOr<HttpResult> Request(const std::string& method, const std::string& target,
                                     const std::string& body = "", const Headers& headers = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One request on a fresh connection.
absl::StatusOr<HttpResult> HttpGet(int port, const std::string& target,
                                   const Headers& headers = {});
absl::StatusOr<HttpResult> HttpPost(int port, const std::string& target, const std::string& body,
                                    const Headers& headers = {});

}  // namespace onewindow::testing
