#include "services/complaint/complaint_grpc.h"

#include "libs/auth/access.h"
#include "libs/status/macros.h"
#include "services/complaint/access.h"

namespace onewindow::complaint {

using server::Call;
namespace v1 = complaint::v1;

namespace {

// Rules and categories shape every citizen's case: dispatchers and
// platform admins manage them.
absl::Status RequireConfigurer(const auth::v1::Principal& p, const Policy& policy) {
  if (p.kind() == auth::v1::PLATFORM_ADMIN || IsDispatcher(p, policy)) return absl::OkStatus();
  return absl::PermissionDeniedError("requires a dispatcher or a platform admin");
}

}  // namespace

template <typename Request>
grpc::Status ComplaintGrpc::Step(
    Ctx* context, const Request& request, v1::WorkOrder* out,
    absl::StatusOr<v1::WorkOrder> (Lifecycle::*step)(const auth::v1::Principal&, const Request&)) {
  return runner_->Run(context, &request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
    ASSIGN_OR_RETURN(*out, (domain_.lifecycle->*step)(*principal, request));
    domain_.changed();
    call.log().Info("work order changed", {{"work_order_id", out->work_order_id()},
                                           {"state", v1::WorkOrderState_Name(out->state())}});
    return absl::OkStatus();
  });
}

grpc::Status ComplaintGrpc::IngestHotlineTicket(Ctx* context,
                                                const v1::IngestHotlineTicketRequest* request,
                                                v1::WorkOrder* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
    bool created = false;
    ASSIGN_OR_RETURN(*response, domain_.intake->IngestHotline(*principal, *request, &created));
    if (created) {
      domain_.metrics->OrderReceived(v1::HOTLINE);
      domain_.changed();
    }
    return absl::OkStatus();
  });
}

grpc::Status ComplaintGrpc::SubmitWorkOrder(Ctx* context, const v1::SubmitWorkOrderRequest* request,
                                            v1::WorkOrder* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    bool created = false;
    ASSIGN_OR_RETURN(*response, domain_.intake->Submit(call.principal(), *request, &created));
    if (created) {
      domain_.metrics->OrderReceived(response->channel());
      domain_.changed();
      call.log().Info("work order received", {{"work_order_id", response->work_order_id()},
                                              {"number", response->number()}});
    }
    return absl::OkStatus();
  });
}

grpc::Status ComplaintGrpc::GetWorkOrder(Ctx* context, const v1::GetWorkOrderRequest* request,
                                         v1::WorkOrder* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
    ASSIGN_OR_RETURN(*response, domain_.queries->Get(principal, request->work_order_id()));
    return absl::OkStatus();
  });
}

grpc::Status ComplaintGrpc::ListMyWorkOrders(Ctx* context,
                                             const v1::ListMyWorkOrdersRequest* request,
                                             v1::ListWorkOrdersResponse* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
    ASSIGN_OR_RETURN(*response, domain_.queries->ListMine(*principal, *request));
    return absl::OkStatus();
  });
}

grpc::Status ComplaintGrpc::ListDispatchQueue(Ctx* context,
                                              const v1::ListDispatchQueueRequest* request,
                                              v1::ListWorkOrdersResponse* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
    ASSIGN_OR_RETURN(*response, domain_.queries->ListQueue(*principal, *request));
    return absl::OkStatus();
  });
}

grpc::Status ComplaintGrpc::ListDepartmentWorkOrders(
    Ctx* context, const v1::ListDepartmentWorkOrdersRequest* request,
    v1::ListWorkOrdersResponse* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
    ASSIGN_OR_RETURN(*response, domain_.queries->ListDepartment(*principal, *request));
    return absl::OkStatus();
  });
}

grpc::Status ComplaintGrpc::DispatchWorkOrder(Ctx* context,
                                              const v1::DispatchWorkOrderRequest* request,
                                              v1::WorkOrder* response) {
  return Step(context, *request, response, &Lifecycle::Dispatch);
}

grpc::Status ComplaintGrpc::DecideExtension(Ctx* context, const v1::DecideExtensionRequest* request,
                                            v1::WorkOrder* response) {
  return Step(context, *request, response, &Lifecycle::DecideExtension);
}

grpc::Status ComplaintGrpc::RecordCallback(Ctx* context, const v1::RecordCallbackRequest* request,
                                           v1::WorkOrder* response) {
  return Step(context, *request, response, &Lifecycle::RecordCallback);
}

grpc::Status ComplaintGrpc::SignForWorkOrder(Ctx* context,
                                             const v1::SignForWorkOrderRequest* request,
                                             v1::WorkOrder* response) {
  return Step(context, *request, response, &Lifecycle::SignFor);
}

grpc::Status ComplaintGrpc::ReturnWorkOrder(Ctx* context, const v1::ReturnWorkOrderRequest* request,
                                            v1::WorkOrder* response) {
  return Step(context, *request, response, &Lifecycle::Return);
}

grpc::Status ComplaintGrpc::RequestExtension(Ctx* context,
                                             const v1::RequestExtensionRequest* request,
                                             v1::WorkOrder* response) {
  return Step(context, *request, response, &Lifecycle::RequestExtension);
}

grpc::Status ComplaintGrpc::HandleWorkOrder(Ctx* context, const v1::HandleWorkOrderRequest* request,
                                            v1::WorkOrder* response) {
  return Step(context, *request, response, &Lifecycle::Handle);
}

grpc::Status ComplaintGrpc::ReplyWorkOrder(Ctx* context, const v1::ReplyWorkOrderRequest* request,
                                           v1::WorkOrder* response) {
  return Step(context, *request, response, &Lifecycle::Reply);
}

grpc::Status ComplaintGrpc::PutDispatchRule(Ctx* context, const v1::PutDispatchRuleRequest* request,
                                            v1::DispatchRule* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
    RETURN_IF_ERROR(RequireConfigurer(*principal, *domain_.policy));
    ASSIGN_OR_RETURN(*response, domain_.rules->Put(request->rule()));
    call.log().Info("dispatch rule stored", {{"rule_id", response->rule_id()}});
    return absl::OkStatus();
  });
}

grpc::Status ComplaintGrpc::ListDispatchRules(Ctx* context,
                                              const v1::ListDispatchRulesRequest* request,
                                              v1::ListDispatchRulesResponse* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
    if (principal->kind() != auth::v1::OPERATOR) {
      RETURN_IF_ERROR(RequireConfigurer(*principal, *domain_.policy));
    }
    for (auto& rule : domain_.rules->List()) *response->add_rules() = std::move(rule);
    return absl::OkStatus();
  });
}

grpc::Status ComplaintGrpc::DeleteDispatchRule(Ctx* context,
                                               const v1::DeleteDispatchRuleRequest* request,
                                               v1::DeleteDispatchRuleResponse*) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
    RETURN_IF_ERROR(RequireConfigurer(*principal, *domain_.policy));
    if (request->rule_id().empty()) return absl::InvalidArgumentError("rule_id: required");
    RETURN_IF_ERROR(domain_.rules->Delete(request->rule_id()));
    call.log().Info("dispatch rule deleted", {{"rule_id", request->rule_id()}});
    return absl::OkStatus();
  });
}

grpc::Status ComplaintGrpc::ListCategories(Ctx* context, const v1::ListCategoriesRequest* request,
                                           v1::ListCategoriesResponse* response) {
  return runner_->Run(context, request, [&](const Call&) -> absl::Status {
    for (auto& c : domain_.categories->List()) *response->add_categories() = std::move(c);
    return absl::OkStatus();
  });
}

grpc::Status ComplaintGrpc::GetCategory(Ctx* context, const v1::GetCategoryRequest* request,
                                        v1::Category* response) {
  return runner_->Run(context, request, [&](const Call&) -> absl::Status {
    ASSIGN_OR_RETURN(*response, domain_.categories->Get(request->code()));
    return absl::OkStatus();
  });
}

grpc::Status ComplaintGrpc::PutCategory(Ctx* context, const v1::PutCategoryRequest* request,
                                        v1::Category* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
    RETURN_IF_ERROR(RequireConfigurer(*principal, *domain_.policy));
    ASSIGN_OR_RETURN(*response, domain_.categories->Put(request->category()));
    call.log().Info("category stored", {{"code", response->code()}});
    return absl::OkStatus();
  });
}

grpc::Status ComplaintGrpc::GetPublicWorkOrder(Ctx* context,
                                               const v1::GetPublicWorkOrderRequest* request,
                                               v1::PublicWorkOrder* response) {
  return runner_->Run(context, request, [&](const Call&) -> absl::Status {
    ASSIGN_OR_RETURN(*response, domain_.queries->GetPublic(request->work_order_id()));
    return absl::OkStatus();
  });
}

grpc::Status ComplaintGrpc::ListPublicWorkOrders(Ctx* context,
                                                 const v1::ListPublicWorkOrdersRequest* request,
                                                 v1::ListPublicWorkOrdersResponse* response) {
  return runner_->Run(context, request, [&](const Call&) -> absl::Status {
    ASSIGN_OR_RETURN(*response, domain_.queries->ListPublic(*request));
    return absl::OkStatus();
  });
}

grpc::Status ComplaintGrpc::RateApplication(Ctx* context, const v1::RateApplicationRequest* request,
                                            v1::Rating* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
    bool created = false;
    ASSIGN_OR_RETURN(*response, domain_.ratings->Rate(*principal, *request, &created));
    if (created) {
      domain_.metrics->RatingReceived(response->level());
      domain_.changed();
      call.log().Info("rating received",
                      {{"rating_id", response->rating_id()},
                       {"level", response->level()},
                       {"rectification", response->rectification_work_order_id()}});
    }
    return absl::OkStatus();
  });
}

grpc::Status ComplaintGrpc::GetRatingStats(Ctx* context, const v1::GetRatingStatsRequest* request,
                                           v1::RatingStats* response) {
  return runner_->Run(context, request, [&](const Call&) -> absl::Status {
    ASSIGN_OR_RETURN(*response, domain_.reports->RatingStats(*request));
    return absl::OkStatus();
  });
}

grpc::Status ComplaintGrpc::GetSupervisionReport(Ctx* context,
                                                 const v1::GetSupervisionReportRequest* request,
                                                 v1::SupervisionReport* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
    ASSIGN_OR_RETURN(*response, domain_.reports->Supervision(*principal, *request));
    return absl::OkStatus();
  });
}

grpc::Status ComplaintGrpc::RunSupervision(Ctx* context, const v1::RunSupervisionRequest* request,
                                           v1::RunSupervisionResponse* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
    RETURN_IF_ERROR(auth::RequireKind(
        *principal, {auth::v1::OPERATOR, auth::v1::PLATFORM_ADMIN, auth::v1::SERVICE}));
    ASSIGN_OR_RETURN(Escalations::Result result, domain_.escalations->Sweep());
    domain_.metrics->Escalated(result.reminders, result.notices);
    if (result.reminders + result.notices > 0) domain_.changed();
    response->set_reminders(result.reminders);
    response->set_notices(result.notices);
    return absl::OkStatus();
  });
}

}  // namespace onewindow::complaint
