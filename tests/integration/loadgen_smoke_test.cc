// tools/loadgen end to end: short runs against the stack it starts itself
// (--start_stack), read back from its output.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/testing/process.h"
#include "libs/testing/stack.h"
#include "tests/integration/require_ok.h"

namespace onewindow {
namespace {

struct Run {
  int exit_code = -1;
  std::string output;

  // The value of `figure: loadgen.<name> <value> <unit>`, or -1 when absent.
  double Figure(const std::string& name) const {
    const std::string prefix = absl::StrCat("figure: loadgen.", name, " ");
    for (absl::string_view line : absl::StrSplit(output, '\n')) {
      if (!absl::ConsumePrefix(&line, prefix)) continue;
      double value = -1;
      if (absl::SimpleAtod(line.substr(0, line.find(' ')), &value)) return value;
    }
    return -1;
  }
  // The table row of an endpoint.
  std::string Row(const std::string& endpoint) const {
    for (absl::string_view line : absl::StrSplit(output, '\n')) {
      if (absl::StartsWith(line, absl::StrCat(endpoint, " "))) return std::string(line);
    }
    return "";
  }
};

Run Loadgen(const std::vector<std::string>& flags) {
  testing::TempDir dir;
  std::vector<std::string> argv = {testing::BinaryPath("loadgen/loadgen"), "--start_stack",
                                   "--stack_implementations=400", "--citizens=6",
                                   "--connections=4"};
  argv.insert(argv.end(), flags.begin(), flags.end());
  const std::string log = absl::StrCat(dir.path(), "/loadgen.log");
  Run run;
  run.exit_code = testing::RequireOk(testing::RunToExit(argv, {}, log, absl::Seconds(150)));
  run.output = testing::ReadFile(log);
  return run;
}

TEST_CASE("loadgen: a short mixed run exercises every endpoint without errors", "[loadgen]") {
  const Run run = Loadgen(
      {"--duration=3", "--mix=search:30,guide:20,login:5,me:10,submit:15,decide:10,complain:10"});
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  for (const char* endpoint :
       {"search", "guide", "login", "me", "upload", "submit", "queue", "complain"}) {
    INFO(endpoint);
    CHECK(run.Figure(absl::StrCat(endpoint, ".requests")) > 0);
    CHECK(run.Figure(absl::StrCat(endpoint, ".p99")) > 0);
  }
  // A decision needs a task in the queue: either some were decided or the
  // queue was found empty.
  CHECK((run.Figure("decide.requests") > 0 ||
         absl::StrContains(run.output, "decide: the queue was empty")));
  CHECK(run.Figure("total.errors") == 0);
  CHECK(run.Figure("total.throttled") == 0);
  CHECK(absl::StrContains(run.output, "loadgen ["));  // the progress line
}

TEST_CASE("loadgen: operations whose service is not running are reported as skipped", "[loadgen]") {
  const Run run = Loadgen({"--duration=1", "--stack_backends=identity,catalog"});
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  for (const char* endpoint : {"upload", "submit", "queue", "decide", "complain"}) {
    INFO(endpoint);
    CHECK(absl::StrContains(run.Row(endpoint), "skipped: "));
    CHECK(run.Figure(absl::StrCat(endpoint, ".requests")) == -1);
  }
  CHECK(absl::StrContains(run.Row("submit"), "service not available"));
  CHECK(run.Figure("search.requests") > 0);
  CHECK(run.Figure("me.requests") > 0);
  CHECK(run.Figure("total.errors") == 0);
}

TEST_CASE("loadgen: the gateway's rate limits are counted as 429s, apart from errors",
          "[loadgen]") {
  // Unlifted limits: 20 requests/s per session, 50 per client address.
  const Run run = Loadgen({"--duration=2", "--mix=me:1", "--stack_default_limits",
                           "--stack_backends=identity,catalog"});
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK(run.Figure("me.requests") > 0);
  CHECK(run.Figure("total.throttled") > 0);
  CHECK(run.Figure("total.errors") == 0);
}

}  // namespace
}  // namespace onewindow
