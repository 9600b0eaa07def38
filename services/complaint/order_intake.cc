#include "services/complaint/order_intake.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/auth/access.h"
#include "libs/codes/credit_code.h"
#include "libs/codes/item_code.h"
#include "libs/codes/phone.h"
#include "libs/codes/region_code.h"
#include "libs/status/macros.h"
#include "libs/store/times.h"
#include "services/complaint/access.h"

namespace onewindow::complaint {
namespace {

using complaint::v1::WorkOrder;

constexpr size_t kMaxTitleBytes = 200;
constexpr size_t kMaxDescriptionBytes = 8000;
constexpr size_t kMaxShortBytes = 128;
// Urgency makes a department answer the same day and wakes its staff by SMS
// at night, so those who triage for the platform judge it, not the filer.
constexpr char kUrgentNotYours[] =
    "urgent: the 12345 hotline, a window clerk or the dispatcher marks a matter urgent; for an "
    "urgent matter call 12345";

void CheckLength(const std::string& value, size_t max, const char* field,
                 std::vector<std::string>* problems) {
  if (value.size() > max) problems->push_back(absl::StrCat(field, ": longer than ", max, " bytes"));
}

void CheckLocation(const complaint::v1::Location& location, std::vector<std::string>* problems) {
  if (location.has_coordinates()) {
    const auto& c = location.coordinates();
    if (!(c.latitude() >= -90 && c.latitude() <= 90)) {
      problems->push_back("location.coordinates.latitude: must be -90..90");
    }
    if (!(c.longitude() >= -180 && c.longitude() <= 180)) {
      problems->push_back("location.coordinates.longitude: must be -180..180");
    }
  }
  CheckLength(location.address(), 500, "location.address", problems);
  if (!location.region_code().empty() && !codes::ValidateRegionCode(location.region_code()).ok()) {
    problems->push_back("location.region_code: not a 12-digit division code");
  }
}

void CheckContact(const std::string& phone, const std::string& email, const std::string& name,
                  const char* prefix, std::vector<std::string>* problems) {
  if (!phone.empty() && !codes::ValidatePhone(phone).ok()) {
    problems->push_back(absl::StrCat(prefix, "phone: not an 11-digit mobile number"));
  }
  if (!email.empty() && (email.size() > 254 || !absl::StrContains(email, "@"))) {
    problems->push_back(absl::StrCat(prefix, "email: not an e-mail address"));
  }
  if (name.size() > 100) problems->push_back(absl::StrCat(prefix, "name: longer than 100 bytes"));
}

// Only reports may be anonymous (DOMAIN.md: 举报).
void CheckAnonymous(const WorkOrder& order, std::vector<std::string>* problems) {
  if (order.complainant().anonymous() && order.kind() != complaint::v1::REPORT) {
    problems->push_back("anonymous: only a REPORT may be anonymous");
  }
}

}  // namespace

void OrderIntake::CheckCommon(WorkOrder& order, std::vector<std::string>* problems) const {
  if (!order.category_code().empty()) {
    absl::StatusOr<complaint::v1::Category> category = categories_->Get(order.category_code());
    if (!category.ok()) {
      problems->push_back("category_code: unknown category");
    } else {
      if (order.kind() == complaint::v1::TICKET_KIND_UNSPECIFIED) order.set_kind(category->kind());
      if (order.kind() != category->kind()) {
        problems->push_back(absl::StrCat("kind: category ", category->code(), " takes ",
                                         complaint::v1::TicketKind_Name(category->kind())));
      }
      CheckAnswers(*category, order.attributes(), problems);
    }
  } else if (!order.attributes().empty()) {
    problems->push_back("attributes: need a category_code");
  }
  if (order.kind() == complaint::v1::TICKET_KIND_UNSPECIFIED ||
      order.kind() == complaint::v1::RECTIFICATION ||
      !complaint::v1::TicketKind_IsValid(order.kind())) {
    problems->push_back(
        "kind: one of CONSULTATION, HELP_REQUEST, COMPLAINT, REPORT, SUGGESTION, PRAISE");
  }
  if (order.title().empty()) problems->push_back("title: required");
  CheckLength(order.title(), kMaxTitleBytes, "title", problems);
  CheckLength(order.description(), kMaxDescriptionBytes, "description", problems);
  CheckLocation(order.location(), problems);
  CheckLength(order.application_id(), kMaxShortBytes, "application_id", problems);
  if (!order.implementation_code().empty() &&
      !codes::ValidateImplementationCode(order.implementation_code()).ok()) {
    problems->push_back("implementation_code: not an implementation code");
  }
  if (!order.department_id().empty() && !codes::ValidateCreditCode(order.department_id()).ok()) {
    problems->push_back("department_id: not a unified social credit code");
  }
  if (!order.media_url().empty() && !absl::StartsWith(order.media_url(), "https://") &&
      !absl::StartsWith(order.media_url(), "http://")) {
    problems->push_back("media_url: must be an http(s) URL");
  }
  CheckLength(order.media_url(), 2000, "media_url", problems);
  CheckAnonymous(order, problems);
}

std::vector<Notice> OrderIntake::Receive(StoredOrder& stored, absl::Time now,
                                         const std::string& actor) const {
  WorkOrder& order = stored.order;
  order.set_state(complaint::v1::RECEIVED);
  *order.mutable_receive_time() = store::ToProtoTime(now);
  stored.clock_start = now;
  *order.mutable_due_time() =
      store::ToProtoTime(DeadlineFrom(env_, now, order.kind(), order.urgent()));
  Record(order, now, "received", actor);
  std::vector<Notice> notices;
  if (!order.complainant().account_id().empty()) {
    notices.push_back({kReceived, order.complainant().account_id(), OrderParams(order), false});
  }
  if (std::optional<complaint::v1::DispatchRule> rule = rules_->Match(order); rule.has_value()) {
    order.set_state(complaint::v1::DISPATCHED);
    order.set_assigned_department_id(rule->target_department_id());
    *order.mutable_dispatch_time() = store::ToProtoTime(now);
    Record(order, now, "dispatched", "system", absl::StrCat("rule ", rule->rule_id()));
    notices.push_back({kDispatched, DepartmentRecipient(rule->target_department_id()),
                       OrderParams(order), order.urgent()});
  }
  return notices;
}

absl::StatusOr<WorkOrder> OrderIntake::IngestHotline(
    const auth::v1::Principal& caller, const complaint::v1::IngestHotlineTicketRequest& request,
    bool* created) {
  RETURN_IF_ERROR(
      auth::RequireKind(caller, {auth::v1::SERVICE, auth::v1::STAFF, auth::v1::PLATFORM_ADMIN}));
  if (caller.kind() == auth::v1::STAFF) {
    RETURN_IF_ERROR(auth::RequireRole(caller, auth::kRoleComplaintHandler));
  }
  StoredOrder stored;
  WorkOrder& order = stored.order;
  order.set_work_order_id(NewWorkOrderId());
  order.set_kind(request.kind());
  order.set_title(request.title());
  order.set_description(request.description());
  order.set_hotline_id(request.hotline_id());
  order.set_hotline_ticket_id(request.hotline_ticket_id());
  order.set_channel(complaint::v1::HOTLINE);
  order.set_category_code(request.category_code());
  *order.mutable_location() = request.location();
  order.set_application_id(request.application_id());
  order.set_implementation_code(request.implementation_code());
  order.set_department_id(request.department_id());
  order.set_urgent(request.urgent());
  complaint::v1::Complainant* c = order.mutable_complainant();
  c->set_anonymous(request.anonymous());
  if (!request.anonymous()) {
    c->set_name(request.caller_name());
    c->set_phone(request.caller_phone());
  }

  std::vector<std::string> problems;
  // The 12345 centre triages: its systems and dispatchers mark a ticket
  // urgent; a department's handler filing one does not.
  if (request.urgent() && caller.kind() == auth::v1::STAFF && !IsDispatcher(caller, *env_.policy)) {
    problems.push_back(kUrgentNotYours);
  }
  if (request.hotline_id().empty()) problems.push_back("hotline_id: required");
  if (request.hotline_ticket_id().empty()) problems.push_back("hotline_ticket_id: required");
  CheckLength(request.hotline_id(), kMaxShortBytes, "hotline_id", &problems);
  CheckLength(request.hotline_ticket_id(), kMaxShortBytes, "hotline_ticket_id", &problems);
  CheckContact(request.caller_phone(), "", request.caller_name(), "caller_", &problems);
  CheckCommon(order, &problems);
  if (!problems.empty()) return absl::InvalidArgumentError(absl::StrJoin(problems, "; "));

  const absl::Time now = env_.clock->Now();
  bool inserted = false;
  RETURN_IF_ERROR(env_.db->WriteGrouped([&](store::Connection& tx) -> absl::Status {
    std::optional<StoredOrder> existing =
        WorkOrderStore::FindByHotline(tx, request.hotline_id(), request.hotline_ticket_id());
    if (existing.has_value()) {
      stored = *std::move(existing);
      return absl::OkStatus();
    }
    std::vector<Notice> notices =
        Receive(stored, now, absl::StrCat("hotline:", request.hotline_id()));
    inserted = true;
    return InsertOrder(tx, stored, notices, now);
  }));
  if (created != nullptr) *created = inserted;
  // A repeated ticket id is answered as the caller may see that order: the
  // id alone must not reveal another hotline's caller.
  if (!inserted) {
    const Viewer viewer = ClassifyViewer(&caller, stored.order, *env_.policy);
    // Someone who may not see the order (another department's handler)
    // learns only that the ticket was taken in, not what it says.
    if (viewer == Viewer::kNobody) {
      // Its number still lets a filer retrying after a lost answer find
      // it again through those who may.
      return absl::AlreadyExistsError(absl::StrCat(
          "hotline ticket ", request.hotline_id(), "/", request.hotline_ticket_id(),
          " is already work order ", stored.order.number(), ", which you may not see"));
    }
    return Redact(std::move(stored.order), viewer);
  }
  return stored.order;
}

absl::StatusOr<WorkOrder> OrderIntake::Submit(const auth::v1::Principal* caller,
                                              const complaint::v1::SubmitWorkOrderRequest& request,
                                              bool* created) {
  StoredOrder stored;
  WorkOrder& order = stored.order;
  order.set_work_order_id(NewWorkOrderId());
  order.set_kind(request.kind());
  order.set_title(request.title());
  order.set_description(request.description());
  order.set_category_code(request.category_code());
  *order.mutable_location() = request.location();
  order.set_application_id(request.application_id());
  order.set_implementation_code(request.implementation_code());
  order.set_department_id(request.department_id());
  order.set_urgent(request.urgent());
  *order.mutable_attributes() = request.attributes();
  order.set_media_url(request.media_url());

  std::vector<std::string> problems;
  complaint::v1::Complainant* c = order.mutable_complainant();
  c->set_anonymous(request.anonymous());
  c->set_name(request.contact_name());
  c->set_phone(request.contact_phone());
  c->set_email(request.contact_email());
  CheckContact(request.contact_phone(), request.contact_email(), request.contact_name(), "contact_",
               &problems);
  CheckLength(request.request_id(), kMaxShortBytes, "request_id", &problems);
  std::string actor;
  // Only window clerks (staff) file urgent matters here.
  if (request.urgent() && (caller == nullptr || caller->kind() != auth::v1::STAFF)) {
    problems.push_back(kUrgentNotYours);
  }
  if (caller == nullptr) {
    // Anyone may report anonymously; nothing about them is kept. A report
    // may leave its kind to its category, as a signed-in one may.
    complaint::v1::TicketKind kind = order.kind();
    if (kind == complaint::v1::TICKET_KIND_UNSPECIFIED && !order.category_code().empty()) {
      if (absl::StatusOr<complaint::v1::Category> category =
              categories_->Get(order.category_code());
          category.ok()) {
        kind = category->kind();
      }
    }
    if (!request.anonymous() || kind != complaint::v1::REPORT) {
      return absl::UnauthenticatedError("sign in to file this; only a REPORT may be anonymous");
    }
    c->Clear();
    c->set_anonymous(true);
    order.set_channel(request.channel() == complaint::v1::APP ? complaint::v1::APP
                                                              : complaint::v1::WEB);
    actor = "citizen";
  } else {
    switch (caller->kind()) {
      case auth::v1::CITIZEN:
      case auth::v1::ENTERPRISE:
        if (request.channel() != complaint::v1::CHANNEL_UNSPECIFIED &&
            request.channel() != complaint::v1::WEB && request.channel() != complaint::v1::APP) {
          problems.push_back("channel: WEB or APP");
        }
        if (!request.citizen_account_id().empty()) {
          problems.push_back("citizen_account_id: only window staff set it");
        }
        order.set_channel(request.channel() == complaint::v1::APP ? complaint::v1::APP
                                                                  : complaint::v1::WEB);
        // Kept for an anonymous report too, so its filer can follow it;
        // Redact() shows it to nobody else.
        c->set_account_id(caller->subject());
        if (c->name().empty()) c->set_name(caller->display_name());
        actor = "citizen";
        break;
      case auth::v1::STAFF:
        // Window clerks file for walk-ins, as they submit applications; a
        // reviewer or approver of any department does not.
        RETURN_IF_ERROR(auth::RequireRole(*caller, auth::kRoleClerk));
        CheckLength(request.citizen_account_id(), kMaxShortBytes, "citizen_account_id", &problems);
        order.set_channel(complaint::v1::WINDOW);
        c->set_account_id(request.citizen_account_id());
        actor = caller->department_id();
        break;
      case auth::v1::SERVICE:
        if (request.channel() != complaint::v1::OPEN311) {
          problems.push_back("channel: services file through OPEN311");
        }
        order.set_channel(complaint::v1::OPEN311);
        actor = "open311";
        break;
      default:
        return absl::PermissionDeniedError(
            "citizens, enterprises, window staff and Open311 file work orders");
    }
  }
  CheckCommon(order, &problems);
  if (!problems.empty()) return absl::InvalidArgumentError(absl::StrJoin(problems, "; "));
  if (caller != nullptr && !request.request_id().empty()) {
    stored.request_key = absl::StrCat(caller->subject(), "/", request.request_id());
  }

  const absl::Time now = env_.clock->Now();
  bool inserted = false;
  RETURN_IF_ERROR(env_.db->WriteGrouped([&](store::Connection& tx) -> absl::Status {
    if (!stored.request_key.empty()) {
      std::optional<StoredOrder> existing =
          WorkOrderStore::FindByRequestKey(tx, stored.request_key);
      if (existing.has_value()) {
        stored = *std::move(existing);
        return absl::OkStatus();
      }
    }
    std::vector<Notice> notices = Receive(stored, now, actor);
    inserted = true;
    return InsertOrder(tx, stored, notices, now);
  }));
  if (created != nullptr) *created = inserted;
  return stored.order;
}

}  // namespace onewindow::complaint
