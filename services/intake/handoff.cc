#include "services/intake/handoff.h"

#include "absl/strings/str_cat.h"
#include "libs/outbox/grpc_sender.h"
#include "libs/outbox/notify_sender.h"
#include "libs/status/grpc_status.h"
#include "libs/status/macros.h"

namespace onewindow::intake {
namespace {

const char* ChannelName(intake::v1::Channel channel) {
  switch (channel) {
    case intake::v1::WINDOW:
      return "window";
    case intake::v1::HOTLINE:
      return "hotline";
    default:
      return "online";
  }
}

approval::v1::OpenCaseRequest OpenCaseFor(const intake::v1::Application& application) {
  approval::v1::OpenCaseRequest open;
  open.set_event_id(absl::StrCat("open:", application.application_id()));
  open.set_application_id(application.application_id());
  open.set_implementation_code(application.implementation_code());
  open.set_catalog_revision(application.catalog_revision());
  open.set_department_id(application.department_id());
  open.set_application_number(application.number());
  open.set_applicant_id(application.applicant_id());
  open.set_applicant_kind(application.applicant_kind());
  *open.mutable_submit_time() = application.submit_time();
  open.set_channel(ChannelName(application.channel()));
  return open;
}

notification::v1::NotifyRequest NotifyFor(const std::string& event_id, const std::string& type,
                                          const intake::v1::Application& application,
                                          std::map<std::string, std::string> params, bool urgent) {
  notification::v1::NotifyRequest notify;
  notification::v1::Event* event = notify.mutable_event();
  event->set_event_id(event_id);
  event->set_type(type);
  event->set_recipient_id(application.applicant_id());
  params.emplace("number", application.number());
  params.emplace("item_name", application.item_name());
  params.emplace("application_id", application.application_id());
  for (auto& [key, value] : params) (*event->mutable_params())[key] = std::move(value);
  outbox::FitNotifyParams(event);
  event->set_urgent(urgent);
  return notify;
}

std::string NotifyKey(const std::string& application_id) {
  return absl::StrCat("ntf:", application_id);
}

}  // namespace

SubmissionHandoffs::SubmissionHandoffs(const intake::v1::Application& application,
                                       const std::string& due_date)
    : application_id_(application.application_id()) {
  approval::v1::OpenCaseRequest open = OpenCaseFor(application);
  open.clear_application_number();
  open_event_id_ = open.event_id();
  open_payload_ = open.SerializeAsString();

  notification::v1::NotifyRequest notify =
      NotifyFor(absl::StrCat("ntf:", application.application_id(), ":submitted"),
                NotificationType(intake::v1::SUBMITTED), application, {{"due_date", due_date}},
                /*urgent=*/false);
  notify.mutable_event()->mutable_params()->erase("number");
  notify_event_id_ = notify.event().event_id();
  notify_payload_ = notify.SerializeAsString();
}

absl::Status SubmissionHandoffs::Enqueue(store::Connection& tx, const std::string& number,
                                         absl::Time now) const {
  approval::v1::OpenCaseRequest open_number;
  open_number.set_application_number(number);
  RETURN_IF_ERROR(outbox::Enqueue(tx,
                                  {open_event_id_, kTopicOpenCase, application_id_,
                                   absl::StrCat(open_payload_, open_number.SerializeAsString())},
                                  now));
  notification::v1::NotifyRequest notify_number;
  (*notify_number.mutable_event()->mutable_params())["number"] = number;
  return outbox::Enqueue(tx,
                         {notify_event_id_, kTopicNotify, NotifyKey(application_id_),
                          absl::StrCat(notify_payload_, notify_number.SerializeAsString())},
                         now);
}

absl::Status EnqueueResumeCase(store::Connection& tx, const std::string& event_id,
                               const std::string& application_id,
                               const std::vector<std::string>& supplied_names, absl::Time now) {
  approval::v1::ResumeCaseRequest resume;
  resume.set_event_id(event_id);
  resume.set_application_id(application_id);
  for (const auto& name : supplied_names) resume.add_supplied_materials(name);
  return outbox::Enqueue(
      tx, {event_id, kTopicResumeCase, application_id, resume.SerializeAsString()}, now);
}

absl::Status EnqueueNotification(store::Connection& tx, const std::string& event_id,
                                 const std::string& type,
                                 const intake::v1::Application& application,
                                 std::map<std::string, std::string> params, bool urgent,
                                 absl::Time now) {
  return outbox::Enqueue(
      tx,
      {event_id, kTopicNotify, NotifyKey(application.application_id()),
       NotifyFor(event_id, type, application, std::move(params), urgent).SerializeAsString()},
      now);
}

std::string NotificationType(intake::v1::ApplicationStatus status) {
  switch (status) {
    case intake::v1::SUBMITTED:
      return "application.submitted";
    case intake::v1::ACCEPTED:
      return "application.accepted";
    case intake::v1::NOT_ACCEPTED:
      return "application.not_accepted";
    case intake::v1::SUPPLEMENT_NEEDED:
      return "application.supplement_needed";
    case intake::v1::SUPPLEMENTED:
      return "application.supplemented";
    case intake::v1::APPROVED:
      return "application.approved";
    case intake::v1::REJECTED:
      return "application.rejected";
    case intake::v1::RESULT_ISSUED:
      return "application.result_issued";
    case intake::v1::DELIVERED:
      return "application.delivered";
    case intake::v1::WITHDRAWN:
      return "application.withdrawn";
    default:
      return "";
  }
}

outbox::AsyncSender OpenCaseSender(approval::v1::ApprovalService::StubInterface* approval,
                                   server::ServiceCredentials* credentials,
                                   absl::Duration timeout) {
  return outbox::GrpcSender<approval::v1::OpenCaseRequest, approval::v1::Case>(
      "open_case", [credentials, timeout] { return credentials->Context(timeout); },
      [approval](grpc::ClientContext* context, const approval::v1::OpenCaseRequest* request,
                 approval::v1::Case* reply, std::function<void(grpc::Status)> on_done) {
        approval->async()->OpenCase(context, request, reply, std::move(on_done));
      });
}

outbox::AsyncSender ResumeCaseSender(approval::v1::ApprovalService::StubInterface* approval,
                                     server::ServiceCredentials* credentials,
                                     absl::Duration timeout) {
  return outbox::GrpcSender<approval::v1::ResumeCaseRequest, approval::v1::Case>(
      "resume_case", [credentials, timeout] { return credentials->Context(timeout); },
      [approval](grpc::ClientContext* context, const approval::v1::ResumeCaseRequest* request,
                 approval::v1::Case* reply, std::function<void(grpc::Status)> on_done) {
        approval->async()->ResumeCase(context, request, reply, std::move(on_done));
      });
}

outbox::BatchSender OpenCasesSender(approval::v1::ApprovalService::StubInterface* approval,
                                    server::ServiceCredentials* credentials,
                                    absl::Duration timeout) {
  return outbox::GrpcBatchSender<approval::v1::OpenCasesRequest>(
      [credentials, timeout] { return credentials->Context(timeout); },
      [](approval::v1::OpenCasesRequest* r) { return r->add_cases(); },
      [approval](grpc::ClientContext* context, const approval::v1::OpenCasesRequest* request,
                 api::v1::HandoffResults* reply, std::function<void(grpc::Status)> on_done) {
        approval->async()->OpenCases(context, request, reply, std::move(on_done));
      },
      OpenCaseSender(approval, credentials, timeout));
}

absl::Status GrpcCaseWithdrawer::Withdraw(const std::string& application_id,
                                          const std::string& reason,
                                          const std::string& request_id) {
  approval::v1::WithdrawCaseRequest request;
  request.set_application_id(application_id);
  request.set_reason(reason);
  approval::v1::Case reply;
  const grpc::Status status =
      approval_->WithdrawCase(credentials_->Context(timeout_, request_id).get(), request, &reply);
  if (status.ok()) return absl::OkStatus();
  absl::Status error = status::FromGrpcStatus(status);
  switch (error.code()) {
    case absl::StatusCode::kFailedPrecondition:
      return absl::FailedPreconditionError(
          "the application can no longer be withdrawn: a decision has been made");
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
      return absl::UnavailableError("approval unavailable; try the withdrawal again");
    default:
      // Anything else is a bug on one side or the other: logged in full by
      // the call runner, answered generically.
      return absl::InternalError(
          absl::StrCat("approval refused the withdrawal: ", error.ToString()));
  }
}

}  // namespace onewindow::intake
