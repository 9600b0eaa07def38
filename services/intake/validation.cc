#include "services/intake/validation.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/codes/utf8.h"

namespace onewindow::intake {
namespace {

constexpr int kMaxFormFields = 200;
constexpr size_t kMaxFormKeyBytes = 128;
constexpr size_t kMaxFormValueBytes = 8 * 1024;
constexpr size_t kMaxFormBytes = 64 * 1024;
constexpr size_t kMaxAddressBytes = 512;

bool AcceptsChannel(const catalog::v1::Guide& guide, intake::v1::Channel channel) {
  switch (channel) {
    case intake::v1::WINDOW:
      // A window application needs a window to apply at.
      return guide.windows_size() > 0;
    case intake::v1::ONLINE:
    case intake::v1::HOTLINE:
      // A hotline agent applies online on the caller's behalf.
      return guide.online_depth() != catalog::v1::INFORMATION_ONLY;
    default:
      return false;
  }
}

const char* ChannelLabel(intake::v1::Channel channel) {
  switch (channel) {
    case intake::v1::WINDOW:
      return "at a window";
    case intake::v1::HOTLINE:
      return "through the hotline";
    default:
      return "online";
  }
}

}  // namespace

absl::Status ProblemsStatus(const std::vector<std::string>& problems) {
  if (problems.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrJoin(problems, "; "));
}

std::vector<std::string> RequestProblems(const intake::v1::SubmitApplicationRequest& request,
                                         const MaterialLimits& limits) {
  std::vector<std::string> problems;
  if (request.request_id().empty()) {
    problems.push_back("request_id: required (the Idempotency-Key header)");
  } else if (request.request_id().size() > kMaxIdBytes) {
    problems.push_back(absl::StrCat("request_id: longer than ", kMaxIdBytes, " bytes"));
  }
  if (request.applicant_id().size() > kMaxIdBytes) {
    problems.push_back(absl::StrCat("applicant_id: longer than ", kMaxIdBytes, " bytes"));
  }
  if (!catalog::v1::ApplicantKind_IsValid(request.applicant_kind())) {
    problems.push_back(absl::StrCat("applicant_kind: unknown value ", request.applicant_kind()));
  }
  if (request.implementation_code().empty()) problems.push_back("implementation_code: required");
  if (request.catalog_revision() <= 0) {
    problems.push_back("catalog_revision: required (the revision of the guide applied under)");
  }
  if (request.form_size() > kMaxFormFields) {
    problems.push_back(absl::StrCat("form: more than ", kMaxFormFields, " fields"));
  }
  size_t form_bytes = 0;
  for (const auto& [key, value] : request.form()) {
    form_bytes += key.size() + value.size();
    if (key.empty()) {
      problems.push_back("form: a field has an empty name");
    } else if (key.size() > kMaxFormKeyBytes) {
      problems.push_back(absl::StrCat("form.", codes::Utf8Prefix(key, 32), "…: name longer than ",
                                      kMaxFormKeyBytes, " bytes"));
    }
    if (value.size() > kMaxFormValueBytes) {
      problems.push_back(absl::StrCat("form.", codes::Utf8Prefix(key, kMaxFormKeyBytes),
                                      ": longer than ", kMaxFormValueBytes, " bytes"));
    }
  }
  if (form_bytes > kMaxFormBytes) {
    problems.push_back(absl::StrCat("form: more than ", kMaxFormBytes, " bytes in all"));
  }
  if (request.materials_size() > limits.max_materials_per_application) {
    problems.push_back(absl::StrCat("materials: ", request.materials_size(),
                                    " files, more than the ", limits.max_materials_per_application,
                                    " an application may have"));
  } else {
    auto check_id = [&problems](int i, const char* name, const std::string& id) {
      if (id.empty()) {
        problems.push_back(absl::StrCat("materials[", i, "].", name, ": required"));
      } else if (id.size() > kMaxIdBytes) {
        problems.push_back(
            absl::StrCat("materials[", i, "].", name, ": longer than ", kMaxIdBytes, " bytes"));
      }
    };
    for (int i = 0; i < request.materials_size(); ++i) {
      check_id(i, "guide_material_id", request.materials(i).guide_material_id());
      check_id(i, "material_id", request.materials(i).material_id());
    }
  }
  if (!intake::v1::DeliveryMethod_IsValid(request.delivery_method())) {
    problems.push_back(absl::StrCat("delivery_method: unknown value ", request.delivery_method()));
  }
  if (request.delivery_method() == intake::v1::POST && request.postal_address().empty()) {
    problems.push_back("postal_address: required for delivery by post");
  }
  if (request.postal_address().size() > kMaxAddressBytes) {
    problems.push_back(absl::StrCat("postal_address: longer than ", kMaxAddressBytes, " bytes"));
  }
  return problems;
}

absl::flat_hash_set<std::string> WantedLicenceTypes(
    const catalog::v1::Implementation& guide, const intake::v1::SubmitApplicationRequest& request) {
  absl::flat_hash_set<std::string> uploaded;
  for (const auto& m : request.materials()) uploaded.insert(m.guide_material_id());
  absl::flat_hash_set<std::string> types;
  for (const auto& m : guide.guide().materials()) {
    if (!m.licence_type().empty() && !uploaded.contains(m.material_id())) {
      types.insert(m.licence_type());
    }
  }
  return types;
}

std::vector<std::string> CheckAgainstGuide(
    const GuideCheck& check, std::vector<intake::v1::ApplicationMaterial>* materials) {
  const catalog::v1::Implementation& guide = *check.guide;
  const intake::v1::SubmitApplicationRequest& request = *check.request;
  std::vector<std::string> problems;

  if (guide.state() == catalog::v1::WITHDRAWN) {
    problems.push_back("implementation_code: the item is withdrawn and takes no applications");
  }
  if (guide.applicant_kinds_size() > 0) {
    bool accepted = false;
    for (int kind : guide.applicant_kinds()) accepted |= kind == check.applicant_kind;
    if (!accepted) {
      problems.push_back(absl::StrCat(
          "applicant_kind: the item does not take applications from ",
          check.applicant_kind == catalog::v1::LEGAL_PERSON ? "legal persons" : "natural persons"));
    }
  }
  if (!AcceptsChannel(guide.guide(), check.channel)) {
    problems.push_back(
        absl::StrCat("channel: the item takes no applications ", ChannelLabel(check.channel)));
  }

  absl::flat_hash_map<std::string, const catalog::v1::Material*> by_id;
  for (const auto& m : guide.guide().materials()) by_id.emplace(m.material_id(), &m);

  std::vector<intake::v1::ApplicationMaterial> out;
  absl::flat_hash_set<std::string> covered;
  absl::flat_hash_set<std::string> seen_uploads;
  int64_t total_bytes = 0;
  for (int i = 0; i < request.materials_size(); ++i) {
    const auto& attachment = request.materials(i);
    if (attachment.guide_material_id().empty() || attachment.material_id().empty()) continue;
    auto guide_material = by_id.find(attachment.guide_material_id());
    if (guide_material == by_id.end()) {
      problems.push_back(
          absl::StrCat("materials[", i, "].guide_material_id: not a material of this guide"));
      continue;
    }
    if (!check.applicant_known) {
      covered.insert(attachment.guide_material_id());
      continue;
    }
    auto upload = check.owned->find(attachment.material_id());
    if (upload == check.owned->end()) {
      problems.push_back(absl::StrCat("materials[", i, "].material_id: no such upload"));
      continue;
    }
    if (!seen_uploads.insert(attachment.material_id()).second) {
      problems.push_back(absl::StrCat("materials[", i, "].material_id: attached twice"));
      continue;
    }
    total_bytes += upload->second.size_bytes();
    covered.insert(attachment.guide_material_id());
    intake::v1::ApplicationMaterial m;
    m.set_guide_material_id(attachment.guide_material_id());
    m.set_name(guide_material->second->name());
    m.set_source(intake::v1::UPLOADED);
    m.set_material_id(attachment.material_id());
    m.set_content_type(upload->second.content_type());
    m.set_size_bytes(upload->second.size_bytes());
    out.push_back(std::move(m));
  }
  if (total_bytes > check.limits.max_application_bytes) {
    problems.push_back(absl::StrCat("materials: ", total_bytes, " bytes in all, more than the ",
                                    check.limits.max_application_bytes,
                                    " an application may have"));
  }

  // Reuse a held licence for every licence-typed material with no upload,
  // required or not: the applicant should never upload what we hold.
  std::vector<std::string> missing;
  for (const auto& gm : guide.guide().materials()) {
    if (covered.contains(gm.material_id())) continue;
    // Whether a licence covers it depends on who applies; a material no
    // licence covers is missing whoever it is.
    if (!check.applicant_known && !gm.licence_type().empty()) continue;
    if (!gm.licence_type().empty()) {
      auto held = check.licences->find(gm.licence_type());
      if (held != check.licences->end()) {
        intake::v1::ApplicationMaterial m;
        m.set_guide_material_id(gm.material_id());
        m.set_name(gm.name());
        m.set_source(intake::v1::LICENCE);
        m.set_licence_id(held->second.licence_id());
        m.set_licence_title(held->second.title());
        out.push_back(std::move(m));
        continue;
      }
    }
    if (gm.required()) missing.push_back(absl::StrCat(gm.name(), " (", gm.material_id(), ")"));
  }
  if (!missing.empty()) {
    problems.push_back(
        absl::StrCat("materials: missing required materials: ", absl::StrJoin(missing, ", ")));
  }
  if (problems.empty()) *materials = std::move(out);
  return problems;
}

}  // namespace onewindow::intake
