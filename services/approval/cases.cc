#include "services/approval/cases.h"

#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/auth/random.h"
#include "libs/codes/credit_code.h"
#include "libs/status/macros.h"
#include "libs/store/await.h"
#include "libs/store/times.h"
#include "services/approval/access.h"
#include "services/approval/desk.h"

namespace onewindow::approval {
namespace {

approval::v1::Case Tombstone(const std::string& application_id, const std::string& reason) {
  approval::v1::Case c;
  c.set_application_id(application_id);
  c.set_state(approval::v1::WITHDRAWN);
  c.set_reason(reason);
  return c;
}

// Longest id or number a hand-off may carry: intake's are far shorter, and
// each is stored and passed on (into notifications, whose values are
// bounded too).
constexpr size_t kMaxIdBytes = 128;
// How long before its hand-off an application may have been submitted: a
// relay retries through outages of hours, not years, and an older start
// would put the deadline where no report of it is taken.
constexpr absl::Duration kMaxHandoffDelay = absl::Hours(24 * 366);

absl::Status ValidateOpen(const approval::v1::OpenCaseRequest& r, absl::Time now) {
  std::vector<std::string> problems;
  auto id = [&problems](const char* field, const std::string& value) {
    if (value.empty()) {
      problems.push_back(absl::StrCat(field, ": required"));
    } else if (value.size() > kMaxIdBytes) {
      problems.push_back(absl::StrCat(field, ": longer than ", kMaxIdBytes, " bytes"));
    }
  };
  id("event_id", r.event_id());
  id("application_id", r.application_id());
  id("implementation_code", r.implementation_code());
  if (r.catalog_revision() <= 0) problems.push_back("catalog_revision: must be positive");
  if (r.department_id().empty()) {
    problems.push_back("department_id: required");
  } else if (absl::Status valid = codes::ValidateCreditCode(r.department_id()); !valid.ok()) {
    problems.push_back(absl::StrCat("department_id: ", valid.message()));
  }
  id("application_number", r.application_number());
  id("applicant_id", r.applicant_id());
  if (!catalog::v1::ApplicantKind_IsValid(r.applicant_kind())) {
    problems.push_back(absl::StrCat("applicant_kind: unknown value ", r.applicant_kind()));
  }
  if (!r.channel().empty() && r.channel() != "online" && r.channel() != "window" &&
      r.channel() != "hotline") {
    problems.push_back("channel: one of online, window, hotline");
  }
  if (r.has_submit_time()) {
    const google::protobuf::Timestamp& t = r.submit_time();
    if (t.nanos() < 0 || t.nanos() > 999'999'999 ||
        store::FromProtoTime(t) < now - kMaxHandoffDelay) {
      problems.push_back(absl::StrCat("submit_time: not a time within ",
                                      kMaxHandoffDelay / absl::Hours(24), " days before now"));
    }
  }
  if (!problems.empty()) return absl::InvalidArgumentError(absl::StrJoin(problems, "; "));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<approval::v1::Case> Cases::Open(const approval::v1::OpenCaseRequest& request,
                                               const Actor& actor) {
  return store::Await<absl::StatusOr<approval::v1::Case>>(
      [&](auto done) { OpenAsync(request, actor, std::move(done)); });
}

void Cases::OpenAsync(const approval::v1::OpenCaseRequest& request, const Actor& actor,
                      CaseDone done) {
  // Redeliveries are the common repeat: answer them without the catalog,
  // and before the checks, so a case opened under laxer ones is still
  // answered rather than its hand-off parked.
  std::optional<approval::v1::Case> known;
  absl::Status read = deps_.db->Read([&](store::Connection& db) {
    if (auto existing = case_store::FindCaseByApplication(db, request.application_id())) {
      known = existing->c;
    } else if (auto reason = case_store::FindTombstone(db, request.application_id())) {
      known = Tombstone(request.application_id(), *reason);
    }
    return absl::OkStatus();
  });
  if (!read.ok()) return done(read);
  if (known.has_value()) return done(*std::move(known));
  if (absl::Status invalid = ValidateOpen(request, deps_.clock->Now()); !invalid.ok()) {
    return done(invalid);
  }

  absl::StatusOr<Process> found =
      deps_.processes->Get(request.implementation_code(), request.catalog_revision());
  if (!found.ok()) return done(found.status());
  Process process = *std::move(found);
  if (process->guide().stages().empty()) {
    return done(absl::FailedPreconditionError(absl::StrCat(request.implementation_code(),
                                                           " revision ", request.catalog_revision(),
                                                           " has no process stages")));
  }

  const absl::Time now = deps_.clock->Now();
  auto result = std::make_shared<approval::v1::Case>();
  deps_.db->WriteGroupedAsync(
      [this, &request, actor, process = std::move(process), result,
       now](store::Connection& tx) -> absl::Status {
        if (auto existing = case_store::FindCaseByApplication(tx, request.application_id())) {
          *result = existing->c;
          return absl::OkStatus();
        }
        if (auto reason = case_store::FindTombstone(tx, request.application_id())) {
          *result = Tombstone(request.application_id(), *reason);
          return absl::OkStatus();
        }
        CaseRecord record;
        record.open_event_id = request.event_id();
        approval::v1::Case& c = record.c;
        c.set_case_id(absl::StrCat("case_", auth::RandomHex(12)));
        c.set_application_id(request.application_id());
        c.set_implementation_code(request.implementation_code());
        c.set_catalog_revision(request.catalog_revision());
        c.set_department_id(request.department_id());
        c.set_state(approval::v1::OPEN);
        *c.mutable_open_time() = store::ToProtoTime(now);
        c.set_application_number(request.application_number());
        c.set_applicant_id(request.applicant_id());
        c.set_applicant_kind(request.applicant_kind());
        c.set_channel(request.channel());
        c.set_item_name(process->name());
        c.set_region_code(process->region_code());
        c.set_handling(process->guide().handling());
        // As intake counts it: an instant item the same day, any other by
        // its promise (the statutory limit for an old guide that made none).
        const catalog::v1::Guide& guide = process->guide();
        c.set_time_limit_days(guide.handling() == catalog::v1::INSTANT ? 0
                              : guide.promised_limit_days() > 0        ? guide.promised_limit_days()
                                                                : guide.statutory_limit_days());
        // The clock starts when the application arrived, not when the hand-off
        // did: a slow relay must not lengthen the applicant's wait.
        absl::Time start = now;
        if (request.has_submit_time()) {
          start = std::min(now, store::FromProtoTime(request.submit_time()));
        }
        *c.mutable_start_time() = store::ToProtoTime(start);
        c.set_mark(approval::v1::GREEN);
        RETURN_IF_ERROR(deps_.deadlines->RefreshCase(record, {}));
        case_store::InsertCase(tx, record);

        const int64_t seq = Journal::Record(
            tx, record, actor, "case.opened", "", "",
            absl::StrCat(c.item_name(), " (", c.implementation_code(), " r", c.catalog_revision(),
                         "); ", c.time_limit_days(), " working day(s)"),
            now);
        RETURN_IF_ERROR(deps_.flow->StartStage(tx, record, *process, 0, actor, now));
        case_store::UpdateCase(tx, record);
        intake::v1::RecordTransitionRequest accepted;
        accepted.set_status(intake::v1::ACCEPTED);
        RETURN_IF_ERROR(Journal::ToIntake(tx, record, seq, actor, std::move(accepted), now));
        *result = record.c;
        return absl::OkStatus();
      },
      [this, result, done = std::move(done)](absl::Status written) mutable {
        if (!written.ok()) return done(written);
        deps_.Announce();
        done(std::move(*result));
      });
}

absl::StatusOr<approval::v1::Case> Cases::Resume(const approval::v1::ResumeCaseRequest& request,
                                                 const Actor& actor) {
  std::vector<std::string> problems;
  if (request.event_id().empty()) problems.push_back("event_id: required");
  if (request.application_id().empty()) problems.push_back("application_id: required");
  // As many names as a supplement request may ask for, each as long as
  // the desk takes them.
  if (request.supplied_materials_size() > kMaxSupplementItems) {
    problems.push_back(absl::StrCat("supplied_materials: more than ", kMaxSupplementItems));
  }
  for (int i = 0; i < request.supplied_materials_size() && i < kMaxSupplementItems; ++i) {
    if (request.supplied_materials(i).size() > kMaxTextBytes) {
      problems.push_back(
          absl::StrCat("supplied_materials[", i, "]: longer than ", kMaxTextBytes, " bytes"));
    }
  }
  if (!problems.empty()) return absl::InvalidArgumentError(absl::StrJoin(problems, "; "));

  const absl::Time now = deps_.clock->Now();
  approval::v1::Case result;
  RETURN_IF_ERROR(deps_.db->WriteGrouped([&](store::Connection& tx) -> absl::Status {
    std::optional<CaseRecord> record =
        case_store::FindCaseByApplication(tx, request.application_id());
    if (!record.has_value()) {
      return absl::NotFoundError(
          absl::StrCat("no case for application ", request.application_id()));
    }
    if (case_store::ResumeEventSeen(tx, request.event_id())) {
      result = record->c;
      return absl::OkStatus();
    }
    if (record->c.state() != approval::v1::SUSPENDED) {
      return absl::FailedPreconditionError(absl::StrCat(
          "case ", record->c.case_id(), " is ", approval::v1::CaseState_Name(record->c.state()),
          ", not waiting for a supplement"));
    }
    case_store::RecordResumeEvent(tx, request.event_id(), record->c.case_id(), now);
    RETURN_IF_ERROR(deps_.flow->Resume(
        tx, *record, {request.supplied_materials().begin(), request.supplied_materials().end()},
        actor, now));
    result = record->c;
    return absl::OkStatus();
  }));
  deps_.Announce();
  return result;
}

absl::StatusOr<approval::v1::Case> Cases::Withdraw(const approval::v1::WithdrawCaseRequest& request,
                                                   const Actor& actor) {
  if (request.application_id().empty()) {
    return absl::InvalidArgumentError("application_id: required");
  }
  if (request.reason().size() > kMaxTextBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("reason: longer than ", kMaxTextBytes, " bytes"));
  }
  const absl::Time now = deps_.clock->Now();
  approval::v1::Case result;
  RETURN_IF_ERROR(deps_.db->WriteGrouped([&](store::Connection& tx) -> absl::Status {
    std::optional<CaseRecord> record =
        case_store::FindCaseByApplication(tx, request.application_id());
    if (!record.has_value()) {
      case_store::InsertTombstone(tx, request.application_id(), request.reason(), now);
      result = Tombstone(request.application_id(), request.reason());
      return absl::OkStatus();
    }
    switch (record->c.state()) {
      case approval::v1::WITHDRAWN:
        result = record->c;
        return absl::OkStatus();
      case approval::v1::APPROVED:
      case approval::v1::REJECTED:
        return absl::FailedPreconditionError(
            absl::StrCat("case ", record->c.case_id(), " is already ",
                         record->c.state() == approval::v1::APPROVED ? "approved" : "rejected"));
      default:
        break;
    }
    RETURN_IF_ERROR(deps_.flow->Withdraw(tx, *record, request.reason(), actor, now));
    result = record->c;
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<approval::v1::Case> Cases::Get(const auth::v1::Principal& principal,
                                              const std::string& case_id) const {
  if (case_id.empty()) return absl::InvalidArgumentError("case_id: required");
  std::optional<CaseRecord> record;
  std::vector<TaskRecord> tasks;
  RETURN_IF_ERROR(deps_.db->Read([&](store::Connection& db) {
    record = case_store::FindCase(db, case_id);
    if (record.has_value()) tasks = case_store::TasksOfCase(db, case_id);
    return absl::OkStatus();
  }));
  if (!record.has_value()) return absl::NotFoundError(absl::StrCat("case ", case_id, " not found"));
  RETURN_IF_ERROR(CheckCaseReader(principal, record->c, tasks));
  return record->c;
}

}  // namespace onewindow::approval
