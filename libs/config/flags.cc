#include "libs/config/flags.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"

ABSL_FLAG(std::string, listen, "", "gRPC (or HTTP for the gateway) listen address host:port");
ABSL_FLAG(std::string, metrics_listen, "", "Prometheus /metrics listen address host:port");
ABSL_FLAG(std::string, data_dir, "var", "Directory holding this process's data");
ABSL_FLAG(std::string, log_level, "info", "debug, info, warn or error");
ABSL_FLAG(int, drain_seconds, 10, "On SIGTERM, how long in-flight calls may take to finish");

namespace onewindow::config {

void SkipLockOrderChecksInRelease() {
#ifdef NDEBUG
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
#endif
}
namespace {

// Our flags are defined in our own sources; abseil's and gRPC's are not ours
// to print or override.
bool IsOwnFlag(const absl::CommandLineFlag& flag) {
  const std::string file = flag.Filename();
  return absl::StrContains(file, "services/") || absl::StrContains(file, "libs/") ||
         absl::StrContains(file, "tools/") || absl::StrContains(file, "tests/");
}

}  // namespace

std::string EnvNameFor(absl::string_view flag_name) {
  return absl::StrCat("OW_", absl::AsciiStrToUpper(flag_name));
}

bool IsSecretFlag(absl::string_view flag_name) {
  for (absl::string_view marker : {"secret", "password", "key", "token"}) {
    if (absl::StrContains(flag_name, marker)) return true;
  }
  return false;
}

std::vector<char*> ParseFlags(int argc, char** argv, absl::string_view usage) {
  absl::SetProgramUsageMessage(usage);
  // Environment first, so the command line parsed next overrides it.
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (!IsOwnFlag(*flag)) continue;
    const char* value = std::getenv(EnvNameFor(name).c_str());
    if (value == nullptr) continue;
    std::string error;
    if (!flag->ParseFrom(value, &error)) {
      std::fprintf(stderr, "invalid value in %s for --%s: %s\n", EnvNameFor(name).c_str(),
                   std::string(name).c_str(), error.c_str());
      std::exit(2);
    }
  }
  return absl::ParseCommandLine(argc, argv);
}

absl::Status CheckRequired(const std::vector<std::string>& flag_names) {
  std::vector<std::string> missing;
  for (const std::string& name : flag_names) {
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr || flag->CurrentValue().empty()) {
      missing.push_back(absl::StrCat("--", name, " (", EnvNameFor(name), ")"));
    }
  }
  if (missing.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("missing required configuration: ", absl::StrJoin(missing, ", ")));
}

void LogEffectiveConfig(const log::Logger& logger) {
  std::vector<std::pair<std::string, std::string>> values;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (!IsOwnFlag(*flag)) continue;
    std::string value = flag->CurrentValue();
    if (IsSecretFlag(name) && !value.empty()) value = "***";
    values.emplace_back(std::string(name), std::move(value));
  }
  std::sort(values.begin(), values.end());
  std::string joined;
  for (const auto& [name, value] : values) {
    absl::StrAppend(&joined, joined.empty() ? "" : " ", name, "=", value);
  }
  logger.Info("effective configuration", {{"config", joined}});
}

void ExitOnConfigError(const log::Logger& logger, const absl::Status& status) {
  logger.Error("cannot start", {{"error", status.ToString()}});
  std::fprintf(stderr, "%s: %s\n", logger.service().c_str(), std::string(status.message()).c_str());
  std::exit(2);
}

log::Level LogLevelFlag() {
  log::Level level = log::Level::kInfo;
  if (!log::ParseLevel(absl::GetFlag(FLAGS_log_level), &level)) {
    std::fprintf(stderr, "--log_level must be debug, info, warn or error\n");
    std::exit(2);
  }
  return level;
}

}  // namespace onewindow::config
