#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/auth/random.h"
#include "libs/store/database.h"
#include "libs/workday/calendar.h"
#include "libs/workday/clock.h"
#include "onewindow/auth/v1/principal.pb.h"
#include "onewindow/intake/v1/intake.pb.h"
#include "services/intake/application_store.h"
#include "services/intake/guides.h"
#include "services/intake/handoff.h"
#include "services/intake/licences.h"
#include "services/intake/materials.h"

namespace onewindow::intake {

struct ApplicationDeps {
  store::Database* db = nullptr;
  GuideSource* guides = nullptr;
  Materials* materials = nullptr;
  Licences* licences = nullptr;
  CaseWithdrawer* withdrawer = nullptr;
  const workday::Calendar* calendar = nullptr;
  const workday::Clock* clock = nullptr;
  // Called after events were enqueued, so the relay sends them now rather
  // than at its next poll. May be empty.
  std::function<void()> wake_relay;
};

// The applications intake accepts, from submission to delivery: the front
// desk's logic, free of gRPC. Every state change, its timeline entry and
// the events announcing it (hand-off to approval, notification of the
// applicant) are written in one transaction.
class Applications {
 public:
  explicit Applications(ApplicationDeps deps) : deps_(std::move(deps)) {}

  // Validates against the guide at the request's catalog revision and
  // stores the application with its materials list (held licences attached
  // where nothing was uploaded). Idempotent per submitter on request_id;
  // `created` (if given) tells a new application from a retry's answer.
  absl::StatusOr<intake::v1::Application> Submit(
      const auth::v1::Principal& principal, const intake::v1::SubmitApplicationRequest& request,
      bool* created = nullptr);

  // What Submit returns, and whether the application is new.
  using SubmitDone =
      absl::AnyInvocable<void(absl::StatusOr<intake::v1::Application> result, bool created)>;
  // Submit without a thread waiting for the commit: `done` runs once, on
  // this thread when the request is refused before anything is written,
  // otherwise on the store's completing thread once the group commit that
  // holds the application is durable. `principal` and `request` must live
  // until then. This is how the gRPC handler serves many submissions with
  // few threads.
  void SubmitAsync(const auth::v1::Principal& principal,
                   const intake::v1::SubmitApplicationRequest& request, SubmitDone done);

  // With its timeline; NOT_FOUND for whoever may not read it.
  absl::StatusOr<intake::v1::Application> Get(const auth::v1::Principal& principal,
                                              const std::string& application_id);

  // Progress for whoever holds the number and query code of the receipt:
  // no principal needed. NOT_FOUND alike for an unknown number and a wrong
  // code; INVALID_ARGUMENT naming each malformed field.
  absl::StatusOr<intake::v1::Progress> LookupProgress(
      const intake::v1::LookupProgressRequest& request);

  // Counts per status. Operators and platform admins see everything (or one
  // department); staff only their own department.
  absl::StatusOr<intake::v1::ApplicationStats> Stats(
      const auth::v1::Principal& principal, const intake::v1::GetApplicationStatsRequest& request,
      absl::Time now);

  absl::StatusOr<intake::v1::ListApplicationsResponse> List(
      const auth::v1::Principal& principal, const intake::v1::ListApplicationsRequest& request);

  absl::StatusOr<intake::v1::Requirements> GetRequirements(
      const auth::v1::Principal& principal, const intake::v1::GetRequirementsRequest& request);

  // Approval's report of a step. Returns false when `event_id` was applied
  // before.
  absl::StatusOr<bool> RecordTransition(const auth::v1::Principal& principal,
                                        const intake::v1::RecordTransitionRequest& request);

  // RecordTransition without holding a thread while the write commits:
  // `done` gets what it would return, from the store's completing thread once the
  // write is durable (at once for a refused or invalid report). `principal`
  // and `request` must live until then. Writes started together usually
  // share one commit.
  using TransitionDone = absl::AnyInvocable<void(absl::StatusOr<bool>)>;
  void RecordTransitionAsync(const auth::v1::Principal& principal,
                             const intake::v1::RecordTransitionRequest& request,
                             TransitionDone done);

  absl::StatusOr<intake::v1::Application> Supplement(
      const auth::v1::Principal& principal,
      const intake::v1::SupplementApplicationRequest& request);

  absl::StatusOr<intake::v1::Application> Withdraw(
      const auth::v1::Principal& principal, const intake::v1::WithdrawApplicationRequest& request,
      const std::string& request_id);

  absl::StatusOr<intake::v1::Application> Deliver(const auth::v1::Principal& principal,
                                                  const intake::v1::DeliverResultRequest& request);

 private:
  struct PendingSubmission;
  // SubmitAsync once the guide is known (or known to be unavailable).
  void SubmitWithGuide(std::shared_ptr<PendingSubmission> pending, absl::StatusOr<Guide> guide,
                       SubmitDone done);
  // A submission already refused for `problems` of its own: adds what the
  // guide `item` refuses too, each field once (一次性告知). Reads; changes
  // nothing.
  void AddGuideProblems(const PendingSubmission& pending, const catalog::v1::Implementation& item,
                        std::vector<std::string>* problems);
  // The checks of `pending` against the guide `item` in `db`: the
  // applicant's uploads among `material_ids` and valid licences of
  // `licence_types`. Returns every problem; fills `resolved` when none.
  std::vector<std::string> CheckWithGuide(store::Connection& db, const PendingSubmission& pending,
                                          const catalog::v1::Implementation& item,
                                          const std::vector<std::string>& material_ids,
                                          const absl::flat_hash_set<std::string>& licence_types,
                                          absl::Time now,
                                          std::vector<intake::v1::ApplicationMaterial>* resolved,
                                          bool applicant_known = true);
  // The checks against the guide and the writes of one submission, inside
  // the group commit. Repeatable: a run undone is run again from the start.
  absl::Status WriteSubmission(store::Connection& db, PendingSubmission& pending);
  // If the submission's idempotency key was used before, sets its answer
  // to the first request's (or the refusal of a different body) and says
  // true.
  bool AnswerRetry(store::Connection& db, PendingSubmission& pending);
  // Loads an application `principal` may read (NOT_FOUND otherwise).
  absl::StatusOr<intake::v1::Application> LoadReadable(const auth::v1::Principal& principal,
                                                       const std::string& application_id);
  // The same inside a transaction the caller holds.
  absl::StatusOr<intake::v1::Application> ReadableIn(store::Connection& db,
                                                     const auth::v1::Principal& principal,
                                                     const std::string& application_id);
  // Adds what is computed at read time: working days left.
  void Decorate(intake::v1::Application* application, absl::Time now) const;
  double WorkingDaysLeft(const intake::v1::Application& application, absl::Time now) const;
  absl::Time EstimatedDue(absl::Time submit_time, int limit_days) const;
  void WakeRelay() const {
    if (deps_.wake_relay) deps_.wake_relay();
  }

  ApplicationDeps deps_;
  ApplicationStore store_;
  // Application ids and query codes, a few bytes per submission.
  auth::RandomPool random_;
};

// "SQ" + the numbering day (yyyymmdd in China Standard Time) + "-" + that
// day's sequence, zero-padded to 6 digits.
std::string FormatApplicationNumber(absl::string_view day, int64_t sequence);

// The China Standard Time date a deadline falls on, as people say it:
// a limit ending at 24:00 on the 12th is due "2026-01-12".
std::string DueDateText(absl::Time due);

}  // namespace onewindow::intake
