// Progress by number and query code: the one read of an application that
// needs no principal, so it answers only what the receipt's holder needs.
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/status/macros.h"
#include "services/intake/applications.h"
#include "services/intake/query_code.h"
#include "services/intake/validation.h"

namespace onewindow::intake {
namespace {

// "SQ" + 8 digits + "-" + at least 6 digits, as FormatApplicationNumber
// writes it (a day's millionth application has seven).
bool LooksLikeNumber(absl::string_view number) {
  constexpr size_t kMaxSequenceDigits = 19;  // As many as an int64 has.
  if (number.size() < 17 || number.size() > 11 + kMaxSequenceDigits ||
      !absl::StartsWith(number, "SQ") || number[10] != '-') {
    return false;
  }
  for (size_t i = 2; i < number.size(); ++i) {
    if (i != 10 && !absl::ascii_isdigit(static_cast<unsigned char>(number[i]))) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<intake::v1::Progress> Applications::LookupProgress(
    const intake::v1::LookupProgressRequest& request) {
  std::vector<std::string> problems;
  const std::string number = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(request.number()));
  if (number.empty()) {
    problems.push_back("number: required");
  } else if (!LooksLikeNumber(number)) {
    problems.push_back("number: as on the receipt, e.g. SQ20261128-000042");
  }
  absl::StatusOr<std::string> code = NormalizeQueryCode(request.query_code());
  if (!code.ok()) problems.emplace_back(code.status().message());
  RETURN_IF_ERROR(ProblemsStatus(problems));

  std::optional<intake::v1::Application> found;
  std::vector<intake::v1::TimelineEntry> timeline;
  RETURN_IF_ERROR(deps_.db->Read([&](store::Connection& db) {
    found = store_.LoadByNumber(db, number);
    // Applications from before query codes have none, and match nothing.
    if (!found.has_value() || !QueryCodesEqual(found->query_code(), *code)) {
      found.reset();
      return absl::OkStatus();
    }
    timeline = store_.Timeline(db, found->application_id());
    return absl::OkStatus();
  }));
  if (!found.has_value()) {
    return absl::NotFoundError(absl::StrCat("no application ", number, " with this query code"));
  }
  const intake::v1::Application& a = *found;
  intake::v1::Progress progress;
  progress.set_number(a.number());
  progress.set_item_name(a.item_name());
  progress.set_department_id(a.department_id());
  progress.set_status(a.status());
  *progress.mutable_submit_time() = a.submit_time();
  if (a.has_due_time()) {
    *progress.mutable_due_time() = a.due_time();
    progress.set_working_days_left(WorkingDaysLeft(a, deps_.clock->Now()));
  }
  *progress.mutable_pending_supplement() = a.pending_supplement();
  // A withdrawal's reason is the applicant's own words: nothing they need
  // told back, and not for whoever else holds the receipt.
  if (a.status() != intake::v1::WITHDRAWN) progress.set_status_reason(a.status_reason());
  progress.set_appeal(a.appeal());
  // Steps without actors or notes: who handled it and what was delivered
  // where are for signed-in readers.
  for (const intake::v1::TimelineEntry& entry : timeline) {
    intake::v1::ProgressStep* step = progress.add_steps();
    step->set_status(entry.status());
    *step->mutable_time() = entry.time();
  }
  return progress;
}

}  // namespace onewindow::intake
