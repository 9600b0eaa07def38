#include "tools/loadgen/demo_stack.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "libs/auth/access.h"
#include "libs/status/macros.h"
#include "libs/testing/api_tokens.h"

namespace onewindow::loadgen {
namespace {

bool Executable(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

}  // namespace

bool DemoStack::has(const std::string& backend) const {
  return std::find(backends_.begin(), backends_.end(), backend) != backends_.end();
}

absl::StatusOr<std::unique_ptr<DemoStack>> DemoStack::Start(
    const DemoStackOptions& options, const std::function<void(const std::string&)>& say) {
  std::unique_ptr<DemoStack> demo(new DemoStack());
  const std::string gen = testing::BinaryPath("catalog_gen/catalog_gen");
  const std::string import = testing::BinaryPath("catalog_import/catalog_import");
  if (!Executable(gen) || !Executable(import)) {
    return absl::FailedPreconditionError(
        absl::StrCat("--start_stack needs ", gen, " and ", import, " built"));
  }

  // The synthetic province first: it takes a few seconds and needs nothing.
  const std::string data = absl::StrCat(demo->tmp_.path(), "/province");
  const std::string gen_log = absl::StrCat(demo->tmp_.path(), "/catalog_gen.log");
  // The tools' outcome is read from their logs: they say what they wrote.
  RETURN_IF_ERROR(testing::RunToExit({gen, absl::StrCat("--out=", data),
                                      absl::StrCat("--implementations=", options.implementations),
                                      absl::StrCat("--seed=", options.seed)},
                                     {}, gen_log, absl::InfiniteDuration())
                      .status());
  if (!absl::StrContains(testing::ReadFile(gen_log), "wrote ")) {
    return absl::InternalError(absl::StrCat("catalog_gen failed:\n", testing::ReadFile(gen_log)));
  }

  testing::StackOptions stack_options;
  stack_options.backends.clear();
  std::vector<std::string> missing;
  for (const std::string& backend : testing::AllBackends()) {
    const bool asked = options.backends.empty() ||
                       std::find(options.backends.begin(), options.backends.end(), backend) !=
                           options.backends.end();
    if (asked && Executable(testing::BinaryPath(backend))) {
      stack_options.backends.push_back(backend);
    } else {
      missing.push_back(backend);
    }
  }
  for (const char* b : {"identity", "catalog"}) {
    if (std::find(missing.begin(), missing.end(), b) != missing.end()) {
      return absl::FailedPreconditionError(absl::StrCat("--start_stack needs ", b, " (built)"));
    }
  }
  // Access logs at info would measure the log writer.
  for (const std::string& b : stack_options.backends) {
    stack_options.extra_flags[b] = {"--log_level=warn"};
  }
  std::vector<std::string>& gateway = stack_options.extra_flags["gateway"];
  gateway = {"--log_level=warn"};
  if (options.lift_limits) {
    for (const char* f : {"--rate_per_client=1e9", "--burst_per_client=1e9",
                          "--rate_per_session=1e9", "--burst_per_session=1e9",
                          "--login_rate_per_client=1e9", "--login_burst_per_client=1e9"}) {
      gateway.push_back(f);
    }
  }
  // A backend not started must not be looked for on its default port, where
  // a developer's own stack may listen.
  for (const std::string& b : missing)
    gateway.push_back(absl::StrCat("--", b, "_addr=127.0.0.1:1"));
  gateway.insert(gateway.end(), options.gateway_flags.begin(), options.gateway_flags.end());

  say(absl::StrCat(
      "starting redis-server, ", absl::StrJoin(stack_options.backends, ", "), " and the gateway",
      missing.empty() ? "" : absl::StrCat(" (not started: ", absl::StrJoin(missing, ", "), ")")));
  absl::StatusOr<std::unique_ptr<testing::Stack>> stack = testing::Stack::Start(stack_options);
  if (!stack.ok()) return stack.status();
  demo->stack_ = *std::move(stack);
  demo->backends_ = stack_options.backends;

  const std::string import_log = absl::StrCat(demo->tmp_.path(), "/catalog_import.log");
  const auto t0 = std::chrono::steady_clock::now();
  RETURN_IF_ERROR(
      testing::RunToExit({import, absl::StrCat("--catalog_addr=", demo->stack_->Address("catalog")),
                          absl::StrCat("--dir=", data), "--threads=2", "--max_listed=20"},
                         {{"OW_PRINCIPAL_KEYS", demo->stack_->principal_keys()}}, import_log,
                         absl::InfiniteDuration())
          .status());
  const std::string log = testing::ReadFile(import_log);
  if (!absl::StrContains(log, "implementations.jsonl: accepted")) {
    return absl::InternalError(absl::StrCat("catalog_import failed:\n", log.substr(0, 4000)));
  }
  say(absl::StrCat(
      "catalog loaded with ", options.implementations, " implementations in ",
      absl::StrFormat("%.1f",
                      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()),
      " s; gateway on 127.0.0.1:", demo->gateway_port(), ", data in ", demo->data_dir()));
  return demo;
}

absl::StatusOr<std::string> DemoStack::IssueDepartmentToken(const std::string& department) const {
  testing::ApiTokenSpec spec;
  spec.department = department;
  spec.name = "loadgen";
  spec.roles = {std::string(auth::kRoleReviewer), std::string(auth::kRoleApprover)};
  spec.valid_days = 1;
  ASSIGN_OR_RETURN(const identity::v1::IssueApiTokenResponse issued,
                   testing::IssueApiToken(*stack_, spec));
  return issued.secret();
}

}  // namespace onewindow::loadgen
