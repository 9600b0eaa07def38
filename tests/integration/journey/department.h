#pragma once

// The department's side: API tokens from identity and tools/ow_dept run as
// a child process (the desk), failing the journey's step when they fail.

#include <grpcpp/support/status.h>

#include <string>
#include <vector>

#include "libs/testing/stack.h"
#include "tests/integration/journey/report.h"

namespace onewindow::journey {

// An API token identity issues to `department` with `roles`, asked for by
// the platform admin; FAILs `step` if refused.
std::string IssueApiToken(const std::string& step, const testing::Stack& stack,
                          const std::string& department, const std::string& name,
                          const std::vector<std::string>& roles);

struct DeptRun {
  int exit_code = -1;
  // stdout and stderr.
  std::string output;
  // "ow_dept <args> -> exit <code>: <output>".
  std::string Describe(const std::vector<std::string>& args) const;
};

// testing::RunOwDept, described for the journey's failure messages.
DeptRun Dept(const testing::Stack& stack, const std::string& token,
             const std::vector<std::string>& args);

// Runs ow_dept with `args` (which include --json) and parses its reply;
// FAILs `step` on a non-zero exit or an unparsable reply.
template <typename Message>
Message DeptJson(const std::string& step, const testing::Stack& stack, const std::string& token,
                 const std::vector<std::string>& args) {
  DeptRun run = Dept(stack, token, args);
  if (run.exit_code != 0) FAIL(step << ": " << run.Describe(args));
  // Only the reply goes to stdout with --json; start at its brace all the same.
  const size_t brace = run.output.find('{');
  return Parse<Message>(step, run.Describe(args),
                        brace == std::string::npos ? run.output : run.output.substr(brace));
}

// FAILs `step` unless `s` is OK, naming `call` and the status.
void ExpectOk(const std::string& step, const std::string& call, const grpc::Status& s);

}  // namespace onewindow::journey
