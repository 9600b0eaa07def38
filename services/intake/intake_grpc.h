#pragma once

#include "libs/server/call.h"
#include "onewindow/intake/v1/intake.grpc.pb.h"
#include "services/intake/applications.h"
#include "services/intake/intake_metrics.h"
#include "services/intake/licences.h"
#include "services/intake/materials.h"

namespace onewindow::intake {

// The gRPC edge of intake: verifies the caller, hands the request to the
// domain classes and converts their answers. No logic of its own.
//
// SubmitApplication, the hot path, uses the callback API: a submission
// waits for its group commit without holding a thread, so a few threads
// serve every submission in flight. The other methods are synchronous.
class IntakeGrpc final : public intake::v1::IntakeService::WithCallbackMethod_SubmitApplication<
                             intake::v1::IntakeService::Service> {
 public:
  struct Domain {
    Applications* applications;
    Materials* materials;
    Licences* licences;
    IntakeMetrics* metrics;
  };

  IntakeGrpc(const server::CallRunner* runner, Domain domain) : runner_(runner), domain_(domain) {}

  grpc::ServerUnaryReactor* SubmitApplication(grpc::CallbackServerContext* context,
                                              const intake::v1::SubmitApplicationRequest* request,
                                              intake::v1::Application* response) override;
  grpc::Status RecordTransition(grpc::ServerContext* context,
                                const intake::v1::RecordTransitionRequest* request,
                                intake::v1::RecordTransitionResponse* response) override;
  grpc::Status RecordTransitions(grpc::ServerContext* context,
                                 const intake::v1::RecordTransitionsRequest* request,
                                 api::v1::HandoffResults* response) override;
  grpc::Status GetApplication(grpc::ServerContext* context,
                              const intake::v1::GetApplicationRequest* request,
                              intake::v1::Application* response) override;
  grpc::Status LookupProgress(grpc::ServerContext* context,
                              const intake::v1::LookupProgressRequest* request,
                              intake::v1::Progress* response) override;
  grpc::Status ListApplications(grpc::ServerContext* context,
                                const intake::v1::ListApplicationsRequest* request,
                                intake::v1::ListApplicationsResponse* response) override;
  grpc::Status GetApplicationStats(grpc::ServerContext* context,
                                   const intake::v1::GetApplicationStatsRequest* request,
                                   intake::v1::ApplicationStats* response) override;
  grpc::Status GetRequirements(grpc::ServerContext* context,
                               const intake::v1::GetRequirementsRequest* request,
                               intake::v1::Requirements* response) override;
  grpc::Status SupplementApplication(grpc::ServerContext* context,
                                     const intake::v1::SupplementApplicationRequest* request,
                                     intake::v1::Application* response) override;
  grpc::Status WithdrawApplication(grpc::ServerContext* context,
                                   const intake::v1::WithdrawApplicationRequest* request,
                                   intake::v1::Application* response) override;
  grpc::Status DeliverResult(grpc::ServerContext* context,
                             const intake::v1::DeliverResultRequest* request,
                             intake::v1::Application* response) override;
  grpc::Status UploadMaterial(grpc::ServerContext* context,
                              grpc::ServerReader<intake::v1::UploadMaterialRequest>* reader,
                              intake::v1::Material* response) override;
  grpc::Status GetMaterial(grpc::ServerContext* context,
                           const intake::v1::GetMaterialRequest* request,
                           intake::v1::Material* response) override;
  grpc::Status DownloadMaterial(grpc::ServerContext* context,
                                const intake::v1::DownloadMaterialRequest* request,
                                grpc::ServerWriter<intake::v1::MaterialChunk>* writer) override;
  grpc::Status ListLicences(grpc::ServerContext* context,
                            const intake::v1::ListLicencesRequest* request,
                            intake::v1::ListLicencesResponse* response) override;
  grpc::Status GetLicence(grpc::ServerContext* context,
                          const intake::v1::GetLicenceRequest* request,
                          intake::v1::Licence* response) override;
  grpc::Status RegisterLicences(grpc::ServerContext* context,
                                const intake::v1::RegisterLicencesRequest* request,
                                intake::v1::RegisterLicencesResponse* response) override;

 private:
  // Counts and logs one report of approval's.
  void Recorded(const server::Call& call, const intake::v1::RecordTransitionRequest& request,
                bool applied) const;

  const server::CallRunner* runner_;
  Domain domain_;
};

}  // namespace onewindow::intake
