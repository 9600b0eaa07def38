#include "services/complaint/grpc_application_directory.h"

#include <grpcpp/client_context.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/codes/item_code.h"
#include "libs/server/call.h"
#include "libs/status/grpc_status.h"

namespace onewindow::complaint {
namespace {

std::unique_ptr<grpc::ClientContext> Context(const std::string& token, absl::Duration timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  context->AddMetadata(server::kPrincipalHeader, token);
  return context;
}

}  // namespace

GrpcApplicationDirectory::GrpcApplicationDirectory(std::shared_ptr<grpc::Channel> intake,
                                                   std::shared_ptr<grpc::Channel> catalog,
                                                   std::function<std::string()> token,
                                                   absl::Duration timeout)
    : intake_(intake::v1::IntakeService::NewStub(intake)),
      catalog_(catalog::v1::CatalogService::NewStub(catalog)),
      token_(std::move(token)),
      timeout_(timeout) {}

absl::StatusOr<ApplicationFacts> GrpcApplicationDirectory::Lookup(
    const std::string& application_id) {
  const std::string token = token_();
  intake::v1::GetApplicationRequest get;
  get.set_application_id(application_id);
  intake::v1::Application application;
  grpc::Status s = intake_->GetApplication(Context(token, timeout_).get(), get, &application);
  if (!s.ok()) {
    absl::Status error = status::FromGrpcStatus(s);
    if (error.code() == absl::StatusCode::kNotFound ||
        error.code() == absl::StatusCode::kPermissionDenied) {
      return absl::NotFoundError(absl::StrCat("application ", application_id, " not found"));
    }
    return absl::UnavailableError(absl::StrCat("intake: ", error.message()));
  }
  ApplicationFacts facts;
  facts.application_id = application.application_id();
  facts.number = application.number();
  facts.applicant_id = application.applicant_id();
  facts.status = application.status();
  facts.implementation_code = application.implementation_code();

  catalog::v1::GetImplementationRequest item_request;
  item_request.set_implementation_code(application.implementation_code());
  catalog::v1::Implementation item;
  s = catalog_->GetImplementation(Context(token, timeout_).get(), item_request, &item);
  if (s.ok()) {
    facts.item_name = item.name();
    facts.department_id = item.department_credit_code();
    facts.region_code = item.region_code();
    return facts;
  }
  if (s.error_code() != grpc::StatusCode::NOT_FOUND) {
    return absl::UnavailableError(absl::StrCat("catalog: ", s.error_message()));
  }
  absl::StatusOr<codes::ImplementationCodeParts> parts =
      codes::ParseImplementationCode(application.implementation_code());
  if (!parts.ok()) {
    return absl::FailedPreconditionError("the application's item is unknown to the catalog");
  }
  facts.department_id = parts->credit_code;
  return facts;
}

}  // namespace onewindow::complaint
