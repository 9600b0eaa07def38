#pragma once

#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "libs/log/logger.h"

// Flags every process has. Empty defaults mean "the service's own default",
// which the server runner fills in (ports differ per service).
ABSL_DECLARE_FLAG(std::string, listen);
ABSL_DECLARE_FLAG(std::string, metrics_listen);
ABSL_DECLARE_FLAG(std::string, data_dir);
ABSL_DECLARE_FLAG(std::string, log_level);
ABSL_DECLARE_FLAG(int, drain_seconds);

namespace onewindow::config {

// The environment variable that overrides flag `name`: OW_<NAME>.
std::string EnvNameFor(absl::string_view flag_name);

// Parses the command line. A flag absent from the command line takes its
// value from OW_<FLAG> when that is set; the command line wins otherwise. A
// bad value in either place ends the process with a message naming it.
std::vector<char*> ParseFlags(int argc, char** argv, absl::string_view usage);

// NOT OK (naming every empty flag and its variable) when a required flag is
// empty; mains turn that into a clear exit.
absl::Status CheckRequired(const std::vector<std::string>& flag_names);

// True for flags whose values must never be printed.
bool IsSecretFlag(absl::string_view flag_name);

// Logs the effective value of every OneWindow flag, secrets masked.
void LogEffectiveConfig(const log::Logger& logger);

// Prints `status` and exits with code 2: for broken configuration at start.
[[noreturn]] void ExitOnConfigError(const log::Logger& logger, const absl::Status& status);

// Debian's Abseil is built to check lock order on every mutex operation
// (deadlock detection), which costs hot paths a few percent: gRPC locks
// several mutexes per call. Release builds of servers and benchmarks turn it
// off before starting threads; unit tests and debug builds keep it.
void SkipLockOrderChecksInRelease();

// Log level from --log_level.
log::Level LogLevelFlag();

}  // namespace onewindow::config
