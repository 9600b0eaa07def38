#include "services/intake/intake_grpc.h"

#include "absl/time/clock.h"
#include "libs/auth/access.h"
#include "libs/outbox/batch_receiver.h"
#include "libs/status/macros.h"

namespace onewindow::intake {
namespace {

using server::Call;

// Download chunk: well under gRPC's message limit, large enough that the
// per-message cost disappears.
constexpr size_t kChunkBytes = 64 * 1024;

}  // namespace

grpc::ServerUnaryReactor* IntakeGrpc::SubmitApplication(
    grpc::CallbackServerContext* context, const intake::v1::SubmitApplicationRequest* request,
    intake::v1::Application* response) {
  return runner_->RunAsync(
      context, request, [this, request, response](const Call& call, server::CallRunner::Done done) {
        absl::StatusOr<const auth::v1::Principal*> principal = call.RequirePrincipal();
        if (!principal.ok()) return done(principal.status());
        domain_.applications->SubmitAsync(
            **principal, *request,
            [this, &call, response, done = std::move(done)](
                absl::StatusOr<intake::v1::Application> result, bool created) mutable {
              if (!result.ok()) return done(result.status());
              *response = *std::move(result);
              // Retries answered with the first application are not new
              // submissions.
              if (created) domain_.metrics->Submitted(response->channel());
              call.log().Debug(
                  "application submitted",
                  {{"application_id", response->application_id()}, {"number", response->number()}});
              done(absl::OkStatus());
            });
      });
}

grpc::Status IntakeGrpc::RecordTransition(grpc::ServerContext* context,
                                          const intake::v1::RecordTransitionRequest* request,
                                          intake::v1::RecordTransitionResponse* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
    ASSIGN_OR_RETURN(const bool applied,
                     domain_.applications->RecordTransition(*principal, *request));
    response->set_applied(applied);
    Recorded(call, *request, applied);
    return absl::OkStatus();
  });
}

grpc::Status IntakeGrpc::RecordTransitions(grpc::ServerContext* context,
                                           const intake::v1::RecordTransitionsRequest* request,
                                           api::v1::HandoffResults* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
    // A wrong caller is refused whole, as the other batch receivers do, rather
    // than once per report.
    RETURN_IF_ERROR(auth::RequireKind(*principal, {auth::v1::SERVICE}));
    RETURN_IF_ERROR(outbox::CheckBatchSize("transitions", request->transitions_size()));
    // Not vector<bool>: each slot is written from the store's completing thread.
    std::vector<char> applied(request->transitions_size(), 0);
    outbox::ApplyEach(
        applied.size(),
        [&](size_t i, outbox::Done done) {
          domain_.applications->RecordTransitionAsync(
              *principal, request->transitions(i),
              [&applied, i, done = std::move(done)](absl::StatusOr<bool> r) {
                if (r.ok()) applied[i] = *r;
                done(r.status());
              });
        },
        call.log(), response, call.deadline());
    for (size_t i = 0; i < applied.size(); ++i) {
      if (response->results(i).code() == 0) Recorded(call, request->transitions(i), applied[i]);
    }
    return absl::OkStatus();
  });
}

void IntakeGrpc::Recorded(const Call& call, const intake::v1::RecordTransitionRequest& request,
                          bool applied) const {
  if (applied) domain_.metrics->Transition(request.status());
  call.log().Info("transition recorded",
                  {{"application_id", request.application_id()},
                   {"status", intake::v1::ApplicationStatus_Name(request.status())},
                   {"event_id", request.event_id()},
                   {"applied", applied}});
}

grpc::Status IntakeGrpc::GetApplication(grpc::ServerContext* context,
                                        const intake::v1::GetApplicationRequest* request,
                                        intake::v1::Application* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
    ASSIGN_OR_RETURN(*response, domain_.applications->Get(*principal, request->application_id()));
    return absl::OkStatus();
  });
}

grpc::Status IntakeGrpc::LookupProgress(grpc::ServerContext* context,
                                        const intake::v1::LookupProgressRequest* request,
                                        intake::v1::Progress* response) {
  // No principal: holding the number and the query code is the permission.
  return runner_->Run(context, request, [&](const Call&) -> absl::Status {
    ASSIGN_OR_RETURN(*response, domain_.applications->LookupProgress(*request));
    return absl::OkStatus();
  });
}

grpc::Status IntakeGrpc::ListApplications(grpc::ServerContext* context,
                                          const intake::v1::ListApplicationsRequest* request,
                                          intake::v1::ListApplicationsResponse* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
    ASSIGN_OR_RETURN(*response, domain_.applications->List(*principal, *request));
    return absl::OkStatus();
  });
}

grpc::Status IntakeGrpc::GetApplicationStats(grpc::ServerContext* context,
                                             const intake::v1::GetApplicationStatsRequest* request,
                                             intake::v1::ApplicationStats* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
    ASSIGN_OR_RETURN(*response, domain_.applications->Stats(*principal, *request, absl::Now()));
    return absl::OkStatus();
  });
}

grpc::Status IntakeGrpc::GetRequirements(grpc::ServerContext* context,
                                         const intake::v1::GetRequirementsRequest* request,
                                         intake::v1::Requirements* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
    ASSIGN_OR_RETURN(*response, domain_.applications->GetRequirements(*principal, *request));
    return absl::OkStatus();
  });
}

grpc::Status IntakeGrpc::SupplementApplication(
    grpc::ServerContext* context, const intake::v1::SupplementApplicationRequest* request,
    intake::v1::Application* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
    ASSIGN_OR_RETURN(*response, domain_.applications->Supplement(*principal, *request));
    call.log().Info("application supplemented", {{"application_id", response->application_id()}});
    return absl::OkStatus();
  });
}

grpc::Status IntakeGrpc::WithdrawApplication(grpc::ServerContext* context,
                                             const intake::v1::WithdrawApplicationRequest* request,
                                             intake::v1::Application* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
    ASSIGN_OR_RETURN(*response,
                     domain_.applications->Withdraw(*principal, *request, call.request_id()));
    call.log().Info("application withdrawn", {{"application_id", response->application_id()}});
    return absl::OkStatus();
  });
}

grpc::Status IntakeGrpc::DeliverResult(grpc::ServerContext* context,
                                       const intake::v1::DeliverResultRequest* request,
                                       intake::v1::Application* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
    ASSIGN_OR_RETURN(*response, domain_.applications->Deliver(*principal, *request));
    call.log().Info("result delivered", {{"application_id", response->application_id()}});
    return absl::OkStatus();
  });
}

grpc::Status IntakeGrpc::UploadMaterial(
    grpc::ServerContext* context, grpc::ServerReader<intake::v1::UploadMaterialRequest>* reader,
    intake::v1::Material* response) {
  // A client stream: its header comes later; the empty message names the call.
  return runner_->Run(
      context, &intake::v1::UploadMaterialRequest::default_instance(),
      [&](const Call& call) -> absl::Status {
        ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
        intake::v1::UploadMaterialRequest message;
        if (!reader->Read(&message) || !message.has_header()) {
          return absl::InvalidArgumentError("header: the first message must carry the header");
        }
        ASSIGN_OR_RETURN(std::unique_ptr<Materials::Upload> upload,
                         domain_.materials->Begin(*principal, message.header()));
        while (reader->Read(&message)) {
          if (context->IsCancelled()) return absl::CancelledError("upload cancelled");
          if (message.part_case() != intake::v1::UploadMaterialRequest::kChunk) {
            return absl::InvalidArgumentError(
                "chunk: every message after the header carries bytes");
          }
          RETURN_IF_ERROR(upload->Append(message.chunk()));
        }
        // A client that went away mid-stream ends the reads too; what arrived
        // is not the whole file.
        if (context->IsCancelled()) return absl::CancelledError("upload cancelled");
        ASSIGN_OR_RETURN(*response, upload->Finish());
        domain_.metrics->Uploaded(response->size_bytes(), response->content_type());
        call.log().Info("material uploaded",
                        {{"material_id", response->material_id()},
                         {"bytes", static_cast<int64_t>(response->size_bytes())},
                         {"content_type", response->content_type()}});
        return absl::OkStatus();
      });
}

grpc::Status IntakeGrpc::GetMaterial(grpc::ServerContext* context,
                                     const intake::v1::GetMaterialRequest* request,
                                     intake::v1::Material* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
    ASSIGN_OR_RETURN(*response, domain_.materials->Get(*principal, request->material_id()));
    return absl::OkStatus();
  });
}

grpc::Status IntakeGrpc::DownloadMaterial(grpc::ServerContext* context,
                                          const intake::v1::DownloadMaterialRequest* request,
                                          grpc::ServerWriter<intake::v1::MaterialChunk>* writer) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
    ASSIGN_OR_RETURN(Materials::Opened opened,
                     domain_.materials->Open(*principal, request->material_id()));
    intake::v1::MaterialChunk chunk;
    *chunk.mutable_material() = opened.material;
    if (!writer->Write(chunk)) return absl::CancelledError("reader went away");
    while (true) {
      if (context->IsCancelled()) return absl::CancelledError("download cancelled");
      ASSIGN_OR_RETURN(std::string data, opened.content->Read(kChunkBytes));
      if (data.empty()) break;
      chunk.Clear();
      chunk.set_data(std::move(data));
      if (!writer->Write(chunk)) return absl::CancelledError("reader went away");
    }
    call.log().Info("material downloaded", {{"material_id", request->material_id()}});
    return absl::OkStatus();
  });
}

grpc::Status IntakeGrpc::ListLicences(grpc::ServerContext* context,
                                      const intake::v1::ListLicencesRequest* request,
                                      intake::v1::ListLicencesResponse* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
    ASSIGN_OR_RETURN(*response, domain_.licences->List(*principal, *request));
    return absl::OkStatus();
  });
}

grpc::Status IntakeGrpc::GetLicence(grpc::ServerContext* context,
                                    const intake::v1::GetLicenceRequest* request,
                                    intake::v1::Licence* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
    ASSIGN_OR_RETURN(*response, domain_.licences->Get(*principal, request->licence_id()));
    return absl::OkStatus();
  });
}

grpc::Status IntakeGrpc::RegisterLicences(grpc::ServerContext* context,
                                          const intake::v1::RegisterLicencesRequest* request,
                                          intake::v1::RegisterLicencesResponse* response) {
  return runner_->Run(context, request, [&](const Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(const auth::v1::Principal* principal, call.RequirePrincipal());
    ASSIGN_OR_RETURN(*response,
                     domain_.licences->Register(
                         *principal, {request->licences().begin(), request->licences().end()}));
    call.log().Info("licences registered", {{"registered", response->registered()},
                                            {"already_held", response->already_held()}});
    return absl::OkStatus();
  });
}

}  // namespace onewindow::intake
