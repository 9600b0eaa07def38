// The HTTP server's bound on connections open at once.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <string>

#include <catch2/catch.hpp>

#include "absl/strings/match.h"
#include "libs/testing/eventually.h"
#include "libs/testing/http_client.h"
#include "services/gateway/descriptor_limit.h"
#include "services/gateway/http_server.h"
#include "tests/unit/served_http.h"

namespace onewindow::gateway {
namespace {

namespace http = boost::beast::http;

// Answers every request 200 "ok".
class OkHandler final : public HttpHandler {
 public:
  void Handle(HttpRequest request, const std::string&,
              std::shared_ptr<Responder> responder) override {
    HttpResponse response{http::status::ok, request.version()};
    response.body() = "ok";
    response.keep_alive(request.keep_alive());
    response.prepare_payload();
    responder->Send(std::move(response));
  }
};

int StatusOf(testing::HttpConnection& connection) {
  auto answer = connection.Request("GET", "/");
  return answer.ok() ? answer->status : 0;
}

TEST_CASE("a connection past the limit is answered 503 and a closed one frees its place") {
  OkHandler handler;
  HttpLimits limits;
  limits.max_connections = 2;
  ServedHttp served(&handler, limits);
  const int port = served.server.port();

  auto first = std::make_unique<testing::HttpConnection>(port);
  testing::HttpConnection second(port);
  REQUIRE(StatusOf(*first) == 200);
  REQUIRE(StatusOf(second) == 200);

  testing::HttpConnection third(port);
  auto refused = third.Request("GET", "/");
  REQUIRE(refused.ok());
  CHECK(refused->status == 503);
  CHECK(refused->header("retry-after") == "1");
  CHECK(absl::StrContains(refused->body, "too many connections"));
  CHECK(served.server.refused_connections() == 1);
  // The two served connections keep being served.
  CHECK(StatusOf(*first) == 200);
  CHECK(StatusOf(second) == 200);

  first.reset();
  CHECK(testing::Eventually([&] {
    testing::HttpConnection next(port);
    return StatusOf(next) == 200;
  }));
}

// Runs `limit` in a child whose open-file limit is soft/hard, so this
// process keeps its own; the child's exit code is the connections allowed
// (capped at 250) or 255 when the soft limit was not raised to the hard one.
int ConnectionsInChild(rlim_t soft, rlim_t hard, int wanted, int reserve) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    struct rlimit limit = {soft, hard};
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) ::_exit(254);
    const int allowed = ConnectionsWithinDescriptorLimit(wanted, reserve);
    struct rlimit after;
    ::getrlimit(RLIMIT_NOFILE, &after);
    ::_exit(after.rlim_cur != hard ? 255 : std::min(allowed, 250));
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_CASE("the connection limit is raised to the hard file limit and fits under it") {
  // Soft 300, hard 400: raised to 400, of which 256 are kept for the rest.
  CHECK(ConnectionsInChild(300, 400, 10000, 256) == 144);
  CHECK(ConnectionsInChild(300, 400, 100, 256) == 100);  // What was asked fits.
  CHECK(ConnectionsInChild(200, 200, 10000, 256) == 1);  // Never none.
}

}  // namespace
}  // namespace onewindow::gateway
