#include "libs/testing/api_tokens.h"

#include "absl/strings/str_cat.h"
#include "libs/client/channels.h"
#include "libs/status/grpc_status.h"
#include "libs/testing/grpc_context.h"
#include "onewindow/identity/v1/identity.grpc.pb.h"

namespace onewindow::testing {

absl::StatusOr<identity::v1::IssueApiTokenResponse> IssueApiToken(const Stack& stack,
                                                                  const ApiTokenSpec& spec) {
  auto identity =
      identity::v1::IdentityService::NewStub(client::MakeChannel(stack.Address("identity")));
  identity::v1::IssueApiTokenRequest request;
  request.set_name(spec.name);
  request.set_department_id(spec.department);
  for (const std::string& role : spec.roles) request.add_roles(role);
  request.set_valid_days(spec.valid_days);
  identity::v1::IssueApiTokenResponse issued;
  const grpc::Status s =
      identity->IssueApiToken(TokenContext(stack.AdminToken()).get(), request, &issued);
  if (!s.ok()) {
    const absl::Status error = status::FromGrpcStatus(s);
    return absl::Status(error.code(),
                        absl::StrCat("IssueApiToken(", spec.name, "): ", error.message()));
  }
  if (issued.secret().empty()) {
    return absl::InternalError(absl::StrCat("IssueApiToken(", spec.name, ") gave no secret"));
  }
  return issued;
}

}  // namespace onewindow::testing
