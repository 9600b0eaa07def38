// ow_admin: operator commands against identity over gRPC.
//
//   ow_admin create-staff --username=li --display_name=李雷 --kind=STAFF
//       --department=114401000069391245 --roles=clerk,approver --password=...
//   ow_admin issue-token --name="city system" --department=... --roles=approver --days=90
//   ow_admin list-tokens --department=...
//   ow_admin revoke-token --token_id=tok_...
//
// It acts as a platform admin by minting a short-lived token from
// OW_PRINCIPAL_KEYS, so only someone holding the platform's key can run it.
#include <cstdio>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "libs/auth/principal_verifier.h"
#include "libs/client/channels.h"
#include "libs/config/flags.h"
#include "libs/server/call.h"
#include "libs/status/proto_json.h"
#include "onewindow/identity/v1/identity.grpc.pb.h"

ABSL_FLAG(std::string, username, "", "create-staff: login name");
ABSL_FLAG(std::string, display_name, "", "create-staff: name shown to people");
ABSL_FLAG(std::string, kind, "STAFF", "create-staff: STAFF, OPERATOR or PLATFORM_ADMIN");
ABSL_FLAG(std::string, department, "", "department (credit code) of the staff or token");
ABSL_FLAG(std::string, roles, "", "comma-separated roles");
ABSL_FLAG(std::string, password, "", "create-staff: initial password (secret)");
ABSL_FLAG(std::string, name, "", "issue-token: what the token is for");
ABSL_FLAG(int, days, 90, "issue-token: days until expiry");
ABSL_FLAG(std::string, token_id, "", "revoke-token: the token's id");

namespace {

using namespace onewindow;

int Fail(const std::string& message) {
  std::fprintf(stderr, "ow_admin: %s\n", message.c_str());
  return 1;
}

int Print(const grpc::Status& status, const google::protobuf::Message& reply) {
  if (!status.ok()) return Fail(status.error_message());
  status::JsonPrintOptions options;
  options.pretty = true;
  auto json = status::MessageToJson(reply, options);
  std::cout << (json.ok() ? *json : reply.DebugString()) << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> args = config::ParseFlags(
      argc, argv, "ow_admin create-staff|issue-token|list-tokens|revoke-token [flags]");
  if (args.size() != 2) {
    return Fail("give one command: create-staff, issue-token, list-tokens or revoke-token");
  }
  const std::string command = args[1];
  auto keys = auth::KeyRingFromFlags();
  if (!keys.ok()) return Fail(std::string(keys.status().message()));
  auth::v1::Principal admin;
  admin.set_kind(auth::v1::PLATFORM_ADMIN);
  admin.set_subject("tool:ow_admin");
  auto token = auth::TokenSigner(*keys).Mint(admin, absl::Minutes(2), absl::Now());
  if (!token.ok()) return Fail(std::string(token.status().message()));

  auto stub = identity::v1::IdentityService::NewStub(
      client::MakeChannel(absl::GetFlag(FLAGS_identity_addr)));
  grpc::ClientContext context;
  context.AddMetadata(server::kPrincipalHeader, *token);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  const std::vector<std::string> roles =
      absl::StrSplit(absl::GetFlag(FLAGS_roles), ',', absl::SkipEmpty());

  if (command == "create-staff") {
    identity::v1::CreateStaffAccountRequest request;
    request.set_username(absl::GetFlag(FLAGS_username));
    request.set_display_name(absl::GetFlag(FLAGS_display_name));
    auth::v1::PrincipalKind kind;
    if (!auth::v1::PrincipalKind_Parse(absl::GetFlag(FLAGS_kind), &kind)) {
      return Fail("--kind must be STAFF, OPERATOR or PLATFORM_ADMIN");
    }
    request.set_kind(kind);
    request.set_department_id(absl::GetFlag(FLAGS_department));
    for (const auto& r : roles) request.add_roles(r);
    request.set_password(absl::GetFlag(FLAGS_password));
    identity::v1::Account reply;
    return Print(stub->CreateStaffAccount(&context, request, &reply), reply);
  }
  if (command == "issue-token") {
    identity::v1::IssueApiTokenRequest request;
    request.set_name(absl::GetFlag(FLAGS_name));
    request.set_department_id(absl::GetFlag(FLAGS_department));
    for (const auto& r : roles) request.add_roles(r);
    request.set_valid_days(absl::GetFlag(FLAGS_days));
    identity::v1::IssueApiTokenResponse reply;
    return Print(stub->IssueApiToken(&context, request, &reply), reply);
  }
  if (command == "list-tokens") {
    identity::v1::ListApiTokensRequest request;
    request.set_department_id(absl::GetFlag(FLAGS_department));
    identity::v1::ListApiTokensResponse reply;
    return Print(stub->ListApiTokens(&context, request, &reply), reply);
  }
  if (command == "revoke-token") {
    identity::v1::RevokeApiTokenRequest request;
    request.set_token_id(absl::GetFlag(FLAGS_token_id));
    identity::v1::ApiToken reply;
    return Print(stub->RevokeApiToken(&context, request, &reply), reply);
  }
  return Fail("unknown command " + command);
}
