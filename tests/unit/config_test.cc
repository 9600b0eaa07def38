#include <catch2/catch.hpp>
#include <cstdlib>

#include "absl/flags/flag.h"
#include "libs/config/flags.h"

ABSL_FLAG(std::string, test_addr, "", "an address for the test");
ABSL_FLAG(std::string, test_secret_token, "", "a secret for the test");
ABSL_FLAG(int, test_count, 1, "a number for the test");

namespace onewindow::config {
namespace {

TEST_CASE("environment variables named OW_<FLAG> set flags, and the command line wins") {
  ::setenv("OW_TEST_ADDR", "127.0.0.1:1", 1);
  ::setenv("OW_TEST_COUNT", "7", 1);
  char arg0[] = "prog";
  char arg1[] = "--test_count=9";
  char* argv[] = {arg0, arg1};
  ParseFlags(2, argv, "test");
  CHECK(absl::GetFlag(FLAGS_test_addr) == "127.0.0.1:1");
  CHECK(absl::GetFlag(FLAGS_test_count) == 9);
  ::unsetenv("OW_TEST_ADDR");
  ::unsetenv("OW_TEST_COUNT");
}

TEST_CASE("a missing required flag is named with its environment variable") {
  absl::SetFlag(&FLAGS_test_secret_token, "");
  absl::Status s = CheckRequired({"test_secret_token"});
  REQUIRE_FALSE(s.ok());
  CHECK(s.message() ==
        "missing required configuration: --test_secret_token (OW_TEST_SECRET_TOKEN)");
  absl::SetFlag(&FLAGS_test_secret_token, "x");
  CHECK(CheckRequired({"test_secret_token"}).ok());
}

TEST_CASE("flags that hold secrets are recognised for masking") {
  CHECK(IsSecretFlag("principal_keys"));
  CHECK(IsSecretFlag("bootstrap_admin_password"));
  CHECK(IsSecretFlag("webhook_secret"));
  CHECK_FALSE(IsSecretFlag("catalog_addr"));
}

}  // namespace
}  // namespace onewindow::config
