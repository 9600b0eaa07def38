// ow_dept: the department desk on the command line, over approval's gRPC API.
//
//   ow_dept queue [--stage=review] [--due_soon] [--overdue] [--item=CODE] [--mine]
//                 [--suspended] [--page_size=N] [--page_token=T]
//   ow_dept show CASE_ID                      case, materials, tasks and history
//   ow_dept claim TASK_ID | release TASK_ID
//   ow_dept approve TASK_ID [--comment=TEXT]
//   ow_dept reject TASK_ID --reason=TEXT
//   ow_dept supplement TASK_ID "MATERIAL=REASON" ["MATERIAL=REASON" ...]
//   ow_dept transfer TASK_ID --to=CREDIT_CODE --reason=TEXT
//   ow_dept comment CASE_ID --text=TEXT [--task=TASK_ID]
//   ow_dept audit CASE_ID
//
// Log in with the department's API token (issued by identity, e.g. with
// `ow_admin issue-token`): --token or OW_TOKEN. --addr (or OW_APPROVAL_ADDR)
// names the approval service. Output is a table for people, or the reply as
// JSON with --json (for scripts). Exit status: 0 done, 1 refused or failed
// (the message says why), 2 wrong usage.
#include <chrono>
#include <cstdio>
#include <iostream>

#include <grpcpp/client_context.h>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/client/channels.h"
#include "libs/config/flags.h"
#include "libs/server/call.h"
#include "libs/status/proto_json.h"
#include "onewindow/approval/v1/approval.grpc.pb.h"
#include "tools/ow_dept/render.h"

ABSL_FLAG(std::string, addr, "", "approval service host:port (default: --approval_addr)");
ABSL_FLAG(std::string, token, "", "department API token or principal token (secret; OW_TOKEN)");
ABSL_FLAG(bool, json, false, "print the reply as JSON instead of a table");
ABSL_FLAG(int, timeout_seconds, 10, "how long one call may take");
ABSL_FLAG(std::string, stage, "", "queue: only this stage (accept, review, ...)");
ABSL_FLAG(bool, due_soon, false, "queue: only tasks with 80 % of their limit used");
ABSL_FLAG(bool, overdue, false, "queue: only overdue tasks");
ABSL_FLAG(std::string, item, "", "queue: only this implementation code");
ABSL_FLAG(bool, mine, false, "queue: only tasks I claimed");
ABSL_FLAG(bool, suspended, false, "queue: include tasks waiting for a supplement");
ABSL_FLAG(std::string, department, "", "queue: department to list (operators only)");
ABSL_FLAG(int, page_size, 50, "queue, audit: entries per page");
ABSL_FLAG(std::string, page_token, "", "queue, audit: where the previous page ended");
ABSL_FLAG(std::string, comment, "", "approve: opinion recorded with the decision");
ABSL_FLAG(std::string, reason, "", "reject, transfer: why (reject: shown to the applicant)");
ABSL_FLAG(std::string, to, "", "transfer: credit code of the department taking it over");
ABSL_FLAG(std::string, text, "", "comment: the note");
ABSL_FLAG(std::string, task, "", "comment: the task it is about");
ABSL_FLAG(std::string, request_id, "",
          "decisions: idempotency key; repeating a command with the same key is safe");

namespace {

using namespace onewindow;
namespace v1 = approval::v1;

constexpr char kUsage[] =
    "ow_dept queue|show|claim|release|approve|reject|supplement|transfer|comment|audit [args] "
    "[flags]\n  (see the header of tools/ow_dept/main.cc, or --help)";

int Usage(const std::string& message) {
  std::fprintf(stderr, "ow_dept: %s\nusage: %s\n", message.c_str(), kUsage);
  return 2;
}

class Desk {
 public:
  Desk(std::unique_ptr<v1::ApprovalService::Stub> stub, std::string token)
      : stub_(std::move(stub)), token_(std::move(token)) {}

  std::unique_ptr<grpc::ClientContext> Context() const {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() +
                          std::chrono::seconds(absl::GetFlag(FLAGS_timeout_seconds)));
    context->AddMetadata(server::kPrincipalHeader, token_);
    return context;
  }
  v1::ApprovalService::Stub* operator->() const { return stub_.get(); }

 private:
  std::unique_ptr<v1::ApprovalService::Stub> stub_;
  std::string token_;
};

// Prints `reply` (JSON or via `human`) or the error; returns the exit code.
template <typename Reply, typename Human>
int Show(const grpc::Status& status, const Reply& reply, Human human) {
  if (!status.ok()) {
    std::fprintf(
        stderr, "ow_dept: %s: %s\n",
        absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code())).c_str(),
        status.error_message().c_str());
    return 1;
  }
  if (absl::GetFlag(FLAGS_json)) {
    status::JsonPrintOptions options;
    options.pretty = true;
    auto json = status::MessageToJson(reply, options);
    if (!json.ok()) {
      std::fprintf(stderr, "ow_dept: %s\n", std::string(json.status().message()).c_str());
      return 1;
    }
    std::cout << *json << std::endl;
    return 0;
  }
  human(reply, std::cout);
  return 0;
}

int Run(const std::string& command, const std::vector<std::string>& args, const Desk& desk) {
  auto need = [&](size_t n, const char* what) -> bool {
    if (args.size() < n) {
      Usage(absl::StrCat(command, " needs ", what));
      return false;
    }
    return true;
  };
  if (command == "queue") {
    v1::ListQueueRequest r;
    r.set_department_id(absl::GetFlag(FLAGS_department));
    r.set_stage(absl::GetFlag(FLAGS_stage));
    r.set_due_soon(absl::GetFlag(FLAGS_due_soon));
    r.set_overdue(absl::GetFlag(FLAGS_overdue));
    r.set_implementation_code(absl::GetFlag(FLAGS_item));
    r.set_mine(absl::GetFlag(FLAGS_mine));
    r.set_include_suspended(absl::GetFlag(FLAGS_suspended));
    r.set_page_size(absl::GetFlag(FLAGS_page_size));
    r.set_page_token(absl::GetFlag(FLAGS_page_token));
    v1::ListQueueResponse reply;
    return Show(desk->ListQueue(desk.Context().get(), r, &reply), reply, ow_dept::PrintQueue);
  }
  if (command == "show") {
    if (!need(1, "a case id")) return 2;
    v1::GetCaseDetailRequest r;
    r.set_case_id(args[0]);
    v1::CaseDetail reply;
    return Show(desk->GetCaseDetail(desk.Context().get(), r, &reply), reply, ow_dept::PrintDetail);
  }
  if (command == "claim" || command == "release") {
    if (!need(1, "a task id")) return 2;
    v1::Task reply;
    grpc::Status status;
    if (command == "claim") {
      v1::ClaimTaskRequest r;
      r.set_task_id(args[0]);
      status = desk->ClaimTask(desk.Context().get(), r, &reply);
    } else {
      v1::ReleaseTaskRequest r;
      r.set_task_id(args[0]);
      status = desk->ReleaseTask(desk.Context().get(), r, &reply);
    }
    return Show(status, reply, ow_dept::PrintTask);
  }
  if (command == "approve") {
    if (!need(1, "a task id")) return 2;
    v1::ApproveTaskRequest r;
    r.set_task_id(args[0]);
    r.set_comment(absl::GetFlag(FLAGS_comment));
    r.set_request_id(absl::GetFlag(FLAGS_request_id));
    v1::DecisionResponse reply;
    return Show(desk->ApproveTask(desk.Context().get(), r, &reply), reply, ow_dept::PrintDecision);
  }
  if (command == "reject") {
    if (!need(1, "a task id")) return 2;
    v1::RejectTaskRequest r;
    r.set_task_id(args[0]);
    r.set_reason(absl::GetFlag(FLAGS_reason));
    r.set_request_id(absl::GetFlag(FLAGS_request_id));
    v1::DecisionResponse reply;
    return Show(desk->RejectTask(desk.Context().get(), r, &reply), reply, ow_dept::PrintDecision);
  }
  if (command == "supplement") {
    if (!need(2, "a task id and at least one MATERIAL=REASON")) return 2;
    v1::RequestSupplementRequest r;
    r.set_task_id(args[0]);
    r.set_request_id(absl::GetFlag(FLAGS_request_id));
    for (size_t i = 1; i < args.size(); ++i) {
      std::pair<std::string, std::string> parts = absl::StrSplit(args[i], absl::MaxSplits('=', 1));
      v1::SupplementItem* item = r.add_materials();
      item->set_material_name(parts.first);
      item->set_reason(parts.second);
    }
    v1::DecisionResponse reply;
    return Show(desk->RequestSupplement(desk.Context().get(), r, &reply), reply,
                ow_dept::PrintDecision);
  }
  if (command == "transfer") {
    if (!need(1, "a task id")) return 2;
    v1::TransferTaskRequest r;
    r.set_task_id(args[0]);
    r.set_to_department_id(absl::GetFlag(FLAGS_to));
    r.set_reason(absl::GetFlag(FLAGS_reason));
    r.set_request_id(absl::GetFlag(FLAGS_request_id));
    v1::DecisionResponse reply;
    return Show(desk->TransferTask(desk.Context().get(), r, &reply), reply, ow_dept::PrintDecision);
  }
  if (command == "comment") {
    if (!need(1, "a case id")) return 2;
    v1::AddCommentRequest r;
    r.set_case_id(args[0]);
    r.set_text(absl::GetFlag(FLAGS_text));
    r.set_task_id(absl::GetFlag(FLAGS_task));
    v1::AuditEntry reply;
    return Show(desk->AddComment(desk.Context().get(), r, &reply), reply,
                [](const v1::AuditEntry& e, std::ostream& out) {
                  google::protobuf::RepeatedPtrField<v1::AuditEntry> one;
                  *one.Add() = e;
                  ow_dept::PrintAudit(one, out);
                });
  }
  if (command == "audit") {
    if (!need(1, "a case id")) return 2;
    v1::ListAuditRequest r;
    r.set_case_id(args[0]);
    r.set_page_size(absl::GetFlag(FLAGS_page_size));
    r.set_page_token(absl::GetFlag(FLAGS_page_token));
    v1::ListAuditResponse reply;
    return Show(desk->ListAudit(desk.Context().get(), r, &reply), reply,
                [](const v1::ListAuditResponse& audit, std::ostream& out) {
                  ow_dept::PrintAudit(audit.entries(), out);
                  if (!audit.next_page_token().empty()) {
                    out << "more: --page_token=" << audit.next_page_token() << "\n";
                  }
                });
  }
  return Usage(absl::StrCat("unknown command ", command));
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> positional = config::ParseFlags(argc, argv, kUsage);
  if (positional.size() < 2) return Usage("give a command");
  const std::string command = positional[1];
  const std::vector<std::string> args(positional.begin() + 2, positional.end());
  const std::string token = absl::GetFlag(FLAGS_token);
  if (token.empty()) return Usage("no token: pass --token or set OW_TOKEN");
  std::string address = absl::GetFlag(FLAGS_addr);
  if (address.empty()) address = client::AddressOf("approval");
  Desk desk(v1::ApprovalService::NewStub(client::MakeChannel(address)), token);
  return Run(command, args, desk);
}
