#include "services/approval/approval_grpc.h"

#include "libs/outbox/batch_receiver.h"
#include "libs/status/macros.h"
#include "services/approval/access.h"

namespace onewindow::approval {

using server::Call;

namespace {

// Runs `fn` with the verified principal; anonymous calls are UNAUTHENTICATED.
template <typename Fn>
grpc::Status WithPrincipal(const server::CallRunner* runner, grpc::ServerContext* context,
                           const google::protobuf::Message* request, Fn&& fn) {
  return runner->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
    return fn(call, *principal);
  });
}

}  // namespace

grpc::Status ApprovalGrpc::OpenCase(grpc::ServerContext* context,
                                    const approval::v1::OpenCaseRequest* request,
                                    approval::v1::Case* response) {
  return WithPrincipal(
      runner_, context, request, [&](const Call& call, const auth::v1::Principal& p) {
        RETURN_IF_ERROR(CheckHandoff(p));
        ASSIGN_OR_RETURN(*response, domain_.cases->Open(*request, Actor::Of(p)));
        call.log().Info("case opened", {{"case_id", response->case_id()},
                                        {"application_id", response->application_id()}});
        return absl::OkStatus();
      });
}

grpc::Status ApprovalGrpc::OpenCases(grpc::ServerContext* context,
                                     const approval::v1::OpenCasesRequest* request,
                                     api::v1::HandoffResults* response) {
  return WithPrincipal(
      runner_, context, request, [&](const Call& call, const auth::v1::Principal& p) {
        RETURN_IF_ERROR(CheckHandoff(p));
        RETURN_IF_ERROR(outbox::CheckBatchSize("cases", request->cases_size()));
        const Actor actor = Actor::Of(p);
        std::vector<std::string> case_ids(request->cases_size());
        outbox::ApplyEach(
            case_ids.size(),
            [&](size_t i, outbox::Done done) {
              domain_.cases->OpenAsync(
                  request->cases(i), actor,
                  [&case_ids, i, done = std::move(done)](absl::StatusOr<approval::v1::Case> c) {
                    if (c.ok()) case_ids[i] = c->case_id();
                    done(c.status());
                  });
            },
            call.log(), response, call.deadline());
        for (size_t i = 0; i < case_ids.size(); ++i) {
          if (response->results(i).code() != 0) continue;
          call.log().Info("case opened", {{"case_id", case_ids[i]},
                                          {"application_id", request->cases(i).application_id()}});
        }
        return absl::OkStatus();
      });
}

grpc::Status ApprovalGrpc::GetCase(grpc::ServerContext* context,
                                   const approval::v1::GetCaseRequest* request,
                                   approval::v1::Case* response) {
  return WithPrincipal(runner_, context, request, [&](const Call&, const auth::v1::Principal& p) {
    ASSIGN_OR_RETURN(*response, domain_.cases->Get(p, request->case_id()));
    return absl::OkStatus();
  });
}

grpc::Status ApprovalGrpc::ResumeCase(grpc::ServerContext* context,
                                      const approval::v1::ResumeCaseRequest* request,
                                      approval::v1::Case* response) {
  return WithPrincipal(runner_, context, request,
                       [&](const Call& call, const auth::v1::Principal& p) {
                         RETURN_IF_ERROR(CheckHandoff(p));
                         ASSIGN_OR_RETURN(*response, domain_.cases->Resume(*request, Actor::Of(p)));
                         call.log().Info("case resumed", {{"case_id", response->case_id()}});
                         return absl::OkStatus();
                       });
}

grpc::Status ApprovalGrpc::WithdrawCase(grpc::ServerContext* context,
                                        const approval::v1::WithdrawCaseRequest* request,
                                        approval::v1::Case* response) {
  return WithPrincipal(
      runner_, context, request, [&](const Call& call, const auth::v1::Principal& p) {
        RETURN_IF_ERROR(CheckHandoff(p));
        ASSIGN_OR_RETURN(*response, domain_.cases->Withdraw(*request, Actor::Of(p)));
        call.log().Info("case withdrawn", {{"case_id", response->case_id()},
                                           {"application_id", response->application_id()}});
        return absl::OkStatus();
      });
}

grpc::Status ApprovalGrpc::ListQueue(grpc::ServerContext* context,
                                     const approval::v1::ListQueueRequest* request,
                                     approval::v1::ListQueueResponse* response) {
  return WithPrincipal(runner_, context, request, [&](const Call&, const auth::v1::Principal& p) {
    ASSIGN_OR_RETURN(*response, domain_.views->Queue(p, *request));
    return absl::OkStatus();
  });
}

grpc::Status ApprovalGrpc::GetCaseDetail(grpc::ServerContext* context,
                                         const approval::v1::GetCaseDetailRequest* request,
                                         approval::v1::CaseDetail* response) {
  return WithPrincipal(runner_, context, request, [&](const Call&, const auth::v1::Principal& p) {
    ASSIGN_OR_RETURN(*response, domain_.views->Detail(p, request->case_id()));
    return absl::OkStatus();
  });
}

grpc::Status ApprovalGrpc::ClaimTask(grpc::ServerContext* context,
                                     const approval::v1::ClaimTaskRequest* request,
                                     approval::v1::Task* response) {
  return WithPrincipal(runner_, context, request, [&](const Call&, const auth::v1::Principal& p) {
    ASSIGN_OR_RETURN(*response, domain_.desk->Claim(p, request->task_id()));
    return absl::OkStatus();
  });
}

grpc::Status ApprovalGrpc::ReleaseTask(grpc::ServerContext* context,
                                       const approval::v1::ReleaseTaskRequest* request,
                                       approval::v1::Task* response) {
  return WithPrincipal(runner_, context, request, [&](const Call&, const auth::v1::Principal& p) {
    ASSIGN_OR_RETURN(*response, domain_.desk->Release(p, request->task_id()));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ApprovalGrpc::ApproveTask(grpc::CallbackServerContext* context,
                                                    const approval::v1::ApproveTaskRequest* request,
                                                    approval::v1::DecisionResponse* response) {
  // No log line of its own: approvals are the hot path, the audit trail has
  // them, and the runner writes the access line.
  return runner_->RunAsync(
      context, request, [this, request, response](const Call& call, server::CallRunner::Done done) {
        absl::StatusOr<const auth::v1::Principal*> principal = call.RequirePrincipal();
        if (!principal.ok()) return done(principal.status());
        domain_.desk->ApproveAsync(
            **principal, *request,
            [response, done = std::move(done)](
                absl::StatusOr<approval::v1::DecisionResponse> decided) mutable {
              if (!decided.ok()) return done(decided.status());
              *response = *std::move(decided);
              done(absl::OkStatus());
            });
      });
}

grpc::Status ApprovalGrpc::RejectTask(grpc::ServerContext* context,
                                      const approval::v1::RejectTaskRequest* request,
                                      approval::v1::DecisionResponse* response) {
  return WithPrincipal(runner_, context, request,
                       [&](const Call& call, const auth::v1::Principal& p) {
                         ASSIGN_OR_RETURN(*response, domain_.desk->Reject(p, *request));
                         call.log().Info("task rejected", {{"task_id", request->task_id()}});
                         return absl::OkStatus();
                       });
}

grpc::Status ApprovalGrpc::RequestSupplement(grpc::ServerContext* context,
                                             const approval::v1::RequestSupplementRequest* request,
                                             approval::v1::DecisionResponse* response) {
  return WithPrincipal(
      runner_, context, request, [&](const Call& call, const auth::v1::Principal& p) {
        ASSIGN_OR_RETURN(*response, domain_.desk->RequestSupplement(p, *request));
        call.log().Info("supplement requested", {{"task_id", request->task_id()},
                                                 {"materials", request->materials_size()}});
        return absl::OkStatus();
      });
}

grpc::Status ApprovalGrpc::TransferTask(grpc::ServerContext* context,
                                        const approval::v1::TransferTaskRequest* request,
                                        approval::v1::DecisionResponse* response) {
  return WithPrincipal(
      runner_, context, request, [&](const Call& call, const auth::v1::Principal& p) {
        ASSIGN_OR_RETURN(*response, domain_.desk->Transfer(p, *request));
        call.log().Info("task transferred", {{"task_id", request->task_id()},
                                             {"to_department_id", request->to_department_id()}});
        return absl::OkStatus();
      });
}

grpc::Status ApprovalGrpc::AddComment(grpc::ServerContext* context,
                                      const approval::v1::AddCommentRequest* request,
                                      approval::v1::AuditEntry* response) {
  return WithPrincipal(runner_, context, request, [&](const Call&, const auth::v1::Principal& p) {
    ASSIGN_OR_RETURN(*response, domain_.desk->Comment(p, *request));
    return absl::OkStatus();
  });
}

grpc::Status ApprovalGrpc::ListAudit(grpc::ServerContext* context,
                                     const approval::v1::ListAuditRequest* request,
                                     approval::v1::ListAuditResponse* response) {
  return WithPrincipal(runner_, context, request, [&](const Call&, const auth::v1::Principal& p) {
    ASSIGN_OR_RETURN(*response, domain_.views->Audit(p, *request));
    return absl::OkStatus();
  });
}

grpc::Status ApprovalGrpc::GetSupervisionReport(
    grpc::ServerContext* context, const approval::v1::SupervisionReportRequest* request,
    approval::v1::SupervisionReport* response) {
  return WithPrincipal(runner_, context, request, [&](const Call&, const auth::v1::Principal& p) {
    ASSIGN_OR_RETURN(*response, domain_.reports->Supervision(p, *request));
    return absl::OkStatus();
  });
}

}  // namespace onewindow::approval
