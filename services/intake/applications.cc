#include "services/intake/applications.h"

#include <map>

#include <SQLiteCpp/Statement.h>

#include <cmath>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/auth/access.h"
#include "libs/status/macros.h"
#include "libs/store/times.h"
#include "libs/workday/deadline.h"
#include "services/intake/access.h"
#include "services/intake/file_type.h"
#include "services/intake/ids.h"
#include "services/intake/paging.h"
#include "services/intake/request_hash.h"
#include "services/intake/validation.h"

namespace onewindow::intake {
namespace {

// Who an application is for and how it came, from the caller and request.
struct Submitter {
  std::string applicant_id;
  catalog::v1::ApplicantKind applicant_kind = catalog::v1::APPLICANT_KIND_UNSPECIFIED;
  intake::v1::Channel channel = intake::v1::CHANNEL_UNSPECIFIED;
  intake::v1::DeliveryMethod delivery = intake::v1::DELIVERY_METHOD_UNSPECIFIED;
};

absl::StatusOr<Submitter> ResolveSubmitter(const auth::v1::Principal& principal,
                                           const intake::v1::SubmitApplicationRequest& request,
                                           std::vector<std::string>* problems) {
  Submitter s;
  s.channel = request.channel();
  switch (principal.kind()) {
    case auth::v1::CITIZEN:
    case auth::v1::ENTERPRISE:
      if (s.channel == intake::v1::CHANNEL_UNSPECIFIED) s.channel = intake::v1::ONLINE;
      if (s.channel != intake::v1::ONLINE) {
        problems->push_back(
            "channel: applicants apply online; windows and the hotline submit"
            " for them");
      }
      if (!request.applicant_id().empty() && request.applicant_id() != principal.subject()) {
        return absl::PermissionDeniedError("applicant_id: applicants apply for themselves only");
      }
      s.applicant_id = principal.subject();
      s.applicant_kind = principal.kind() == auth::v1::CITIZEN ? catalog::v1::NATURAL_PERSON
                                                               : catalog::v1::LEGAL_PERSON;
      break;
    case auth::v1::STAFF:
    case auth::v1::SERVICE:
      if (principal.kind() == auth::v1::STAFF) {
        RETURN_IF_ERROR(auth::RequireRole(principal, auth::kRoleClerk));
      }
      if (s.channel == intake::v1::CHANNEL_UNSPECIFIED) {
        s.channel = principal.kind() == auth::v1::STAFF ? intake::v1::WINDOW : intake::v1::HOTLINE;
      }
      if (s.channel != intake::v1::WINDOW && s.channel != intake::v1::HOTLINE) {
        problems->push_back("channel: staff and services submit at a window or for the hotline");
      }
      if (request.applicant_id().empty()) {
        problems->push_back("applicant_id: required when submitting for an applicant");
      }
      if (request.applicant_kind() == catalog::v1::APPLICANT_KIND_UNSPECIFIED) {
        problems->push_back("applicant_kind: required when submitting for an applicant");
      }
      s.applicant_id = request.applicant_id();
      s.applicant_kind = request.applicant_kind();
      break;
    default:
      return absl::PermissionDeniedError(
          "applications come from applicants, window clerks and the hotline");
  }
  s.delivery = request.delivery_method();
  if (s.delivery == intake::v1::DELIVERY_METHOD_UNSPECIFIED) {
    s.delivery =
        s.channel == intake::v1::WINDOW ? intake::v1::WINDOW_PICKUP : intake::v1::ELECTRONIC;
  }
  return s;
}

const char* ChannelNote(intake::v1::Channel channel) {
  switch (channel) {
    case intake::v1::WINDOW:
      return "submitted at a window";
    case intake::v1::HOTLINE:
      return "submitted through the 12345 hotline";
    default:
      return "submitted online";
  }
}

absl::Status NotFound(const std::string& application_id) {
  return absl::NotFoundError(absl::StrCat("application ", application_id, " not found"));
}

}  // namespace

std::string FormatApplicationNumber(absl::Time submit_time, int64_t sequence) {
  return absl::StrCat("SQ", absl::FormatTime("%Y%m%d", submit_time, workday::ChinaStandardTime()),
                      "-", absl::StrFormat("%06d", sequence));
}

std::string DueDateText(absl::Time due) {
  return absl::FormatTime("%Y-%m-%d", due - absl::Seconds(1), workday::ChinaStandardTime());
}

absl::Time Applications::EstimatedDue(absl::Time submit_time, int limit_days) const {
  return workday::AddWorkingDays(*deps_.calendar, submit_time, limit_days);
}

void Applications::Decorate(intake::v1::Application* application, absl::Time now) const {
  application->clear_working_days_left();
  if (!application->has_due_time()) return;
  const absl::Time due = store::FromProtoTime(application->due_time());
  const double left = due >= now ? workday::WorkingDaysElapsed(*deps_.calendar, now, due)
                                 : -workday::WorkingDaysElapsed(*deps_.calendar, due, now);
  // Tenths are as precise as anyone reads a deadline.
  application->set_working_days_left(std::round(left * 10) / 10);
}

absl::StatusOr<intake::v1::Application> Applications::Submit(
    const auth::v1::Principal& principal, const intake::v1::SubmitApplicationRequest& request,
    bool* created) {
  if (created != nullptr) *created = false;
  std::vector<std::string> problems = RequestProblems(request);
  ASSIGN_OR_RETURN(const Submitter submitter, ResolveSubmitter(principal, request, &problems));
  RETURN_IF_ERROR(ProblemsStatus(problems));
  const std::string hash = RequestHash(request);
  const std::string& submitted_by = principal.subject();
  auto answer_retry =
      [&](const ApplicationStore::ByRequest& found) -> absl::StatusOr<intake::v1::Application> {
    if (found.request_hash != hash) {
      return absl::AlreadyExistsError(
          "request_id: this idempotency key was used for a different application");
    }
    return Get(principal, found.application_id);
  };

  absl::StatusOr<Guide> guide =
      deps_.guides->Get(request.implementation_code(), request.catalog_revision());
  if (!guide.ok()) {
    // A retry gets its first answer even while the catalog cannot be asked.
    std::optional<ApplicationStore::ByRequest> previous;
    RETURN_IF_ERROR(deps_.db->Read([&](SQLite::Database& db) {
      previous =
          store_.FindByRequest(db, submitter.applicant_id, submitted_by, request.request_id());
      return absl::OkStatus();
    }));
    if (previous.has_value()) return answer_retry(*previous);
    if (guide.status().code() == absl::StatusCode::kNotFound) {
      return absl::InvalidArgumentError(
          absl::StrCat("catalog_revision: item ", request.implementation_code(),
                       " has no revision ", request.catalog_revision()));
    }
    return guide.status();
  }
  const catalog::v1::Implementation& item = **guide;

  const absl::Time now = deps_.clock->Now();
  intake::v1::Application application;
  application.set_application_id(NewId("app_", now));
  application.set_applicant_id(submitter.applicant_id);
  application.set_implementation_code(request.implementation_code());
  application.set_catalog_revision(request.catalog_revision());
  *application.mutable_form() = request.form();
  application.set_status(intake::v1::SUBMITTED);
  *application.mutable_submit_time() = store::ToProtoTime(now);
  *application.mutable_update_time() = store::ToProtoTime(now);
  application.set_item_name(item.name());
  application.set_department_id(item.department_credit_code());
  application.set_applicant_kind(submitter.applicant_kind);
  application.set_channel(submitter.channel);
  application.set_submitted_by(submitted_by);
  const int limit = item.guide().promised_limit_days() > 0 ? item.guide().promised_limit_days()
                                                           : item.guide().statutory_limit_days();
  application.set_promised_limit_days(limit);
  *application.mutable_due_time() = store::ToProtoTime(EstimatedDue(now, limit));
  application.mutable_delivery()->set_method(submitter.delivery);
  application.mutable_delivery()->set_postal_address(request.postal_address());

  intake::v1::TimelineEntry submitted;
  submitted.set_status(intake::v1::SUBMITTED);
  *submitted.mutable_time() = application.submit_time();
  submitted.set_actor(submitted_by);
  submitted.set_note(ChannelNote(submitter.channel));

  std::vector<std::string> material_ids;
  material_ids.reserve(request.materials_size());
  for (const auto& m : request.materials()) material_ids.push_back(m.material_id());
  const auto licence_types = WantedLicenceTypes(item, request);
  const std::string day = absl::FormatTime("%Y%m%d", now, workday::ChinaStandardTime());

  // Checked and written in one transaction, the writer's: what is checked
  // cannot change before it is written, and the hot path needs no reader.
  std::optional<ApplicationStore::ByRequest> previous;
  RETURN_IF_ERROR(deps_.db->WriteGrouped([&](SQLite::Database& db) -> absl::Status {
    // Concurrent requests with one key: the first to get here wins, the
    // others answer with its application.
    previous = store_.FindByRequest(db, submitter.applicant_id, submitted_by, request.request_id());
    if (previous.has_value()) return absl::OkStatus();
    const auto owned = deps_.materials->FindOwned(db, submitter.applicant_id, material_ids);
    absl::flat_hash_map<std::string, intake::v1::Licence> licences;
    if (!licence_types.empty()) {
      licences = deps_.licences->FindValid(db, submitter.applicant_id, licence_types, now);
    }
    GuideCheck check;
    check.guide = &item;
    check.request = &request;
    check.channel = submitter.channel;
    check.applicant_kind = submitter.applicant_kind;
    check.owned = &owned;
    check.licences = &licences;
    check.limits = deps_.materials->limits();
    std::vector<intake::v1::ApplicationMaterial> resolved;
    RETURN_IF_ERROR(ProblemsStatus(CheckAgainstGuide(check, &resolved)));
    application.clear_materials();
    for (auto& m : resolved) *application.add_materials() = std::move(m);

    application.set_number(FormatApplicationNumber(now, store_.NextNumber(db, day)));
    store_.Insert(db, application, request.request_id(), hash);
    store_.AppendTimeline(db, application.application_id(), submitted);
    RETURN_IF_ERROR(EnqueueOpenCase(db, application, now));
    return EnqueueNotification(
        db, absl::StrCat("ntf:", application.application_id(), ":submitted"),
        NotificationType(intake::v1::SUBMITTED), application,
        {{"due_date", DueDateText(store::FromProtoTime(application.due_time()))}}, false, now);
  }));
  if (previous.has_value()) return answer_retry(*previous);
  if (created != nullptr) *created = true;
  WakeRelay();
  *application.add_timeline() = submitted;
  Decorate(&application, now);
  return application;
}

absl::StatusOr<intake::v1::Application> Applications::LoadReadable(
    const auth::v1::Principal& principal, const std::string& application_id) {
  if (application_id.empty()) return absl::InvalidArgumentError("application_id: required");
  std::optional<intake::v1::Application> found;
  std::vector<intake::v1::TimelineEntry> timeline;
  RETURN_IF_ERROR(deps_.db->Read([&](SQLite::Database& db) {
    found = store_.Load(db, application_id);
    if (found.has_value()) timeline = store_.Timeline(db, application_id);
    return absl::OkStatus();
  }));
  if (!found.has_value()) return NotFound(application_id);
  RETURN_IF_ERROR(CheckMayRead(principal, *found));
  for (auto& entry : timeline) *found->add_timeline() = std::move(entry);
  return *std::move(found);
}

absl::StatusOr<intake::v1::Application> Applications::Get(const auth::v1::Principal& principal,
                                                          const std::string& application_id) {
  ASSIGN_OR_RETURN(intake::v1::Application application, LoadReadable(principal, application_id));
  Decorate(&application, deps_.clock->Now());
  return application;
}

absl::StatusOr<intake::v1::ApplicationStats> Applications::Stats(
    const auth::v1::Principal& principal, const intake::v1::GetApplicationStatsRequest& request,
    absl::Time now) {
  std::string department = request.department_id();
  switch (principal.kind()) {
    case auth::v1::STAFF:
      if (principal.department_id().empty()) {
        return absl::PermissionDeniedError("staff without a department see no figures");
      }
      if (!department.empty() && department != principal.department_id()) {
        return absl::PermissionDeniedError("department_id: staff see their own department only");
      }
      department = principal.department_id();
      break;
    case auth::v1::OPERATOR:
    case auth::v1::PLATFORM_ADMIN:
    case auth::v1::SERVICE:
      break;
    default:
      return absl::PermissionDeniedError("application figures are for operators and staff");
  }
  std::map<int, int64_t> counts;
  RETURN_IF_ERROR(deps_.db->Read([&](SQLite::Database& db) {
    SQLite::Statement select(
        db,
        department.empty()
            ? "SELECT status, COUNT(*) FROM applications GROUP BY status"
            : "SELECT status, COUNT(*) FROM applications WHERE department_id = ? GROUP BY status");
    if (!department.empty()) select.bind(1, department);
    while (select.executeStep()) {
      counts[select.getColumn(0).getInt()] = select.getColumn(1).getInt64();
    }
    return absl::OkStatus();
  }));
  intake::v1::ApplicationStats stats;
  const google::protobuf::EnumDescriptor* statuses = intake::v1::ApplicationStatus_descriptor();
  for (int i = 0; i < statuses->value_count(); ++i) {
    const int number = statuses->value(i)->number();
    if (number == intake::v1::APPLICATION_STATUS_UNSPECIFIED) continue;
    intake::v1::StatusCount* c = stats.add_statuses();
    c->set_status(static_cast<intake::v1::ApplicationStatus>(number));
    c->set_count(counts[number]);
    stats.set_total(stats.total() + c->count());
  }
  *stats.mutable_as_of() = store::ToProtoTime(now);
  return stats;
}

absl::StatusOr<intake::v1::ListApplicationsResponse> Applications::List(
    const auth::v1::Principal& principal, const intake::v1::ListApplicationsRequest& request) {
  std::string where;
  std::vector<std::string> text_args;
  auto add = [&](const std::string& clause, const std::string& value) {
    absl::StrAppend(&where, where.empty() ? " WHERE " : " AND ", clause);
    text_args.push_back(value);
  };
  switch (principal.kind()) {
    case auth::v1::CITIZEN:
    case auth::v1::ENTERPRISE:
      add("applicant_id = ?", principal.subject());
      break;
    case auth::v1::STAFF:
      if (principal.department_id().empty()) {
        return absl::PermissionDeniedError("staff without a department see no applications");
      }
      add("department_id = ?", principal.department_id());
      if (!request.applicant_id().empty()) add("applicant_id = ?", request.applicant_id());
      break;
    case auth::v1::OPERATOR:
    case auth::v1::PLATFORM_ADMIN:
    case auth::v1::SERVICE:
      if (!request.department_id().empty()) add("department_id = ?", request.department_id());
      if (!request.applicant_id().empty()) add("applicant_id = ?", request.applicant_id());
      break;
    default:
      return absl::PermissionDeniedError("no applications to list");
  }
  if (!request.implementation_code().empty()) {
    add("implementation_code = ?", request.implementation_code());
  }
  std::string statuses;
  for (int status : request.statuses()) {
    if (!intake::v1::ApplicationStatus_IsValid(status) || status == 0) {
      return absl::InvalidArgumentError("statuses: unknown status");
    }
    absl::StrAppend(&statuses, statuses.empty() ? "" : ",", status);
  }
  if (!statuses.empty()) {
    absl::StrAppend(&where, where.empty() ? " WHERE " : " AND ", "status IN (", statuses, ")");
  }
  std::vector<int64_t> int_args;
  auto add_time = [&](const std::string& clause, int64_t value) {
    absl::StrAppend(&where, where.empty() ? " WHERE " : " AND ", clause);
    int_args.push_back(value);
  };
  if (request.has_submitted_after()) {
    add_time("submit_time >= ?",
             store::ToStoredTime(store::FromProtoTime(request.submitted_after())));
  }
  if (request.has_submitted_before()) {
    add_time("submit_time < ?",
             store::ToStoredTime(store::FromProtoTime(request.submitted_before())));
  }
  std::optional<PageCursor> after;
  if (!request.page_token().empty()) {
    ASSIGN_OR_RETURN(after, DecodeCursor(request.page_token()));
    absl::StrAppend(&where, where.empty() ? " WHERE " : " AND ",
                    "(submit_time < ? OR (submit_time = ? AND id < ?))");
  }
  const int page_size = PageSize(request.page_size(), 20, 100);
  const std::string sql = absl::StrCat("SELECT record, submit_time, id FROM applications", where,
                                       " ORDER BY submit_time DESC, id DESC LIMIT ?");
  intake::v1::ListApplicationsResponse response;
  RETURN_IF_ERROR(deps_.db->Read([&](SQLite::Database& db) {
    SQLite::Statement select(db, sql);
    int n = 1;
    for (const auto& v : text_args) select.bind(n++, v);
    for (int64_t v : int_args) select.bind(n++, v);
    if (after.has_value()) {
      select.bind(n++, after->time);
      select.bind(n++, after->time);
      select.bind(n++, after->id);
    }
    select.bind(n++, page_size + 1);
    PageCursor last;
    while (select.executeStep()) {
      if (response.applications_size() == page_size) {
        response.set_next_page_token(EncodeCursor(last));
        break;
      }
      const SQLite::Column record = select.getColumn(0);
      intake::v1::Application* a = response.add_applications();
      a->ParseFromArray(record.getBlob(), record.getBytes());
      last = {select.getColumn(1).getInt64(), select.getColumn(2).getString()};
    }
    return absl::OkStatus();
  }));
  const absl::Time now = deps_.clock->Now();
  for (auto& a : *response.mutable_applications()) Decorate(&a, now);
  return response;
}

absl::StatusOr<intake::v1::Requirements> Applications::GetRequirements(
    const auth::v1::Principal& principal, const intake::v1::GetRequirementsRequest& request) {
  if (request.implementation_code().empty()) {
    return absl::InvalidArgumentError("implementation_code: required");
  }
  std::string holder;
  switch (principal.kind()) {
    case auth::v1::CITIZEN:
    case auth::v1::ENTERPRISE:
      holder = principal.subject();
      break;
    case auth::v1::STAFF:
    case auth::v1::SERVICE:
      // A clerk looks at a walk-in applicant's wallet only while helping
      // them; without an applicant there is no wallet to look at.
      if (principal.kind() == auth::v1::STAFF) {
        RETURN_IF_ERROR(auth::RequireRole(principal, auth::kRoleClerk));
      }
      holder = request.applicant_id();
      break;
    default:
      break;
  }
  absl::StatusOr<Guide> guide =
      deps_.guides->Get(request.implementation_code(), request.catalog_revision());
  if (!guide.ok()) {
    if (guide.status().code() == absl::StatusCode::kNotFound) {
      return absl::NotFoundError(
          absl::StrCat("item ", request.implementation_code(), " not found"));
    }
    return guide.status();
  }
  const catalog::v1::Implementation& item = **guide;
  absl::flat_hash_set<std::string> types;
  for (const auto& m : item.guide().materials()) {
    if (!m.licence_type().empty()) types.insert(m.licence_type());
  }
  absl::flat_hash_map<std::string, intake::v1::Licence> held;
  if (!holder.empty() && !types.empty()) {
    const absl::Time now = deps_.clock->Now();
    RETURN_IF_ERROR(deps_.db->Read([&](SQLite::Database& db) {
      held = deps_.licences->FindValid(db, holder, types, now);
      return absl::OkStatus();
    }));
  }
  intake::v1::Requirements out;
  out.set_implementation_code(item.implementation_code());
  out.set_catalog_revision(item.revision());
  out.set_item_name(item.name());
  for (const auto& m : item.guide().materials()) {
    intake::v1::RequiredMaterial* r = out.add_materials();
    r->set_guide_material_id(m.material_id());
    r->set_name(m.name());
    r->set_required(m.required());
    r->set_licence_type(m.licence_type());
    auto licence = held.find(m.licence_type());
    if (!m.licence_type().empty() && licence != held.end()) {
      *r->mutable_held_licence() = licence->second;
    }
  }
  const MaterialLimits& limits = deps_.materials->limits();
  out.set_max_material_bytes(limits.max_material_bytes);
  out.set_max_application_bytes(limits.max_application_bytes);
  for (FileType type : {FileType::kPdf, FileType::kJpeg, FileType::kPng, FileType::kOfd}) {
    out.add_accepted_types(MimeType(type));
  }
  return out;
}

}  // namespace onewindow::intake
