#include "services/intake/applications.h"

#include <map>

#include <SQLiteCpp/Statement.h>

#include <cmath>
#include <memory>
#include <optional>

#include "absl/strings/str_cat.h"
#include "libs/auth/access.h"
#include "libs/status/macros.h"
#include "libs/store/await.h"
#include "libs/store/times.h"
#include "libs/workday/deadline.h"
#include "services/intake/access.h"
#include "services/intake/file_type.h"
#include "services/intake/ids.h"
#include "services/intake/paging.h"
#include "services/intake/query_code.h"
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

absl::Status KeyReused() {
  return absl::AlreadyExistsError(
      "request_id: this idempotency key was used for a different application");
}

// The catalog's NOT_FOUND for an item or revision, as a problem of the
// request naming both fields (the catalog's words say which is wrong).
std::string GuideNotFound(const absl::Status& status) {
  return absl::StrCat("implementation_code, catalog_revision: ", status.message());
}

absl::Status NotFound(const std::string& application_id) {
  return absl::NotFoundError(absl::StrCat("application ", application_id, " not found"));
}

}  // namespace

std::string FormatApplicationNumber(absl::string_view day, int64_t sequence) {
  return absl::StrCat("SQ", day, "-", absl::Dec(sequence, absl::kZeroPad6));
}

std::string DueDateText(absl::Time due) {
  return absl::FormatTime("%Y-%m-%d", due - absl::Seconds(1), workday::ChinaStandardTime());
}

absl::Time Applications::EstimatedDue(absl::Time submit_time, int limit_days) const {
  return workday::AddWorkingDays(*deps_.calendar, submit_time, limit_days);
}

double Applications::WorkingDaysLeft(const intake::v1::Application& application,
                                     absl::Time now) const {
  if (!application.has_due_time()) return 0;
  const absl::Time due = store::FromProtoTime(application.due_time());
  const double left = due >= now ? workday::WorkingDaysElapsed(*deps_.calendar, now, due)
                                 : -workday::WorkingDaysElapsed(*deps_.calendar, due, now);
  // Tenths are as precise as anyone reads a deadline.
  return std::round(left * 10) / 10;
}

void Applications::Decorate(intake::v1::Application* application, absl::Time now) const {
  application->set_working_days_left(WorkingDaysLeft(*application, now));
}

absl::StatusOr<intake::v1::Application> Applications::Submit(
    const auth::v1::Principal& principal, const intake::v1::SubmitApplicationRequest& request,
    bool* created) {
  using Outcome = std::pair<absl::StatusOr<intake::v1::Application>, bool>;
  Outcome outcome = store::Await<Outcome>([&](auto done) {
    SubmitAsync(
        principal, request,
        [done = std::move(done)](absl::StatusOr<intake::v1::Application> r, bool is_new) mutable {
          done({std::move(r), is_new});
        });
  });
  if (created != nullptr) *created = outcome.second;
  return std::move(outcome.first);
}

// One submission between its checks on the caller's thread and its answer
// on the store's completing thread.
struct Applications::PendingSubmission {
  const auth::v1::Principal* principal = nullptr;
  const intake::v1::SubmitApplicationRequest* request = nullptr;
  Submitter submitter;
  std::string hash;
  Guide guide;
  absl::Time now;
  intake::v1::Application application;
  intake::v1::TimelineEntry submitted;
  std::vector<std::string> material_ids;
  absl::flat_hash_set<std::string> licence_types;
  std::string day;
  SubmissionHandoffs handoffs;
  double working_days_left = 0;
  // Set when the key was used before: the answer the first request got.
  std::optional<absl::StatusOr<intake::v1::Application>> retry_answer;
};

void Applications::SubmitAsync(const auth::v1::Principal& principal,
                               const intake::v1::SubmitApplicationRequest& request,
                               SubmitDone done) {
  const MaterialLimits& limits = deps_.materials->limits();
  std::vector<std::string> problems = RequestProblems(request, limits);
  absl::StatusOr<Submitter> submitter = ResolveSubmitter(principal, request, &problems);
  if (!submitter.ok()) return done(submitter.status(), false);

  auto pending = std::make_shared<PendingSubmission>();
  PendingSubmission& p = *pending;
  p.principal = &principal;
  p.request = &request;
  p.submitter = *std::move(submitter);
  if (!problems.empty()) {
    // While the item can still be looked up, what its guide refuses as
    // well (missing materials above all) is told now, not after the
    // applicant fixed the first answer.
    if (request.implementation_code().empty() || request.catalog_revision() <= 0 ||
        request.materials_size() > limits.max_materials_per_application) {
      return done(ProblemsStatus(problems), false);
    }
    deps_.guides->GetAsync(
        request.implementation_code(), request.catalog_revision(),
        [this, pending, problems = std::move(problems),
         done = std::move(done)](absl::StatusOr<Guide> guide) mutable {
          if (guide.ok()) {
            AddGuideProblems(*pending, **guide, &problems);
          } else if (guide.status().code() == absl::StatusCode::kNotFound) {
            problems.push_back(GuideNotFound(guide.status()));
          } else if (guide.status().code() == absl::StatusCode::kInvalidArgument) {
            problems.push_back(std::string(guide.status().message()));
          }
          done(ProblemsStatus(problems), false);
        });
    return;
  }
  absl::StatusOr<std::string> hash = RequestHash(request);
  if (!hash.ok()) return done(hash.status(), false);
  p.hash = *std::move(hash);
  // The guide may need a catalog call: the rest goes on when it answers,
  // without holding this (gRPC callback) thread.
  deps_.guides->GetAsync(
      request.implementation_code(), request.catalog_revision(),
      [this, pending, done = std::move(done)](absl::StatusOr<Guide> guide) mutable {
        SubmitWithGuide(std::move(pending), std::move(guide), std::move(done));
      });
}

void Applications::SubmitWithGuide(std::shared_ptr<PendingSubmission> pending,
                                   absl::StatusOr<Guide> guide, SubmitDone done) {
  PendingSubmission& p = *pending;
  const auth::v1::Principal& principal = *p.principal;
  const intake::v1::SubmitApplicationRequest& request = *p.request;
  if (!guide.ok()) {
    // A retry gets its first answer even while the catalog cannot be asked
    // (one read: this is a gRPC callback thread).
    std::optional<absl::StatusOr<intake::v1::Application>> first_answer;
    absl::Status read = deps_.db->Read([&](store::Connection& db) {
      const std::optional<ApplicationStore::ByRequest> previous = store_.FindByRequest(
          db, p.submitter.applicant_id, principal.subject(), request.request_id());
      if (!previous.has_value()) return absl::OkStatus();
      if (previous->request_hash != p.hash) {
        first_answer = KeyReused();
      } else {
        first_answer = ReadableIn(db, principal, previous->application_id);
      }
      return absl::OkStatus();
    });
    if (!read.ok()) return done(read, false);
    if (first_answer.has_value()) {
      if (first_answer->ok()) Decorate(&**first_answer, deps_.clock->Now());
      return done(*std::move(first_answer), false);
    }
    // A malformed code comes back INVALID_ARGUMENT naming the field; an
    // unknown item or revision, NOT_FOUND saying which.
    if (guide.status().code() == absl::StatusCode::kNotFound) {
      return done(absl::InvalidArgumentError(GuideNotFound(guide.status())), false);
    }
    return done(guide.status(), false);
  }
  p.guide = *std::move(guide);
  const catalog::v1::Implementation& item = *p.guide;
  const std::string& submitted_by = principal.subject();

  p.now = deps_.clock->Now();
  intake::v1::Application& application = p.application;
  application.set_application_id(NewId("app_", p.now, random_));
  application.set_query_code(NewQueryCode(random_));
  application.set_applicant_id(p.submitter.applicant_id);
  application.set_implementation_code(request.implementation_code());
  application.set_catalog_revision(request.catalog_revision());
  *application.mutable_form() = request.form();
  application.set_status(intake::v1::SUBMITTED);
  *application.mutable_submit_time() = store::ToProtoTime(p.now);
  *application.mutable_update_time() = store::ToProtoTime(p.now);
  application.set_item_name(item.name());
  application.set_department_id(item.department_credit_code());
  application.set_applicant_kind(p.submitter.applicant_kind);
  application.set_channel(p.submitter.channel);
  application.set_submitted_by(submitted_by);
  // As approval counts the case: an instant item the same day, any other
  // by its promise (the statutory limit for a guide that promised none).
  const int limit = item.guide().handling() == catalog::v1::INSTANT ? 0
                    : item.guide().promised_limit_days() > 0 ? item.guide().promised_limit_days()
                                                             : item.guide().statutory_limit_days();
  application.set_promised_limit_days(limit);
  *application.mutable_due_time() = store::ToProtoTime(EstimatedDue(p.now, limit));
  application.mutable_delivery()->set_method(p.submitter.delivery);
  application.mutable_delivery()->set_postal_address(request.postal_address());

  p.submitted.set_status(intake::v1::SUBMITTED);
  *p.submitted.mutable_time() = application.submit_time();
  p.submitted.set_actor(submitted_by);
  p.submitted.set_note(ChannelNote(p.submitter.channel));

  p.material_ids.reserve(request.materials_size());
  for (const auto& m : request.materials()) p.material_ids.push_back(m.material_id());
  p.licence_types = WantedLicenceTypes(item, request);
  p.day = absl::FormatTime("%Y%m%d", p.now, workday::ChinaStandardTime());
  // Here rather than in the answer or the write: they run on the store's
  // completing and committing threads, which every submission waits for.
  p.handoffs =
      SubmissionHandoffs(application, DueDateText(store::FromProtoTime(application.due_time())));
  p.working_days_left = WorkingDaysLeft(application, p.now);

  // Checked and written in one transaction, the writer's: what is checked
  // cannot change before it is written, and the hot path needs no reader.
  // WriteSubmission may run twice (see WriteGroupedRepeatableAsync).
  deps_.db->WriteGroupedRepeatableAsync(
      [this, pending](store::Connection& db) { return WriteSubmission(db, *pending); },
      [this, pending, done = std::move(done)](absl::Status written) mutable {
        PendingSubmission& p = *pending;
        if (!written.ok()) return done(written, false);
        if (p.retry_answer.has_value()) {
          if (p.retry_answer->ok()) Decorate(&**p.retry_answer, p.now);
          return done(*std::move(p.retry_answer), false);
        }
        WakeRelay();
        *p.application.add_timeline() = std::move(p.submitted);
        p.application.set_working_days_left(p.working_days_left);
        done(std::move(p.application), true);
      });
}

void Applications::AddGuideProblems(const PendingSubmission& p,
                                    const catalog::v1::Implementation& item,
                                    std::vector<std::string>* problems) {
  const intake::v1::SubmitApplicationRequest& request = *p.request;
  // A field already refused (say applicant_kind missing) is not judged
  // again from its placeholder; without the applicant, neither uploads nor
  // licences can be told.
  absl::flat_hash_set<std::string> fields;
  auto field = [](const std::string& problem) { return problem.substr(0, problem.find(':')); };
  for (const std::string& problem : *problems) fields.insert(field(problem));
  const bool applicant_known = !fields.contains("applicant_id");
  std::vector<std::string> material_ids;
  for (const auto& m : request.materials()) material_ids.push_back(m.material_id());
  const absl::flat_hash_set<std::string> licence_types = WantedLicenceTypes(item, request);
  std::vector<std::string> found;
  // One read on the thread the guide came back on, as for a retry while
  // the catalog is away; a refused request is no hot path.
  const absl::Status read = deps_.db->Read([&](store::Connection& db) {
    std::vector<intake::v1::ApplicationMaterial> unused;
    found = CheckWithGuide(db, p, item, material_ids, licence_types, deps_.clock->Now(), &unused,
                           applicant_known);
    return absl::OkStatus();
  });
  // The request's own problems still go out.
  if (!read.ok()) return;
  for (std::string& problem : found) {
    if (!fields.contains(field(problem))) problems->push_back(std::move(problem));
  }
}

std::vector<std::string> Applications::CheckWithGuide(
    store::Connection& db, const PendingSubmission& p, const catalog::v1::Implementation& item,
    const std::vector<std::string>& material_ids,
    const absl::flat_hash_set<std::string>& licence_types, absl::Time now,
    std::vector<intake::v1::ApplicationMaterial>* resolved, bool applicant_known) {
  // Without the applicant nothing is theirs to find: the check judges
  // neither uploads nor licences then.
  absl::flat_hash_map<std::string, intake::v1::Material> owned;
  absl::flat_hash_map<std::string, intake::v1::Licence> licences;
  if (applicant_known) {
    owned = deps_.materials->FindOwned(db, p.submitter.applicant_id, material_ids);
    if (!licence_types.empty()) {
      licences = deps_.licences->FindValid(db, p.submitter.applicant_id, licence_types, now);
    }
  }
  GuideCheck check;
  check.guide = &item;
  check.request = p.request;
  check.channel = p.submitter.channel;
  check.applicant_kind = p.submitter.applicant_kind;
  check.owned = &owned;
  check.licences = &licences;
  check.limits = deps_.materials->limits();
  check.applicant_known = applicant_known;
  return CheckAgainstGuide(check, resolved);
}

absl::Status Applications::WriteSubmission(store::Connection& db, PendingSubmission& p) {
  const intake::v1::SubmitApplicationRequest& request = *p.request;
  intake::v1::Application& application = p.application;
  // What a run fills in, from the start: an earlier run may have been
  // undone (its materials and number are set again below).
  p.retry_answer.reset();
  std::vector<intake::v1::ApplicationMaterial> resolved;
  if (absl::Status refused = ProblemsStatus(
          CheckWithGuide(db, p, *p.guide, p.material_ids, p.licence_types, p.now, &resolved));
      !refused.ok()) {
    // A retry answers as its first request was answered, even if what
    // that request was checked against has changed since.
    if (AnswerRetry(db, p)) return absl::OkStatus();
    return refused;
  }
  application.clear_materials();
  for (auto& m : resolved) *application.add_materials() = std::move(m);

  using Inserted = ApplicationStore::Inserted;
  Inserted inserted = Inserted::kNumberTaken;
  // Twice at most: a count found behind the store is read again at once.
  for (int attempt = 0; attempt < 2 && inserted == Inserted::kNumberTaken; ++attempt) {
    const int64_t sequence = store_.NextNumber(db, p.day);
    application.set_number(FormatApplicationNumber(p.day, sequence));
    inserted =
        store_.Insert(db, application, p.day, sequence, request.request_id(), p.hash, p.submitted);
  }
  if (inserted == Inserted::kNumberTaken) {
    return absl::InternalError(
        absl::StrCat("application number ", application.number(), " is taken though counted free"));
  }
  if (inserted == Inserted::kKeyUsed) {
    // The key was used before, perhaps earlier in this same transaction by
    // a concurrent request with it: that one's answer is this one's.
    if (AnswerRetry(db, p)) return absl::OkStatus();
    return absl::InternalError("request_id: the idempotency index refused a key it does not hold");
  }
  return p.handoffs.Enqueue(db, application.number(), p.now);
}

bool Applications::AnswerRetry(store::Connection& db, PendingSubmission& p) {
  const std::optional<ApplicationStore::ByRequest> previous = store_.FindByRequest(
      db, p.submitter.applicant_id, p.principal->subject(), p.request->request_id());
  if (!previous.has_value()) return false;
  if (previous->request_hash != p.hash) {
    p.retry_answer = KeyReused();
  } else {
    p.retry_answer = ReadableIn(db, *p.principal, previous->application_id);
  }
  return true;
}

absl::StatusOr<intake::v1::Application> Applications::ReadableIn(
    store::Connection& db, const auth::v1::Principal& principal,
    const std::string& application_id) {
  std::optional<intake::v1::Application> found = store_.Load(db, application_id);
  if (!found.has_value()) return NotFound(application_id);
  RETURN_IF_ERROR(CheckMayRead(principal, *found));
  if (!MaySeeQueryCode(principal, *found)) found->clear_query_code();
  for (auto& entry : store_.Timeline(db, application_id)) *found->add_timeline() = std::move(entry);
  return *std::move(found);
}

absl::StatusOr<intake::v1::Application> Applications::LoadReadable(
    const auth::v1::Principal& principal, const std::string& application_id) {
  if (application_id.empty()) return absl::InvalidArgumentError("application_id: required");
  absl::StatusOr<intake::v1::Application> found;
  RETURN_IF_ERROR(deps_.db->Read([&](store::Connection& db) {
    found = ReadableIn(db, principal, application_id);
    return absl::OkStatus();
  }));
  return found;
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
  RETURN_IF_ERROR(deps_.db->Read([&](store::Connection& db) {
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
      return absl::InvalidArgumentError(absl::StrCat("statuses: unknown status ", status));
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
  RETURN_IF_ERROR(deps_.db->Read([&](store::Connection& db) {
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
      // Lists go to screens and exports: the code stays on the receipt.
      a->clear_query_code();
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
    RETURN_IF_ERROR(deps_.db->Read([&](store::Connection& db) {
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
