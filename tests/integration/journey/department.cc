#include "tests/integration/journey/department.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/testing/api_tokens.h"
#include "libs/testing/ow_dept.h"

namespace onewindow::journey {

std::string IssueApiToken(const std::string& step, const testing::Stack& stack,
                          const std::string& department, const std::string& name,
                          const std::vector<std::string>& roles) {
  absl::StatusOr<identity::v1::IssueApiTokenResponse> issued =
      testing::IssueApiToken(stack, {department, name, roles});
  if (!issued.ok()) FAIL(step << ": " << issued.status().ToString());
  return issued->secret();
}

std::string DeptRun::Describe(const std::vector<std::string>& args) const {
  return absl::StrCat("ow_dept ", absl::StrJoin(args, " "), " -> exit ", exit_code, ": ",
                      Shorten(output));
}

DeptRun Dept(const testing::Stack& stack, const std::string& token,
             const std::vector<std::string>& args) {
  testing::ToolRun run = testing::RunOwDept(stack, token, args);
  return {run.exit_code, std::move(run.output)};
}

void ExpectOk(const std::string& step, const std::string& call, const grpc::Status& s) {
  if (!s.ok()) {
    FAIL(step << ": " << call << " -> gRPC code " << s.error_code() << ": " << s.error_message());
  }
}

}  // namespace onewindow::journey
