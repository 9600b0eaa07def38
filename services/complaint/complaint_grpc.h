#pragma once

#include <functional>

#include "libs/server/call.h"
#include "onewindow/complaint/v1/complaint.grpc.pb.h"
#include "services/complaint/categories.h"
#include "services/complaint/dispatch_rules.h"
#include "services/complaint/escalations.h"
#include "services/complaint/lifecycle.h"
#include "services/complaint/metrics.h"
#include "services/complaint/order_intake.h"
#include "services/complaint/order_queries.h"
#include "services/complaint/ratings.h"
#include "services/complaint/reports.h"

namespace onewindow::complaint {

// The domain classes the handlers adapt. Not owned.
struct ComplaintDomain {
  OrderIntake* intake;
  Lifecycle* lifecycle;
  OrderQueries* queries;
  DispatchRules* rules;
  Categories* categories;
  Ratings* ratings;
  Reports* reports;
  Escalations* escalations;
  const Policy* policy;
  ComplaintMetrics* metrics;
  // Called after a change that may have enqueued notifications (wakes the
  // outbox relay).
  std::function<void()> changed;
};

// gRPC edge of the complaint service: resolves the caller, calls the
// domain, converts the status. Access rules that depend on an order live in
// the domain (access.h); the ones that depend on the caller alone are here.
class ComplaintGrpc final : public complaint::v1::ComplaintService::Service {
 public:
  ComplaintGrpc(const server::CallRunner* runner, ComplaintDomain domain)
      : runner_(runner), domain_(std::move(domain)) {}

  using Ctx = grpc::ServerContext;
  grpc::Status IngestHotlineTicket(Ctx* c, const complaint::v1::IngestHotlineTicketRequest* r,
                                   complaint::v1::WorkOrder* out) override;
  grpc::Status SubmitWorkOrder(Ctx* c, const complaint::v1::SubmitWorkOrderRequest* r,
                               complaint::v1::WorkOrder* out) override;
  grpc::Status GetWorkOrder(Ctx* c, const complaint::v1::GetWorkOrderRequest* r,
                            complaint::v1::WorkOrder* out) override;
  grpc::Status ListMyWorkOrders(Ctx* c, const complaint::v1::ListMyWorkOrdersRequest* r,
                                complaint::v1::ListWorkOrdersResponse* out) override;
  grpc::Status ListDispatchQueue(Ctx* c, const complaint::v1::ListDispatchQueueRequest* r,
                                 complaint::v1::ListWorkOrdersResponse* out) override;
  grpc::Status DispatchWorkOrder(Ctx* c, const complaint::v1::DispatchWorkOrderRequest* r,
                                 complaint::v1::WorkOrder* out) override;
  grpc::Status DecideExtension(Ctx* c, const complaint::v1::DecideExtensionRequest* r,
                               complaint::v1::WorkOrder* out) override;
  grpc::Status RecordCallback(Ctx* c, const complaint::v1::RecordCallbackRequest* r,
                              complaint::v1::WorkOrder* out) override;
  grpc::Status PutDispatchRule(Ctx* c, const complaint::v1::PutDispatchRuleRequest* r,
                               complaint::v1::DispatchRule* out) override;
  grpc::Status ListDispatchRules(Ctx* c, const complaint::v1::ListDispatchRulesRequest* r,
                                 complaint::v1::ListDispatchRulesResponse* out) override;
  grpc::Status DeleteDispatchRule(Ctx* c, const complaint::v1::DeleteDispatchRuleRequest* r,
                                  complaint::v1::DeleteDispatchRuleResponse* out) override;
  grpc::Status ListDepartmentWorkOrders(Ctx* c,
                                        const complaint::v1::ListDepartmentWorkOrdersRequest* r,
                                        complaint::v1::ListWorkOrdersResponse* out) override;
  grpc::Status SignForWorkOrder(Ctx* c, const complaint::v1::SignForWorkOrderRequest* r,
                                complaint::v1::WorkOrder* out) override;
  grpc::Status ReturnWorkOrder(Ctx* c, const complaint::v1::ReturnWorkOrderRequest* r,
                               complaint::v1::WorkOrder* out) override;
  grpc::Status RequestExtension(Ctx* c, const complaint::v1::RequestExtensionRequest* r,
                                complaint::v1::WorkOrder* out) override;
  grpc::Status HandleWorkOrder(Ctx* c, const complaint::v1::HandleWorkOrderRequest* r,
                               complaint::v1::WorkOrder* out) override;
  grpc::Status ReplyWorkOrder(Ctx* c, const complaint::v1::ReplyWorkOrderRequest* r,
                              complaint::v1::WorkOrder* out) override;
  grpc::Status ListCategories(Ctx* c, const complaint::v1::ListCategoriesRequest* r,
                              complaint::v1::ListCategoriesResponse* out) override;
  grpc::Status GetCategory(Ctx* c, const complaint::v1::GetCategoryRequest* r,
                           complaint::v1::Category* out) override;
  grpc::Status PutCategory(Ctx* c, const complaint::v1::PutCategoryRequest* r,
                           complaint::v1::Category* out) override;
  grpc::Status GetPublicWorkOrder(Ctx* c, const complaint::v1::GetPublicWorkOrderRequest* r,
                                  complaint::v1::PublicWorkOrder* out) override;
  grpc::Status ListPublicWorkOrders(Ctx* c, const complaint::v1::ListPublicWorkOrdersRequest* r,
                                    complaint::v1::ListPublicWorkOrdersResponse* out) override;
  grpc::Status RateApplication(Ctx* c, const complaint::v1::RateApplicationRequest* r,
                               complaint::v1::Rating* out) override;
  grpc::Status GetRatingStats(Ctx* c, const complaint::v1::GetRatingStatsRequest* r,
                              complaint::v1::RatingStats* out) override;
  grpc::Status GetSupervisionReport(Ctx* c, const complaint::v1::GetSupervisionReportRequest* r,
                                    complaint::v1::SupervisionReport* out) override;
  grpc::Status RunSupervision(Ctx* c, const complaint::v1::RunSupervisionRequest* r,
                              complaint::v1::RunSupervisionResponse* out) override;

 private:
  // Runs a lifecycle step for the signed-in caller and wakes the relay.
  template <typename Request>
  grpc::Status Step(Ctx* context, const Request& request, complaint::v1::WorkOrder* out,
                    absl::StatusOr<complaint::v1::WorkOrder> (Lifecycle::*step)(
                        const auth::v1::Principal&, const Request&));

  const server::CallRunner* runner_;
  ComplaintDomain domain_;
};

}  // namespace onewindow::complaint
