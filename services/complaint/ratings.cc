#include "services/complaint/ratings.h"

#include <SQLiteCpp/Statement.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/auth/access.h"
#include "libs/auth/random.h"
#include "libs/status/macros.h"
#include "libs/store/times.h"

namespace onewindow::complaint {
namespace {

using complaint::v1::Rating;

constexpr size_t kMaxTextBytes = 2000;

void CheckIndicator(int value, const char* field, std::vector<std::string>* problems) {
  if (value < 0 || value > 5) problems->push_back(absl::StrCat(field, ": 1..5, or 0 for none"));
}

std::optional<Rating> FindRating(store::Connection& db, const std::string& application_id) {
  SQLite::Statement q(db, "SELECT body FROM ratings WHERE application_id = ?");
  q.bind(1, application_id);
  if (!q.executeStep()) return std::nullopt;
  Rating rating;
  const SQLite::Column body = q.getColumn(0);
  if (!rating.ParseFromArray(body.getBlob(), body.getBytes())) {
    throw std::runtime_error("rating body does not parse");
  }
  return rating;
}

void InsertRating(store::Connection& db, const Rating& r) {
  SQLite::Statement insert(db,
                           "INSERT INTO ratings (rating_id, application_id, rater_id,"
                           " department_id, implementation_code, region_code, level, create_time,"
                           " body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  const std::string body = r.SerializeAsString();
  insert.bind(1, r.rating_id());
  insert.bind(2, r.application_id());
  insert.bind(3, r.rater_id());
  insert.bind(4, r.department_id());
  insert.bind(5, r.implementation_code());
  insert.bind(6, r.region_code());
  insert.bind(7, r.level());
  insert.bind(8, static_cast<int64_t>(store::ToStoredTime(store::FromProtoTime(r.create_time()))));
  insert.bind(9, body.data(), static_cast<int>(body.size()));
  insert.exec();
}

bool SameRating(const Rating& r, const complaint::v1::RateApplicationRequest& request) {
  return r.level() == request.level() && r.text() == request.text() &&
         r.efficiency() == request.efficiency() && r.guide_accuracy() == request.guide_accuracy() &&
         r.convenience() == request.convenience() && r.usability() == request.usability();
}

// The rectification order a bad rating opens: already with the department.
StoredOrder RectificationOrder(const Env& env, const Rating& rating,
                               const auth::v1::Principal& rater, absl::Time now) {
  StoredOrder stored;
  complaint::v1::WorkOrder& o = stored.order;
  o.set_work_order_id(NewWorkOrderId());
  o.set_kind(complaint::v1::RECTIFICATION);
  o.set_channel(complaint::v1::RATING);
  o.set_title(
      absl::StrCat("差评整改 Rectification: ",
                   rating.item_name().empty() ? rating.implementation_code() : rating.item_name(),
                   " (", rating.application_number(), ")"));
  o.set_description(rating.text());
  o.set_application_id(rating.application_id());
  o.set_implementation_code(rating.implementation_code());
  o.set_department_id(rating.department_id());
  o.set_assigned_department_id(rating.department_id());
  o.mutable_location()->set_region_code(rating.region_code());
  o.set_rating_id(rating.rating_id());
  // What the follow-up to the rater names (see Lifecycle::Reply).
  (*o.mutable_attributes())["application_number"] = rating.application_number();
  (*o.mutable_attributes())["item_name"] = rating.item_name();
  (*o.mutable_attributes())["level"] = absl::StrCat(rating.level());
  o.mutable_complainant()->set_account_id(rater.subject());
  o.mutable_complainant()->set_name(rater.display_name());
  o.set_state(complaint::v1::RECEIVED);
  *o.mutable_receive_time() = store::ToProtoTime(now);
  stored.clock_start = now;
  *o.mutable_due_time() =
      store::ToProtoTime(DeadlineFrom(env, now, complaint::v1::RECTIFICATION, false));
  Record(o, now, "received", "system", absl::StrCat("rating ", rating.rating_id()));
  o.set_state(complaint::v1::DISPATCHED);
  *o.mutable_dispatch_time() = store::ToProtoTime(now);
  Record(o, now, "dispatched", "system", "the rated item's department");
  return stored;
}

}  // namespace

absl::StatusOr<Rating> Ratings::Rate(const auth::v1::Principal& caller,
                                     const complaint::v1::RateApplicationRequest& request,
                                     bool* created) {
  RETURN_IF_ERROR(auth::RequireKind(caller, {auth::v1::CITIZEN, auth::v1::ENTERPRISE}));
  std::vector<std::string> problems;
  if (request.application_id().empty()) problems.push_back("application_id: required");
  if (request.application_id().size() > 128) problems.push_back("application_id: too long");
  if (request.level() < 1 || request.level() > 5) problems.push_back("level: 1..5");
  if (request.text().size() > kMaxTextBytes) {
    problems.push_back(absl::StrCat("text: longer than ", kMaxTextBytes, " bytes"));
  }
  CheckIndicator(request.efficiency(), "efficiency", &problems);
  CheckIndicator(request.guide_accuracy(), "guide_accuracy", &problems);
  CheckIndicator(request.convenience(), "convenience", &problems);
  CheckIndicator(request.usability(), "usability", &problems);
  if (!problems.empty()) return absl::InvalidArgumentError(absl::StrJoin(problems, "; "));

  ASSIGN_OR_RETURN(ApplicationFacts facts, directory_->Lookup(request.application_id()));
  // Someone else's application looks exactly like a missing one.
  RETURN_IF_ERROR(auth::RequireOwner(caller, facts.applicant_id));
  if (!IsClosed(facts.status)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "application ", facts.number, " is ", intake::v1::ApplicationStatus_Name(facts.status),
        "; it can be rated once it is closed"));
  }
  if (facts.department_id.empty()) {
    return absl::FailedPreconditionError("the application's department is unknown");
  }

  const absl::Time now = env_.clock->Now();
  Rating rating;
  bool inserted = false;
  RETURN_IF_ERROR(env_.db->Write([&](store::Connection& tx) -> absl::Status {
    if (std::optional<Rating> existing = FindRating(tx, request.application_id());
        existing.has_value()) {
      if (!SameRating(*existing, request)) {
        return absl::AlreadyExistsError(
            absl::StrCat("application ", facts.number, " has been rated already"));
      }
      rating = *std::move(existing);
      return absl::OkStatus();
    }
    rating.set_rating_id(absl::StrCat("rt_", auth::RandomHex(12)));
    rating.set_application_id(facts.application_id);
    rating.set_application_number(facts.number);
    rating.set_implementation_code(facts.implementation_code);
    rating.set_item_name(facts.item_name);
    rating.set_department_id(facts.department_id);
    rating.set_region_code(facts.region_code);
    rating.set_level(request.level());
    rating.set_text(request.text());
    rating.set_rater_id(caller.subject());
    *rating.mutable_create_time() = store::ToProtoTime(now);
    rating.set_efficiency(request.efficiency());
    rating.set_guide_accuracy(request.guide_accuracy());
    rating.set_convenience(request.convenience());
    rating.set_usability(request.usability());

    std::map<std::string, std::string> params = {{"level", absl::StrCat(rating.level())},
                                                 {"item_name", rating.item_name()},
                                                 {"number", rating.application_number()}};
    if (IsBadRating(rating.level())) {
      StoredOrder order = RectificationOrder(env_, rating, caller, now);
      rating.set_rectification_work_order_id(order.order.work_order_id());
      std::map<std::string, std::string> order_params = OrderParams(order.order);
      order_params.insert(params.begin(), params.end());
      RETURN_IF_ERROR(
          InsertOrder(tx, order,
                      {{kRectificationOpened, DepartmentRecipient(rating.department_id()),
                        order_params, false}},
                      now));
    }
    InsertRating(tx, rating);
    inserted = true;
    return EnqueueNotices(tx, rating.rating_id(), rating.rating_id(),
                          {{kRatingReceived, caller.subject(), params, false},
                           {kRatingSubmitted, DepartmentRecipient(rating.department_id()), params,
                            IsBadRating(rating.level())}},
                          now);
  }));
  if (created != nullptr) *created = inserted;
  return rating;
}

}  // namespace onewindow::complaint
