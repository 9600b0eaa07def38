#pragma once

#include "libs/server/call.h"
#include "onewindow/approval/v1/approval.grpc.pb.h"
#include "services/approval/cases.h"
#include "services/approval/desk.h"
#include "services/approval/reports.h"
#include "services/approval/views.h"

namespace onewindow::approval {

// The domain classes the handlers adapt; not owned.
struct ApprovalDomain {
  Cases* cases;
  Desk* desk;
  Views* views;
  Reports* reports;
};

// Adapts approval's domain classes to gRPC; no logic lives here.
//
// ApproveTask, the hot path, uses the callback API: a decision waits for
// its group commit without holding a thread. The other methods are
// synchronous.
class ApprovalGrpc final : public approval::v1::ApprovalService::WithCallbackMethod_ApproveTask<
                               approval::v1::ApprovalService::Service> {
 public:
  ApprovalGrpc(const server::CallRunner* runner, ApprovalDomain domain)
      : runner_(runner), domain_(domain) {}

  grpc::Status OpenCase(grpc::ServerContext* context, const approval::v1::OpenCaseRequest* request,
                        approval::v1::Case* response) override;
  grpc::Status OpenCases(grpc::ServerContext* context,
                         const approval::v1::OpenCasesRequest* request,
                         api::v1::HandoffResults* response) override;
  grpc::Status GetCase(grpc::ServerContext* context, const approval::v1::GetCaseRequest* request,
                       approval::v1::Case* response) override;
  grpc::Status ResumeCase(grpc::ServerContext* context,
                          const approval::v1::ResumeCaseRequest* request,
                          approval::v1::Case* response) override;
  grpc::Status WithdrawCase(grpc::ServerContext* context,
                            const approval::v1::WithdrawCaseRequest* request,
                            approval::v1::Case* response) override;
  grpc::Status ListQueue(grpc::ServerContext* context,
                         const approval::v1::ListQueueRequest* request,
                         approval::v1::ListQueueResponse* response) override;
  grpc::Status GetCaseDetail(grpc::ServerContext* context,
                             const approval::v1::GetCaseDetailRequest* request,
                             approval::v1::CaseDetail* response) override;
  grpc::Status ClaimTask(grpc::ServerContext* context,
                         const approval::v1::ClaimTaskRequest* request,
                         approval::v1::Task* response) override;
  grpc::Status ReleaseTask(grpc::ServerContext* context,
                           const approval::v1::ReleaseTaskRequest* request,
                           approval::v1::Task* response) override;
  grpc::ServerUnaryReactor* ApproveTask(grpc::CallbackServerContext* context,
                                        const approval::v1::ApproveTaskRequest* request,
                                        approval::v1::DecisionResponse* response) override;
  grpc::Status RejectTask(grpc::ServerContext* context,
                          const approval::v1::RejectTaskRequest* request,
                          approval::v1::DecisionResponse* response) override;
  grpc::Status RequestSupplement(grpc::ServerContext* context,
                                 const approval::v1::RequestSupplementRequest* request,
                                 approval::v1::DecisionResponse* response) override;
  grpc::Status TransferTask(grpc::ServerContext* context,
                            const approval::v1::TransferTaskRequest* request,
                            approval::v1::DecisionResponse* response) override;
  grpc::Status AddComment(grpc::ServerContext* context,
                          const approval::v1::AddCommentRequest* request,
                          approval::v1::AuditEntry* response) override;
  grpc::Status ListAudit(grpc::ServerContext* context,
                         const approval::v1::ListAuditRequest* request,
                         approval::v1::ListAuditResponse* response) override;
  grpc::Status GetSupervisionReport(grpc::ServerContext* context,
                                    const approval::v1::SupervisionReportRequest* request,
                                    approval::v1::SupervisionReport* response) override;

 private:
  const server::CallRunner* runner_;
  ApprovalDomain domain_;
};

}  // namespace onewindow::approval
