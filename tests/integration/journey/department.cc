#include "tests/integration/journey/department.h"

#include <sys/wait.h>

#include <atomic>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/client/channels.h"
#include "libs/server/call.h"
#include "onewindow/identity/v1/identity.grpc.pb.h"

namespace onewindow::journey {

std::string IssueApiToken(const std::string& step, const testing::Stack& stack,
                          const std::string& department, const std::string& name,
                          const std::vector<std::string>& roles) {
  auto identity =
      identity::v1::IdentityService::NewStub(client::MakeChannel(stack.Address("identity")));
  identity::v1::IssueApiTokenRequest request;
  request.set_name(name);
  request.set_department_id(department);
  for (const auto& role : roles) request.add_roles(role);
  request.set_valid_days(30);
  identity::v1::IssueApiTokenResponse issued;
  grpc::Status s =
      identity->IssueApiToken(TokenContext(stack.AdminToken()).get(), request, &issued);
  ExpectOk(step, absl::StrCat("IssueApiToken(", name, ")"), s);
  if (issued.secret().empty()) FAIL(step << ": IssueApiToken(" << name << ") gave no secret");
  return issued.secret();
}

std::string DeptRun::Describe(const std::vector<std::string>& args) const {
  return absl::StrCat("ow_dept ", absl::StrJoin(args, " "), " -> exit ", exit_code, ": ",
                      Shorten(output));
}

DeptRun Dept(const testing::Stack& stack, const std::string& token,
             const std::vector<std::string>& args) {
  static std::atomic<int> runs{0};
  const std::string log = absl::StrCat(stack.data_dir(), "/ow_dept-", ++runs, ".log");
  std::vector<std::string> argv = {testing::BinaryPath("ow_dept/ow_dept"),
                                   absl::StrCat("--addr=", stack.Address("approval"))};
  argv.insert(argv.end(), args.begin(), args.end());
  testing::ChildProcess process;
  DeptRun run;
  if (absl::Status s = process.Start(argv, {{"OW_TOKEN", token}}, log); !s.ok()) {
    run.output = s.ToString();
    return run;
  }
  const int status = process.Stop(0, absl::Seconds(30));  // signal 0: only wait for the exit
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.output = testing::ReadFile(log);
  return run;
}

std::unique_ptr<grpc::ClientContext> TokenContext(const std::string& token) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  context->AddMetadata(server::kPrincipalHeader, token);
  return context;
}

void ExpectOk(const std::string& step, const std::string& call, const grpc::Status& s) {
  if (!s.ok()) {
    FAIL(step << ": " << call << " -> gRPC code " << s.error_code() << ": " << s.error_message());
  }
}

}  // namespace onewindow::journey
