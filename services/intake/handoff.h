#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "libs/outbox/outbox.h"
#include "libs/server/service_credentials.h"
#include "onewindow/approval/v1/approval.grpc.pb.h"
#include "onewindow/intake/v1/intake.pb.h"
#include "onewindow/notification/v1/notification.pb.h"

// What intake tells other services. State changes and the events announcing
// them are written in one transaction (the outbox); the relay delivers them
// with retries, and receivers are idempotent on the event id.

namespace onewindow::intake {

inline constexpr char kTopicOpenCase[] = "approval.open_case";
inline constexpr char kTopicResumeCase[] = "approval.resume_case";
inline constexpr char kTopicNotify[] = "notification.notify";

// A new application's two hand-offs: its case opened in approval (ordered
// by application, so a later resume never overtakes it) and the applicant
// told it was submitted. Built and serialized before the write transaction,
// which assigns the application its number: the transaction, run by the
// one committing thread every submission waits for, only appends the
// number. Protocol buffers parse concatenated messages as their merge, so
// the payload parses to the message built whole (its bytes differ, which
// nothing reads: senders parse payloads). This holds while the number is a
// singular scalar field and a map entry (see the two .proto files).
class SubmissionHandoffs {
 public:
  SubmissionHandoffs() = default;
  // `application` complete but for its number; `due_date` as DueDateText.
  SubmissionHandoffs(const intake::v1::Application& application, const std::string& due_date);

  // Inside the caller's write transaction: enqueues both, numbered `number`.
  absl::Status Enqueue(store::Connection& tx, const std::string& number, absl::Time now) const;

 private:
  std::string application_id_;
  std::string open_event_id_;
  std::string open_payload_;
  std::string notify_event_id_;
  std::string notify_payload_;
};

// Inside the caller's write transaction: the applicant supplied what was
// asked; the case resumes.
absl::Status EnqueueResumeCase(store::Connection& tx, const std::string& event_id,
                               const std::string& application_id,
                               const std::vector<std::string>& supplied_names, absl::Time now);

// Inside the caller's write transaction: tells the applicant about a step
// of `application` (type "application.<step>"). Ordered per application on
// a key of its own, so an approval outage never holds notifications back.
absl::Status EnqueueNotification(store::Connection& tx, const std::string& event_id,
                                 const std::string& type,
                                 const intake::v1::Application& application,
                                 std::map<std::string, std::string> params, bool urgent,
                                 absl::Time now);

// The notification type for reaching `status` ("application.accepted"), or
// "" for steps applicants are not told about (in review).
std::string NotificationType(intake::v1::ApplicationStatus status);

// Relay senders to approval: one gRPC call each, as this process's SERVICE
// principal, on the callback API so a whole batch is in flight at once. The
// stubs must be real (generated) stubs: a stub interface without async()
// cannot send. Notifications go through outbox::NotifyBatchSender.
outbox::AsyncSender OpenCaseSender(approval::v1::ApprovalService::StubInterface* approval,
                                   server::ServiceCredentials* credentials,
                                   absl::Duration timeout = absl::Seconds(5));
outbox::AsyncSender ResumeCaseSender(approval::v1::ApprovalService::StubInterface* approval,
                                     server::ServiceCredentials* credentials,
                                     absl::Duration timeout = absl::Seconds(5));

// The same, many events to one OpenCases call; an approval without that
// method gets them one call each.
outbox::BatchSender OpenCasesSender(approval::v1::ApprovalService::StubInterface* approval,
                                    server::ServiceCredentials* credentials,
                                    absl::Duration timeout = absl::Seconds(5));

// Withdrawal cannot wait for a relay: the applicant needs to know now
// whether approval has decided already.
class CaseWithdrawer {
 public:
  virtual ~CaseWithdrawer() = default;
  // OK when approval withdrew the case (or will never open it);
  // FAILED_PRECONDITION when it has decided; UNAVAILABLE when it cannot be
  // asked.
  virtual absl::Status Withdraw(const std::string& application_id, const std::string& reason,
                                const std::string& request_id) = 0;
};

class GrpcCaseWithdrawer final : public CaseWithdrawer {
 public:
  GrpcCaseWithdrawer(approval::v1::ApprovalService::StubInterface* approval,
                     server::ServiceCredentials* credentials,
                     absl::Duration timeout = absl::Seconds(5))
      : approval_(approval), credentials_(credentials), timeout_(timeout) {}
  absl::Status Withdraw(const std::string& application_id, const std::string& reason,
                        const std::string& request_id) override;

 private:
  approval::v1::ApprovalService::StubInterface* approval_;
  server::ServiceCredentials* credentials_;
  const absl::Duration timeout_;
};

}  // namespace onewindow::intake
