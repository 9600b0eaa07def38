// The steps after submission: approval's reports, supplements, withdrawal
// and delivery of the result.
#include <algorithm>
#include <optional>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/auth/access.h"
#include "libs/status/macros.h"
#include "libs/store/await.h"
#include "libs/store/times.h"
#include "libs/workday/deadline.h"
#include "services/intake/access.h"
#include "services/intake/applications.h"
#include "services/intake/ids.h"
#include "services/intake/request_hash.h"
#include "services/intake/validation.h"

namespace onewindow::intake {
namespace {

// How far from a step's time its deadline may lie.
constexpr int kMaxDueYears = 10;
constexpr size_t kMaxTrackingNumberBytes = 64;
constexpr size_t kMaxDeliveryNoteBytes = 1024;

using intake::v1::Application;
using intake::v1::ApplicationStatus;

// Before a decision: the applicant may still withdraw, approval may still
// ask for more.
bool Undecided(ApplicationStatus s) {
  return s == intake::v1::SUBMITTED || s == intake::v1::ACCEPTED || s == intake::v1::IN_REVIEW ||
         s == intake::v1::SUPPLEMENT_NEEDED || s == intake::v1::SUPPLEMENTED;
}

// Ends of the road: nothing follows.
bool Final(ApplicationStatus s) {
  return s == intake::v1::NOT_ACCEPTED || s == intake::v1::REJECTED || s == intake::v1::DELIVERED ||
         s == intake::v1::WITHDRAWN;
}

// Which step may follow which. Approval reports in order (its outbox orders
// by application), so anything else is a bug worth parking, not applying.
bool MayFollow(ApplicationStatus from, ApplicationStatus to) {
  switch (to) {
    case intake::v1::ACCEPTED:
    case intake::v1::NOT_ACCEPTED:
      return from == intake::v1::SUBMITTED || from == intake::v1::SUPPLEMENT_NEEDED ||
             from == intake::v1::SUPPLEMENTED;
    case intake::v1::IN_REVIEW:
    case intake::v1::SUPPLEMENT_NEEDED:
    case intake::v1::APPROVED:
    case intake::v1::REJECTED:
      return Undecided(from) &&
             !(to == intake::v1::SUPPLEMENT_NEEDED && from == intake::v1::SUPPLEMENT_NEEDED);
    case intake::v1::SUPPLEMENTED:
      return from == intake::v1::SUPPLEMENT_NEEDED;
    case intake::v1::RESULT_ISSUED:
      return from == intake::v1::APPROVED;
    case intake::v1::DELIVERED:
      return from == intake::v1::RESULT_ISSUED;
    case intake::v1::WITHDRAWN:
      return Undecided(from);
    default:
      return false;
  }
}

// The clock runs only while approval works on an undecided case.
bool ClockRuns(ApplicationStatus s) {
  return s == intake::v1::SUBMITTED || s == intake::v1::ACCEPTED || s == intake::v1::IN_REVIEW ||
         s == intake::v1::SUPPLEMENTED;
}

absl::Status NotFound(const std::string& application_id) {
  return absl::NotFoundError(absl::StrCat("application ", application_id, " not found"));
}

// Moves `a` to `status` at `now`, with the clock and reason that go with it.
void Advance(Application* a, ApplicationStatus status, absl::Time now) {
  a->set_status(status);
  *a->mutable_update_time() = store::ToProtoTime(now);
  if (!ClockRuns(status)) a->clear_due_time();
  if (status != intake::v1::SUPPLEMENT_NEEDED) a->clear_pending_supplement();
}

}  // namespace

absl::StatusOr<bool> Applications::RecordTransition(
    const auth::v1::Principal& principal, const intake::v1::RecordTransitionRequest& request) {
  return store::Await<absl::StatusOr<bool>>(
      [&](auto done) { RecordTransitionAsync(principal, request, std::move(done)); });
}

void Applications::RecordTransitionAsync(const auth::v1::Principal& principal,
                                         const intake::v1::RecordTransitionRequest& request,
                                         TransitionDone done) {
  if (absl::Status refused = auth::RequireKind(principal, {auth::v1::SERVICE}); !refused.ok()) {
    return done(refused);
  }
  std::vector<std::string> problems;
  if (request.event_id().empty()) problems.push_back("event_id: required");
  if (request.application_id().empty()) problems.push_back("application_id: required");
  const ApplicationStatus to = request.status();
  if (to == intake::v1::APPLICATION_STATUS_UNSPECIFIED || to == intake::v1::SUBMITTED ||
      !intake::v1::ApplicationStatus_IsValid(to)) {
    problems.push_back("status: not a step approval reports");
  }
  if (to == intake::v1::SUPPLEMENT_NEEDED) {
    if (request.supplement_size() == 0) {
      problems.push_back("supplement: required with SUPPLEMENT_NEEDED (everything at once)");
    }
    for (int i = 0; i < request.supplement_size(); ++i) {
      if (request.supplement(i).material_name().empty()) {
        problems.push_back(absl::StrCat("supplement[", i, "].material_name: required"));
      }
    }
  }
  if (request.has_result() && to != intake::v1::RESULT_ISSUED) {
    problems.push_back("result: only with RESULT_ISSUED");
  }
  const absl::Time now = deps_.clock->Now();
  const absl::Time at = request.has_time() ? store::FromProtoTime(request.time()) : now;
  // Every read counts the working days to the deadline one by one: a
  // deadline decades away would make each of them (the public progress
  // lookup too) walk that far. No statutory limit comes near.
  if (request.has_due_time() && absl::AbsDuration(store::FromProtoTime(request.due_time()) - at) >
                                    absl::Hours(24 * 366 * kMaxDueYears)) {
    problems.push_back(
        absl::StrCat("due_time: more than ", kMaxDueYears, " years from the step's time"));
  }
  if (absl::Status invalid = ProblemsStatus(problems); !invalid.ok()) return done(invalid);

  auto applied = std::make_shared<bool>(false);
  deps_.db->WriteGroupedAsync(
      [this, &principal, &request, now, at, applied](store::Connection& db) -> absl::Status {
        const ApplicationStatus to = request.status();
        if (store_.SeenTransition(db, request.event_id())) return absl::OkStatus();
        std::optional<Application> found = store_.Load(db, request.application_id());
        if (!found.has_value()) return NotFound(request.application_id());
        Application& a = *found;
        *applied = true;
        store_.RecordTransitionEvent(db, request.event_id(), a.application_id(), now);
        // A final step reported again (approval confirming a withdrawal intake
        // made) changes nothing.
        if (a.status() == to && Final(to)) return absl::OkStatus();
        if (!MayFollow(a.status(), to)) {
          return absl::FailedPreconditionError(
              absl::StrCat("application ", a.application_id(), " is ",
                           intake::v1::ApplicationStatus_Name(a.status()), "; it cannot become ",
                           intake::v1::ApplicationStatus_Name(to)));
        }
        Advance(&a, to, at);
        if (request.has_due_time() && ClockRuns(to)) *a.mutable_due_time() = request.due_time();
        if (!request.case_id().empty()) a.set_case_id(request.case_id());
        if (!request.reason().empty()) a.set_status_reason(request.reason());
        if (to == intake::v1::REJECTED) a.set_appeal(request.appeal());
        if (to == intake::v1::SUPPLEMENT_NEEDED) {
          *a.mutable_pending_supplement() = request.supplement();
        }

        intake::v1::TimelineEntry entry;
        entry.set_status(to);
        *entry.mutable_time() = store::ToProtoTime(at);
        entry.set_actor(request.actor().empty() ? principal.subject() : request.actor());
        entry.set_reason(request.reason());
        *entry.mutable_supplement() = request.supplement();
        entry.set_appeal(request.appeal());

        std::map<std::string, std::string> params;
        if (!request.reason().empty()) params["reason"] = request.reason();
        if (a.has_due_time()) params["due_date"] = DueDateText(store::FromProtoTime(a.due_time()));
        if (to == intake::v1::SUPPLEMENT_NEEDED) {
          std::vector<std::string> names;
          for (const auto& item : request.supplement()) names.push_back(item.material_name());
          params["materials"] = absl::StrJoin(names, "、");
        }
        if (to == intake::v1::REJECTED && !request.appeal().empty())
          params["appeal"] = request.appeal();
        if (to == intake::v1::RESULT_ISSUED && request.has_result()) {
          intake::v1::Licence licence = request.result();
          licence.set_holder_id(a.applicant_id());
          licence.set_application_id(a.application_id());
          if (licence.issuer_department_id().empty()) {
            licence.set_issuer_department_id(a.department_id());
          }
          if (licence.title().empty()) licence.set_title(a.item_name());
          if (!licence.has_issue_time()) *licence.mutable_issue_time() = store::ToProtoTime(at);
          RETURN_IF_ERROR(ProblemsStatus(LicenceProblems(licence, "result.")));
          ASSIGN_OR_RETURN(const Licences::Stored stored, deps_.licences->Insert(db, licence));
          a.set_licence_id(stored.licence.licence_id());
          entry.set_note(absl::StrCat(stored.licence.title(), " ", stored.licence.number()));
          params["licence_title"] = stored.licence.title();
          params["licence_number"] = stored.licence.number();
        }
        store_.Update(db, a);
        store_.AppendTimeline(db, a.application_id(), entry);
        const std::string type = NotificationType(to);
        if (!type.empty()) {
          RETURN_IF_ERROR(EnqueueNotification(db, absl::StrCat("ntf:", request.event_id()), type, a,
                                              params, to == intake::v1::SUPPLEMENT_NEEDED, now));
        }
        // Electronic delivery is the licence reaching the wallet: done now.
        if (to == intake::v1::RESULT_ISSUED && a.delivery().method() == intake::v1::ELECTRONIC) {
          Advance(&a, intake::v1::DELIVERED, at);
          *a.mutable_delivery()->mutable_delivered_time() = store::ToProtoTime(at);
          a.mutable_delivery()->set_delivered_by("system");
          store_.Update(db, a);
          intake::v1::TimelineEntry delivered;
          delivered.set_status(intake::v1::DELIVERED);
          *delivered.mutable_time() = store::ToProtoTime(at);
          delivered.set_actor("system");
          delivered.set_note("delivered electronically to the licence wallet");
          store_.AppendTimeline(db, a.application_id(), delivered);
          RETURN_IF_ERROR(EnqueueNotification(
              db, absl::StrCat("ntf:", request.event_id(), ":delivered"),
              NotificationType(intake::v1::DELIVERED), a, {{"method", "electronic"}}, false, now));
        }
        return absl::OkStatus();
      },
      [this, applied, done = std::move(done)](absl::Status written) mutable {
        if (!written.ok()) return done(written);
        if (*applied) WakeRelay();
        done(*applied);
      });
}

absl::StatusOr<Application> Applications::Supplement(
    const auth::v1::Principal& principal, const intake::v1::SupplementApplicationRequest& request) {
  // Bounded before anything is looked up: each attachment costs a lookup.
  const MaterialLimits& limits = deps_.materials->limits();
  if (request.request_id().size() > kMaxIdBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("request_id: longer than ", kMaxIdBytes, " bytes"));
  }
  if (request.materials_size() > limits.max_materials_per_application) {
    return absl::InvalidArgumentError(
        absl::StrCat("materials: ", request.materials_size(), " files, more than the ",
                     limits.max_materials_per_application, " an application may have"));
  }
  ASSIGN_OR_RETURN(Application current, LoadReadable(principal, request.application_id()));
  if (principal.subject() != current.applicant_id() &&
      principal.subject() != current.submitted_by()) {
    return absl::PermissionDeniedError("only the applicant supplements an application");
  }
  ASSIGN_OR_RETURN(const std::string hash, RequestHash(request));
  if (!request.request_id().empty()) {
    std::optional<std::string> previous;
    RETURN_IF_ERROR(deps_.db->Read([&](store::Connection& db) {
      previous = store_.SupplementHash(db, current.application_id(), request.request_id());
      return absl::OkStatus();
    }));
    if (previous.has_value()) {
      if (*previous != hash) {
        return absl::AlreadyExistsError(
            "request_id: this idempotency key was used for a different supplement");
      }
      return Get(principal, current.application_id());
    }
  }
  if (current.status() != intake::v1::SUPPLEMENT_NEEDED) {
    return absl::FailedPreconditionError(absl::StrCat(
        "application ", current.application_id(), " is not waiting for a supplement (it is ",
        intake::v1::ApplicationStatus_Name(current.status()), ")"));
  }

  // Check the answer against what was asked, everything at once.
  std::vector<std::string> problems;
  absl::flat_hash_set<std::string> asked;
  for (const auto& item : current.pending_supplement()) asked.insert(item.material_name());
  std::vector<std::string> ids;
  for (int i = 0; i < request.materials_size(); ++i) {
    const auto& m = request.materials(i);
    if (!asked.contains(m.material_name())) {
      problems.push_back(absl::StrCat("materials[", i, "].material_name: not asked for"));
    }
    if (m.material_id().empty()) {
      problems.push_back(absl::StrCat("materials[", i, "].material_id: required"));
    } else if (m.material_id().size() > kMaxIdBytes) {
      problems.push_back(
          absl::StrCat("materials[", i, "].material_id: longer than ", kMaxIdBytes, " bytes"));
      continue;
    }
    ids.push_back(m.material_id());
  }
  absl::flat_hash_map<std::string, intake::v1::Material> owned;
  RETURN_IF_ERROR(deps_.db->Read([&](store::Connection& db) {
    owned = deps_.materials->FindOwned(db, current.applicant_id(), ids);
    return absl::OkStatus();
  }));
  absl::flat_hash_set<std::string> answered;
  int64_t total_bytes = 0;
  int files = 0;
  for (const auto& m : current.materials()) {
    total_bytes += m.size_bytes();
    files += m.source() == intake::v1::UPLOADED ? 1 : 0;
  }
  for (int i = 0; i < request.materials_size(); ++i) {
    const auto& m = request.materials(i);
    if (m.material_id().size() > kMaxIdBytes) continue;  // Reported above.
    auto upload = owned.find(m.material_id());
    if (!m.material_id().empty() && upload == owned.end()) {
      problems.push_back(absl::StrCat("materials[", i, "].material_id: no such upload"));
      continue;
    }
    if (upload != owned.end()) {
      total_bytes += upload->second.size_bytes();
      ++files;
    }
    answered.insert(m.material_name());
  }
  std::vector<std::string> missing;
  for (const auto& item : current.pending_supplement()) {
    if (!answered.contains(item.material_name())) missing.push_back(item.material_name());
  }
  if (!missing.empty()) {
    problems.push_back(absl::StrCat("materials: still missing: ", absl::StrJoin(missing, ", ")));
  }
  if (total_bytes > limits.max_application_bytes) {
    problems.push_back(absl::StrCat("materials: more than the ", limits.max_application_bytes,
                                    " bytes an application may have"));
  }
  if (files > limits.max_materials_per_application) {
    problems.push_back(
        absl::StrCat("materials: more than ", limits.max_materials_per_application, " files"));
  }
  RETURN_IF_ERROR(ProblemsStatus(problems));

  // Map answers back onto the guide where the names match.
  absl::flat_hash_map<std::string, std::string> guide_ids;
  absl::StatusOr<Guide> guide =
      deps_.guides->Get(current.implementation_code(), current.catalog_revision());
  if (guide.ok()) {
    for (const auto& m : (*guide)->guide().materials())
      guide_ids.emplace(m.name(), m.material_id());
  }

  const absl::Time now = deps_.clock->Now();
  RETURN_IF_ERROR(deps_.db->Write([&](store::Connection& db) -> absl::Status {
    std::optional<Application> found = store_.Load(db, current.application_id());
    if (!found.has_value()) return NotFound(current.application_id());
    Application& a = *found;
    if (a.status() != intake::v1::SUPPLEMENT_NEEDED) {
      return absl::FailedPreconditionError("the application stopped waiting for a supplement");
    }
    // Checked again where it is written: the orphan collector may have
    // removed an old unattached upload since the checks above.
    const auto owned_now = deps_.materials->FindOwned(db, a.applicant_id(), ids);
    for (int i = 0; i < request.materials_size(); ++i) {
      if (!owned_now.contains(request.materials(i).material_id())) {
        return absl::InvalidArgumentError(
            absl::StrCat("materials[", i, "].material_id: no such upload"));
      }
    }
    int round = 0;
    for (const auto& m : a.materials()) round = std::max(round, m.round());
    ++round;
    std::vector<std::string> names;
    for (const auto& m : request.materials()) {
      const intake::v1::Material& upload = owned_now.at(m.material_id());
      intake::v1::ApplicationMaterial* added = a.add_materials();
      auto guide_id = guide_ids.find(m.material_name());
      if (guide_id != guide_ids.end()) added->set_guide_material_id(guide_id->second);
      added->set_name(m.material_name());
      added->set_source(intake::v1::UPLOADED);
      added->set_material_id(upload.material_id());
      added->set_content_type(upload.content_type());
      added->set_size_bytes(upload.size_bytes());
      added->set_round(round);
      if (std::find(names.begin(), names.end(), m.material_name()) == names.end()) {
        names.push_back(m.material_name());
      }
    }
    Advance(&a, intake::v1::SUPPLEMENTED, now);
    store_.Update(db, a);
    intake::v1::TimelineEntry entry;
    entry.set_status(intake::v1::SUPPLEMENTED);
    *entry.mutable_time() = store::ToProtoTime(now);
    entry.set_actor(principal.subject());
    entry.set_note(absl::StrJoin(names, "、"));
    store_.AppendTimeline(db, a.application_id(), entry);
    if (!request.request_id().empty()) {
      store_.RecordSupplement(db, a.application_id(), request.request_id(), hash, round);
    }
    const std::string event = absl::StrCat("resume:", a.application_id(), ":", round);
    RETURN_IF_ERROR(EnqueueResumeCase(db, event, a.application_id(), names, now));
    return EnqueueNotification(db, absl::StrCat("ntf:", event),
                               NotificationType(intake::v1::SUPPLEMENTED), a,
                               {{"materials", absl::StrJoin(names, "、")}}, false, now);
  }));
  WakeRelay();
  return Get(principal, current.application_id());
}

absl::StatusOr<Application> Applications::Withdraw(
    const auth::v1::Principal& principal, const intake::v1::WithdrawApplicationRequest& request,
    const std::string& request_id) {
  ASSIGN_OR_RETURN(Application current, LoadReadable(principal, request.application_id()));
  if (principal.subject() != current.applicant_id() &&
      principal.subject() != current.submitted_by()) {
    return absl::PermissionDeniedError("only the applicant withdraws an application");
  }
  if (request.reason().size() > 1024) {
    return absl::InvalidArgumentError("reason: longer than 1024 bytes");
  }
  if (current.status() == intake::v1::WITHDRAWN) return Get(principal, current.application_id());
  if (!Undecided(current.status())) {
    return absl::FailedPreconditionError(
        absl::StrCat("the application can no longer be withdrawn: it is ",
                     intake::v1::ApplicationStatus_Name(current.status())));
  }
  if (deps_.withdrawer == nullptr) return absl::UnavailableError("approval is not configured");
  // Approval decides whether it is too late; asking it first means a
  // withdrawal never races a decision.
  RETURN_IF_ERROR(
      deps_.withdrawer->Withdraw(current.application_id(), request.reason(), request_id));

  const absl::Time now = deps_.clock->Now();
  RETURN_IF_ERROR(deps_.db->Write([&](store::Connection& db) -> absl::Status {
    std::optional<Application> found = store_.Load(db, current.application_id());
    if (!found.has_value()) return NotFound(current.application_id());
    Application& a = *found;
    if (a.status() == intake::v1::WITHDRAWN) return absl::OkStatus();
    if (!Undecided(a.status())) {
      return absl::FailedPreconditionError("the application can no longer be withdrawn");
    }
    Advance(&a, intake::v1::WITHDRAWN, now);
    a.set_status_reason(request.reason());
    store_.Update(db, a);
    intake::v1::TimelineEntry entry;
    entry.set_status(intake::v1::WITHDRAWN);
    *entry.mutable_time() = store::ToProtoTime(now);
    entry.set_actor(principal.subject());
    entry.set_reason(request.reason());
    store_.AppendTimeline(db, a.application_id(), entry);
    return EnqueueNotification(db, absl::StrCat("ntf:", a.application_id(), ":withdrawn"),
                               NotificationType(intake::v1::WITHDRAWN), a,
                               {{"reason", request.reason()}}, false, now);
  }));
  WakeRelay();
  return Get(principal, current.application_id());
}

absl::StatusOr<Application> Applications::Deliver(const auth::v1::Principal& principal,
                                                  const intake::v1::DeliverResultRequest& request) {
  ASSIGN_OR_RETURN(Application current, LoadReadable(principal, request.application_id()));
  RETURN_IF_ERROR(auth::RequireKind(principal, {auth::v1::STAFF}));
  RETURN_IF_ERROR(auth::RequireRole(principal, auth::kRoleClerk));
  // Results go out from the window that handles the item, or the one that
  // took the application in.
  if (!ActsForDepartment(principal, current.department_id()) &&
      principal.subject() != current.submitted_by()) {
    return absl::PermissionDeniedError(
        "only clerks of the handling department or the accepting window deliver results");
  }
  if (current.status() == intake::v1::DELIVERED) return Get(principal, current.application_id());
  if (current.status() != intake::v1::RESULT_ISSUED) {
    return absl::FailedPreconditionError(
        absl::StrCat("no result to deliver: the application is ",
                     intake::v1::ApplicationStatus_Name(current.status())));
  }
  const intake::v1::DeliveryMethod method = current.delivery().method();
  if (method == intake::v1::POST && request.tracking_number().empty()) {
    return absl::InvalidArgumentError("tracking_number: required for delivery by post");
  }
  std::vector<std::string> problems;
  if (request.tracking_number().size() > kMaxTrackingNumberBytes) {
    problems.push_back(
        absl::StrCat("tracking_number: longer than ", kMaxTrackingNumberBytes, " bytes"));
  }
  if (request.note().size() > kMaxDeliveryNoteBytes) {
    problems.push_back(absl::StrCat("note: longer than ", kMaxDeliveryNoteBytes, " bytes"));
  }
  RETURN_IF_ERROR(ProblemsStatus(problems));
  const absl::Time now = deps_.clock->Now();
  RETURN_IF_ERROR(deps_.db->Write([&](store::Connection& db) -> absl::Status {
    std::optional<Application> found = store_.Load(db, current.application_id());
    if (!found.has_value()) return NotFound(current.application_id());
    Application& a = *found;
    if (a.status() == intake::v1::DELIVERED) return absl::OkStatus();
    if (a.status() != intake::v1::RESULT_ISSUED) {
      return absl::FailedPreconditionError("no result to deliver");
    }
    Advance(&a, intake::v1::DELIVERED, now);
    intake::v1::Delivery* delivery = a.mutable_delivery();
    *delivery->mutable_delivered_time() = store::ToProtoTime(now);
    delivery->set_delivered_by(principal.subject());
    delivery->set_tracking_number(request.tracking_number());
    store_.Update(db, a);
    intake::v1::TimelineEntry entry;
    entry.set_status(intake::v1::DELIVERED);
    *entry.mutable_time() = store::ToProtoTime(now);
    entry.set_actor(principal.subject());
    std::string note = method == intake::v1::POST
                           ? absl::StrCat("posted, tracking number ", request.tracking_number())
                           : std::string("handed over at the window");
    if (!request.note().empty()) absl::StrAppend(&note, "; ", request.note());
    entry.set_note(note);
    store_.AppendTimeline(db, a.application_id(), entry);
    std::map<std::string, std::string> params = {
        {"method", method == intake::v1::POST ? "post" : "window"}};
    if (!request.tracking_number().empty()) params["tracking_number"] = request.tracking_number();
    return EnqueueNotification(db, absl::StrCat("ntf:", a.application_id(), ":delivered"),
                               NotificationType(intake::v1::DELIVERED), a, params, false, now);
  }));
  WakeRelay();
  return Get(principal, current.application_id());
}

}  // namespace onewindow::intake
