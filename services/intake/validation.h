#pragma once

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "onewindow/catalog/v1/items.pb.h"
#include "onewindow/intake/v1/intake.pb.h"
#include "services/intake/ids.h"
#include "services/intake/materials.h"

// Checks of a submission, as plain functions over plain data so each rule
// is testable alone. Problems are collected, never returned one at a time:
// an applicant hears about everything wrong at once (一次性告知).

namespace onewindow::intake {

// Problems visible from the request alone (sizes, required fields, enum
// values). More attachments than `limits` allow is one problem, reported
// without going through them: each would cost a lookup, and each its line.
std::vector<std::string> RequestProblems(const intake::v1::SubmitApplicationRequest& request,
                                         const MaterialLimits& limits);

// Licence types worth looking up for this request: those of guide
// materials the request attaches no upload to.
absl::flat_hash_set<std::string> WantedLicenceTypes(
    const catalog::v1::Implementation& guide, const intake::v1::SubmitApplicationRequest& request);

struct GuideCheck {
  const catalog::v1::Implementation* guide = nullptr;
  const intake::v1::SubmitApplicationRequest* request = nullptr;
  intake::v1::Channel channel = intake::v1::ONLINE;
  catalog::v1::ApplicantKind applicant_kind = catalog::v1::NATURAL_PERSON;
  // Uploads among those the request names that the applicant owns.
  const absl::flat_hash_map<std::string, intake::v1::Material>* owned = nullptr;
  // Valid licences the applicant holds, by type.
  const absl::flat_hash_map<std::string, intake::v1::Licence>* licences = nullptr;
  MaterialLimits limits;
  // False when the applicant is not known (a clerk's request without one):
  // whose uploads and licences they are cannot be told, so neither is
  // judged, only what the guide says alone.
  bool applicant_known = true;
};

// Checks the request against the guide at its revision: the item is open,
// takes this applicant kind and channel, every attachment names a guide
// material and an upload of the applicant's, sizes fit, and every required
// material is uploaded or satisfied by a licence held. On success fills
// `materials` with the application's materials list (licences attached
// where nothing was uploaded); otherwise returns every problem.
std::vector<std::string> CheckAgainstGuide(const GuideCheck& check,
                                           std::vector<intake::v1::ApplicationMaterial>* materials);

// INVALID_ARGUMENT listing `problems`, or OK when there are none.
absl::Status ProblemsStatus(const std::vector<std::string>& problems);

}  // namespace onewindow::intake
