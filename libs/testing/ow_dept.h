#pragma once

// tools/ow_dept, the department desk's command-line client, run as a child
// process against a Stack's approval.

#include <string>
#include <vector>

#include "libs/testing/stack.h"

namespace onewindow::testing {

struct ToolRun {
  // -1 when it could not start or a signal ended it.
  int exit_code = -1;
  // Its stdout and stderr; why it did not start, when it did not.
  std::string output;
};

// Runs ow_dept with `args` against `stack`'s approval, logged in with
// `token` (OW_TOKEN) as a department's desk system would be; waits up to 30
// seconds for it to finish.
ToolRun RunOwDept(const Stack& stack, const std::string& token,
                  const std::vector<std::string>& args);

}  // namespace onewindow::testing
