#include "libs/testing/ow_dept.h"

#include <atomic>

#include "absl/strings/str_cat.h"

namespace onewindow::testing {

ToolRun RunOwDept(const Stack& stack, const std::string& token,
                  const std::vector<std::string>& args) {
  // A log per run, kept in the stack's directory for a failing test to show.
  static std::atomic<int> runs{0};
  const std::string log = absl::StrCat(stack.data_dir(), "/ow_dept-", ++runs, ".log");
  std::vector<std::string> argv = {BinaryPath("ow_dept/ow_dept"),
                                   absl::StrCat("--addr=", stack.Address("approval"))};
  argv.insert(argv.end(), args.begin(), args.end());
  ToolRun run;
  absl::StatusOr<int> exit_code = RunToExit(argv, {{"OW_TOKEN", token}}, log, absl::Seconds(30));
  if (!exit_code.ok()) {
    run.output = exit_code.status().ToString();
    return run;
  }
  run.exit_code = *exit_code;
  run.output = ReadFile(log);
  return run;
}

}  // namespace onewindow::testing
