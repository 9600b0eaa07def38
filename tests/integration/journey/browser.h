#pragma once

// The citizen's side: a browser on the gateway, holding the session cookie
// and CSRF token a sign-in gave it.

#include <string>

#include "absl/strings/str_cat.h"
#include "libs/testing/http_client.h"
#include "tests/integration/journey/report.h"

namespace onewindow::journey {

class Browser {
 public:
  explicit Browser(int gateway_port);

  // One request, with the session once signed in and a JSON content type
  // unless `headers` name one; FAILs `step` unless the answer has status
  // `want`.
  testing::HttpResult Call(const std::string& step, const std::string& method,
                           const std::string& target, const std::string& body = "",
                           testing::Headers headers = {}, int want = 200);

  // GET `target`, parsed as Message.
  template <typename Message>
  Message Get(const std::string& step, const std::string& target) {
    return Parse<Message>(step, absl::StrCat("GET ", target), Call(step, "GET", target).body);
  }

  // Keeps the session cookie and CSRF token of a sign-in answer.
  void SignedIn(const std::string& step, const testing::HttpResult& login);

  // The latest exchange ("GET /x -> HTTP 200: body"), for failure messages.
  const std::string& last() const { return last_; }

 private:
  testing::HttpConnection http_;
  std::string cookie_;
  std::string csrf_;
  std::string last_;
};

}  // namespace onewindow::journey
