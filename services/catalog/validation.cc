#include "services/catalog/validation.h"

#include <algorithm>
#include <optional>
#include <set>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "libs/codes/credit_code.h"
#include "libs/codes/item_code.h"
#include "libs/codes/region_code.h"
#include "services/catalog/text.h"

namespace onewindow::catalog {
namespace {

using catalog::v1::BasicItem;
using catalog::v1::Department;
using catalog::v1::Implementation;

enum class Lines { kOne, kMany };

// A field's name, rendered only when a problem is reported: a valid entry
// (the common case in an import of thousands) builds no strings.
struct Field {
  Field(const char* head) : head(head) {}         // NOLINT: literals name fields
  Field(absl::string_view head) : head(head) {}   // NOLINT
  Field(const std::string& head) : head(head) {}  // NOLINT
  Field(absl::string_view head, int index, absl::string_view tail)
      : head(head), index(index), tail(tail) {}
  std::string Render() const {
    return index < 0 ? std::string(head) : absl::StrCat(head, "[", index, "]", tail);
  }
  absl::string_view head;
  int index = -1;
  absl::string_view tail;
};

void Add(Problems& p, const Field& field, absl::string_view problem) {
  p.Add(field.Render(), problem);
}

// Checks a text field: presence (when required), UTF-8, length in
// characters, and no control characters on one-line fields (the store joins
// lists with U+001F).
void CheckText(Problems& p, const Field& field, absl::string_view value, bool required,
               int max_chars, Lines lines = Lines::kOne) {
  if (value.empty()) {
    if (required) Add(p, field, "required");
    return;
  }
  const int chars = CountCodePoints(value);
  if (chars < 0) {
    Add(p, field, "not valid UTF-8");
    return;
  }
  if (chars > max_chars) {
    Add(p, field, absl::StrCat("at most ", max_chars, " characters, got ", chars));
  }
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    const bool allowed_control = lines == Lines::kMany && (c == '\n' || c == '\r' || c == '\t');
    if ((u < 0x20 || u == 0x7F) && !allowed_control) {
      Add(p, field, "must not contain control characters");
      return;
    }
  }
  if (TrimSpaces(value).empty()) Add(p, field, "must not be blank");
}

void CheckCount(Problems& p, const Field& field, int count, int max) {
  if (count > max) {
    p.AddFirst(field.Render(), absl::StrCat("at most ", max, " entries, got ", count));
  }
}

// Credit code checks share one shape: format first, then existence.
const Department* CheckDepartmentRef(Problems& p, const Field& field,
                                     const std::string& credit_code, CatalogFacts& facts) {
  if (credit_code.empty()) {
    Add(p, field, "required");
    return nullptr;
  }
  absl::Status s = codes::ValidateCreditCode(credit_code);
  if (!s.ok()) {
    Add(p, field, s.message());
    return nullptr;
  }
  const Department* d = facts.FindDepartment(credit_code);
  if (d == nullptr) Add(p, field, absl::StrCat("department ", credit_code, " not found"));
  return d;
}

void CheckPhone(Problems& p, const Field& field, absl::string_view phone) {
  CheckText(p, field, phone, /*required=*/true, 64);
  if (!phone.empty() &&
      std::none_of(phone.begin(), phone.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    Add(p, field, "must contain a number to call");
  }
}

catalog::v1::ItemType ToProtoType(codes::ItemType type) {
  switch (type) {
    case codes::ItemType::kLicensing:
      return catalog::v1::LICENSING;
    case codes::ItemType::kPayment:
      return catalog::v1::PAYMENT;
    case codes::ItemType::kConfirmation:
      return catalog::v1::CONFIRMATION;
    case codes::ItemType::kAdjudication:
      return catalog::v1::ADJUDICATION;
    case codes::ItemType::kReward:
      return catalog::v1::REWARD;
    case codes::ItemType::kLevy:
      return catalog::v1::LEVY;
    case codes::ItemType::kOtherPower:
      return catalog::v1::OTHER_POWER;
    case codes::ItemType::kPublicService:
      return catalog::v1::PUBLIC_SERVICE;
  }
  return catalog::v1::ITEM_TYPE_UNSPECIFIED;
}

// Checks a list of short labels (topics, life events) and drops repeats,
// keeping the first spelling's position.
void NormalizeTags(Problems& p, absl::string_view field,
                   google::protobuf::RepeatedPtrField<std::string>* tags) {
  CheckCount(p, field, tags->size(), kMaxTags);
  std::vector<std::string> kept;
  absl::flat_hash_set<std::string> seen;
  for (int i = 0; i < std::min(tags->size(), kMaxTags); ++i) {
    const std::string& tag = tags->Get(i);
    CheckText(p, {field, i, ""}, tag, /*required=*/true, kMaxTagChars);
    if (seen.insert(tag).second) kept.push_back(tag);
  }
  if (static_cast<int>(kept.size()) != tags->size()) {
    tags->Clear();
    for (std::string& t : kept) tags->Add(std::move(t));
  }
}

void CheckWords(Problems& p, absl::string_view field,
                const google::protobuf::RepeatedPtrField<std::string>& words) {
  CheckCount(p, field, words.size(), kMaxWords);
  for (int i = 0; i < std::min(words.size(), kMaxWords); ++i) {
    CheckText(p, {field, i, ""}, words.Get(i), /*required=*/true, kMaxWordChars);
  }
}

void CheckMaterials(Problems& p, const catalog::v1::Guide& g) {
  constexpr absl::string_view kList = "implementation.guide.materials";
  if (g.materials().empty()) Add(p, kList, "at least one required");
  CheckCount(p, kList, g.materials_size(), kMaxListEntries);
  absl::flat_hash_map<absl::string_view, int> ids;
  // Entries past the limit are not gone through: refused already, each
  // would cost a line of the answer.
  for (int i = 0; i < std::min(g.materials_size(), kMaxListEntries); ++i) {
    const catalog::v1::Material& m = g.materials(i);
    CheckText(p, {kList, i, ".material_id"}, m.material_id(), /*required=*/true, 64);
    if (!m.material_id().empty()) {
      auto [it, fresh] = ids.emplace(m.material_id(), i);
      if (!fresh) {
        Add(p, {kList, i, ".material_id"}, absl::StrCat("repeats materials[", it->second, "]"));
      }
    }
    CheckText(p, {kList, i, ".name"}, m.name(), /*required=*/true, kMaxNameChars);
    if (m.form() == catalog::v1::MATERIAL_FORM_UNSPECIFIED) {
      Add(p, {kList, i, ".form"}, "required");
    } else if (!catalog::v1::MaterialForm_IsValid(m.form())) {
      Add(p, {kList, i, ".form"}, "unknown material form");
    }
    if (m.originals() < 0 || m.originals() > kMaxCopies) {
      Add(p, {kList, i, ".originals"}, absl::StrCat("must be 0..", kMaxCopies));
    }
    if (m.copies() < 0 || m.copies() > kMaxCopies) {
      Add(p, {kList, i, ".copies"}, absl::StrCat("must be 0..", kMaxCopies));
    }
    if (m.form() == catalog::v1::PAPER && m.originals() <= 0 && m.copies() <= 0) {
      Add(p, {kList, i, ".originals"}, "a paper material needs at least one original or copy");
    }
    CheckText(p, {kList, i, ".blank_form_url"}, m.blank_form_url(), false, 2000);
    CheckText(p, {kList, i, ".sample_url"}, m.sample_url(), false, 2000);
    CheckText(p, {kList, i, ".source"}, m.source(), false, kMaxNameChars);
    CheckText(p, {kList, i, ".licence_type"}, m.licence_type(), false, kMaxNameChars);
  }
}

void CheckStages(Problems& p, const catalog::v1::Guide& g, CatalogFacts& facts) {
  constexpr absl::string_view kList = "implementation.guide.stages";
  if (g.stages().empty()) Add(p, kList, "at least one required");
  CheckCount(p, kList, g.stages_size(), kMaxListEntries);
  absl::flat_hash_map<absl::string_view, int> ids;
  // As for materials; a stage's departments also cost a lookup each.
  for (int i = 0; i < std::min(g.stages_size(), kMaxListEntries); ++i) {
    const catalog::v1::Stage& s = g.stages(i);
    CheckText(p, {kList, i, ".stage_id"}, s.stage_id(), /*required=*/true, 64);
    if (!s.stage_id().empty()) {
      auto [it, fresh] = ids.emplace(s.stage_id(), i);
      if (!fresh) {
        Add(p, {kList, i, ".stage_id"}, absl::StrCat("repeats stages[", it->second, "]"));
      }
    }
    CheckText(p, {kList, i, ".name"}, s.name(), /*required=*/true, kMaxNameChars);
    CheckDepartmentRef(p, {kList, i, ".department_credit_code"}, s.department_credit_code(), facts);
    if (s.time_limit_days() < 0 || s.time_limit_days() > kMaxLimitDays) {
      Add(p, {kList, i, ".time_limit_days"}, absl::StrCat("must be 0..", kMaxLimitDays));
    }
    if (!catalog::v1::CountersignMode_IsValid(s.countersign())) {
      Add(p, {kList, i, ".countersign"}, "unknown countersign mode");
    } else if (s.countersign() == catalog::v1::COUNTERSIGN_MODE_UNSPECIFIED) {
      if (!s.countersign_departments().empty()) {
        Add(p, {kList, i, ".countersign"},
            "required (ALL_OF or ANY_OF) when countersign_departments are given");
      }
    } else if (s.countersign_departments().empty()) {
      Add(p, {kList, i, ".countersign_departments"},
          "a countersign stage needs at least one department");
    }
    if (s.countersign_departments().empty()) continue;
    const std::string signers_field = absl::StrCat(kList, "[", i, "].countersign_departments");
    CheckCount(p, signers_field, s.countersign_departments_size(), kMaxListEntries);
    std::set<std::string> signers;
    for (int j = 0; j < std::min(s.countersign_departments_size(), kMaxListEntries); ++j) {
      const std::string& code = s.countersign_departments(j);
      CheckDepartmentRef(p, {signers_field, j, ""}, code, facts);
      if (!code.empty() && !signers.insert(code).second) {
        Add(p, {signers_field, j, ""}, "repeated");
      }
    }
  }
}

void CheckLimits(Problems& p, const catalog::v1::Guide& g) {
  const bool in_range = g.statutory_limit_days() >= 0 &&
                        g.statutory_limit_days() <= kMaxLimitDays && g.promised_limit_days() >= 0 &&
                        g.promised_limit_days() <= kMaxLimitDays;
  if (g.statutory_limit_days() < 0 || g.statutory_limit_days() > kMaxLimitDays) {
    Add(p, "implementation.guide.statutory_limit_days", absl::StrCat("must be 0..", kMaxLimitDays));
  }
  if (g.promised_limit_days() < 0 || g.promised_limit_days() > kMaxLimitDays) {
    Add(p, "implementation.guide.promised_limit_days", absl::StrCat("must be 0..", kMaxLimitDays));
  }
  if (in_range && g.promised_limit_days() > g.statutory_limit_days()) {
    Add(p, "implementation.guide.promised_limit_days",
        absl::StrCat("must be <= statutory_limit_days (", g.statutory_limit_days(), ")"));
  }
  if (g.handling() == catalog::v1::HANDLING_TYPE_UNSPECIFIED) {
    Add(p, "implementation.guide.handling", "required (INSTANT or PROMISED)");
  } else if (!catalog::v1::HandlingType_IsValid(g.handling())) {
    Add(p, "implementation.guide.handling", "unknown handling type");
  } else if (g.handling() == catalog::v1::INSTANT && g.promised_limit_days() != 0) {
    Add(p, "implementation.guide.promised_limit_days",
        "must be 0 for an INSTANT item (decided on the spot)");
  } else if (g.handling() == catalog::v1::PROMISED && in_range) {
    if (g.promised_limit_days() < 1) {
      Add(p, "implementation.guide.promised_limit_days",
          "a PROMISED item needs at least 1 working day; use INSTANT for on-the-spot "
          "decisions");
    }
    if (g.statutory_limit_days() < 1) {
      Add(p, "implementation.guide.statutory_limit_days",
          "a PROMISED item needs at least 1 working day");
    }
  }
}

void CheckGuide(Problems& p, const catalog::v1::Guide& g, CatalogFacts& facts) {
  CheckText(p, "implementation.guide.acceptance_conditions", g.acceptance_conditions(),
            /*required=*/true, kMaxTextChars, Lines::kMany);
  CheckMaterials(p, g);
  CheckStages(p, g, facts);
  CheckLimits(p, g);

  constexpr absl::string_view kFees = "implementation.guide.fees";
  CheckCount(p, kFees, g.fees_size(), kMaxListEntries);
  for (int i = 0; i < std::min(g.fees_size(), kMaxListEntries); ++i) {
    const catalog::v1::Fee& fee = g.fees(i);
    CheckText(p, {kFees, i, ".name"}, fee.name(), /*required=*/true, kMaxNameChars);
    if (fee.amount_fen() < 0) Add(p, {kFees, i, ".amount_fen"}, "must be >= 0");
    CheckText(p, {kFees, i, ".basis"}, fee.basis(), /*required=*/fee.amount_fen() > 0,
              kMaxTextChars, Lines::kMany);
  }

  // Visits and online depth: "0 visits" and "fully online" say the same.
  if (g.on_site_visits() < 0 || g.on_site_visits() > kMaxOnSiteVisits) {
    Add(p, "implementation.guide.on_site_visits", absl::StrCat("must be 0..", kMaxOnSiteVisits));
  }
  if (g.online_depth() == catalog::v1::ONLINE_DEPTH_UNSPECIFIED) {
    Add(p, "implementation.guide.online_depth", "required");
  } else if (!catalog::v1::OnlineDepth_IsValid(g.online_depth())) {
    Add(p, "implementation.guide.online_depth", "unknown online depth");
  } else if (g.online_depth() == catalog::v1::FULLY_ONLINE && g.on_site_visits() != 0) {
    Add(p, "implementation.guide.on_site_visits", "must be 0 for a FULLY_ONLINE item");
  } else if (g.online_depth() != catalog::v1::FULLY_ONLINE && g.on_site_visits() == 0) {
    Add(p, "implementation.guide.online_depth", "must be FULLY_ONLINE when on_site_visits is 0");
  }

  // Windows: where to go when a visit is needed.
  constexpr absl::string_view kWindows = "implementation.guide.windows";
  if (g.on_site_visits() > 0 && g.windows().empty()) {
    Add(p, kWindows, "at least one required when on_site_visits > 0");
  }
  CheckCount(p, kWindows, g.windows_size(), kMaxListEntries);
  for (int i = 0; i < std::min(g.windows_size(), kMaxListEntries); ++i) {
    const catalog::v1::ServiceWindow& w = g.windows(i);
    CheckText(p, {kWindows, i, ".name"}, w.name(), /*required=*/true, kMaxNameChars);
    CheckText(p, {kWindows, i, ".address"}, w.address(), /*required=*/true, kMaxNameChars);
    CheckText(p, {kWindows, i, ".hours"}, w.hours(), /*required=*/true, kMaxNameChars);
    if (!w.phone().empty()) CheckPhone(p, {kWindows, i, ".phone"}, w.phone());
  }

  CheckPhone(p, "implementation.guide.consultation_phone", g.consultation_phone());
  CheckPhone(p, "implementation.guide.complaint_phone", g.complaint_phone());
  CheckText(p, "implementation.guide.result_name", g.result_name(), /*required=*/true,
            kMaxNameChars);
  CheckText(p, "implementation.guide.result_type", g.result_type(), /*required=*/true,
            kMaxTagChars);
  CheckText(p, "implementation.guide.result_licence_type", g.result_licence_type(), false,
            kMaxNameChars);
}

}  // namespace

void Problems::Add(absl::string_view field, absl::string_view problem) {
  if (list_.size() >= kMaxListed) {
    ++unlisted_;
    return;
  }
  list_.push_back(absl::StrCat(field, ": ", problem));
}

void Problems::AddFirst(absl::string_view field, absl::string_view problem) {
  first_.push_back(absl::StrCat(field, ": ", problem));
}

absl::Status Problems::ToStatus() const {
  if (empty()) return absl::OkStatus();
  std::string message = absl::StrJoin(first_, "; ");
  if (!first_.empty() && !list_.empty()) message += "; ";
  absl::StrAppend(&message, absl::StrJoin(list_, "; "));
  if (unlisted_ > 0) absl::StrAppend(&message, "; and ", unlisted_, " more problems not listed");
  return absl::InvalidArgumentError(std::move(message));
}

absl::Status ValidateDepartment(const Department& d, CatalogFacts& facts) {
  Problems p;
  if (d.credit_code().empty()) {
    p.Add("department.credit_code", "required");
  } else if (absl::Status s = codes::ValidateCreditCode(d.credit_code()); !s.ok()) {
    p.Add("department.credit_code", s.message());
  }
  CheckText(p, "department.name", d.name(), /*required=*/true, kMaxNameChars);
  if (d.region_code().empty()) {
    p.Add("department.region_code", "required");
  } else if (absl::Status s = codes::ValidateRegionCode(d.region_code()); !s.ok()) {
    p.Add("department.region_code", s.message());
  } else if (!facts.RegionExists(d.region_code())) {
    p.Add("department.region_code", absl::StrCat("region ", d.region_code(), " not found"));
  }
  if (!d.parent_credit_code().empty()) {
    if (absl::Status s = codes::ValidateCreditCode(d.parent_credit_code()); !s.ok()) {
      p.Add("department.parent_credit_code", s.message());
    } else if (d.parent_credit_code() == d.credit_code()) {
      p.Add("department.parent_credit_code", "a department cannot be its own parent");
    }
  }
  return p.ToStatus();
}

absl::Status NormalizeBasicItem(BasicItem* item) {
  Problems p;
  std::optional<catalog::v1::ItemType> code_type;
  if (item->basic_code().empty()) {
    p.Add("basic_item.basic_code", "required");
  } else if (absl::Status s = codes::ValidateBasicCode(item->basic_code()); !s.ok()) {
    p.Add("basic_item.basic_code", s.message());
  } else {
    absl::StatusOr<codes::ItemType> t = codes::ItemTypeFromCode(item->basic_code().substr(0, 2));
    if (t.ok()) code_type = ToProtoType(*t);
  }
  if (!catalog::v1::ItemType_IsValid(item->type())) {
    p.Add("basic_item.type", "unknown item type");
  } else if (code_type.has_value()) {
    if (item->type() == catalog::v1::ITEM_TYPE_UNSPECIFIED) {
      item->set_type(*code_type);
    } else if (item->type() != *code_type) {
      p.Add("basic_item.type",
            absl::StrCat("must match the code's type prefix ", item->basic_code().substr(0, 2),
                         " (", catalog::v1::ItemType_Name(*code_type), ")"));
    }
  }
  CheckText(p, "basic_item.name", item->name(), /*required=*/true, kMaxNameChars);
  CheckText(p, "basic_item.legal_basis", item->legal_basis(), /*required=*/true, kMaxTextChars,
            Lines::kMany);
  NormalizeTags(p, "basic_item.topics", item->mutable_topics());
  NormalizeTags(p, "basic_item.life_events", item->mutable_life_events());
  if (item->applicant_kinds().empty()) {
    p.Add("basic_item.applicant_kinds", "at least one required");
  }
  std::vector<int> kinds;
  for (int i = 0; i < item->applicant_kinds_size(); ++i) {
    const int kind = item->applicant_kinds(i);
    if (kind == catalog::v1::APPLICANT_KIND_UNSPECIFIED ||
        !catalog::v1::ApplicantKind_IsValid(kind)) {
      p.Add(absl::StrCat("basic_item.applicant_kinds[", i, "]"),
            "must be NATURAL_PERSON or LEGAL_PERSON");
    } else if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) {
      kinds.push_back(kind);
    }
  }
  if (p.empty() && static_cast<int>(kinds.size()) != item->applicant_kinds_size()) {
    item->clear_applicant_kinds();
    for (int kind : kinds) item->add_applicant_kinds(static_cast<catalog::v1::ApplicantKind>(kind));
  }
  return p.ToStatus();
}

absl::Status PrepareImplementation(Implementation* impl, CatalogFacts& facts) {
  Problems p;
  std::optional<codes::ImplementationCodeParts> parts;
  if (impl->implementation_code().empty()) {
    p.Add("implementation.implementation_code", "required");
  } else {
    absl::StatusOr<codes::ImplementationCodeParts> parsed =
        codes::ParseImplementationCode(impl->implementation_code());
    if (parsed.ok()) {
      parts = *std::move(parsed);
    } else {
      absl::string_view message = parsed.status().message();
      absl::ConsumePrefix(&message, "implementation code: ");
      p.Add("implementation.implementation_code", message);
    }
  }
  if (parts.has_value()) {
    if (impl->basic_code().empty()) {
      impl->set_basic_code(parts->basic_code);
    } else if (impl->basic_code() != parts->basic_code) {
      p.Add("implementation.basic_code", absl::StrCat("must be the basic code in "
                                                      "implementation_code (",
                                                      parts->basic_code, ")"));
    }
    if (impl->department_credit_code().empty()) {
      impl->set_department_credit_code(parts->credit_code);
    } else if (impl->department_credit_code() != parts->credit_code) {
      p.Add("implementation.department_credit_code",
            absl::StrCat("must be the credit code in implementation_code (", parts->credit_code,
                         ")"));
    }
  }

  // The implementing body and where it sits.
  const Department* department = nullptr;
  if (parts.has_value() || !impl->department_credit_code().empty()) {
    department = CheckDepartmentRef(p, "implementation.department_credit_code",
                                    impl->department_credit_code(), facts);
  }
  if (department != nullptr) {
    if (impl->region_code().empty()) {
      impl->set_region_code(department->region_code());
    } else if (impl->region_code() != department->region_code()) {
      p.Add("implementation.region_code",
            absl::StrCat("must be the implementing department's region (",
                         department->region_code(), ")"));
    }
    impl->set_department_name(department->name());
  } else if (!impl->region_code().empty()) {
    if (absl::Status s = codes::ValidateRegionCode(impl->region_code()); !s.ok()) {
      p.Add("implementation.region_code", s.message());
    }
  }

  // The basic item it implements.
  const BasicItem* basic = nullptr;
  if (impl->basic_code().empty()) {
    if (!parts.has_value() && !impl->implementation_code().empty()) {
      p.Add("implementation.basic_code", "required");
    }
  } else if (absl::Status s = codes::ValidateBasicCode(impl->basic_code()); !s.ok()) {
    p.Add("implementation.basic_code", s.message());
  } else {
    basic = facts.FindBasicItem(impl->basic_code());
    if (basic == nullptr) {
      p.Add("implementation.basic_code",
            absl::StrCat("basic item ", impl->basic_code(), " not found"));
    }
  }
  if (basic != nullptr) {
    if (impl->name().empty()) impl->set_name(basic->name());
    impl->set_type(basic->type());
    *impl->mutable_topics() = basic->topics();
    *impl->mutable_life_events() = basic->life_events();
    *impl->mutable_applicant_kinds() = basic->applicant_kinds();
    impl->set_legal_basis(basic->legal_basis());
  }

  CheckText(p, "implementation.name", impl->name(), /*required=*/true, kMaxNameChars);
  CheckWords(p, "implementation.keywords", impl->keywords());
  CheckWords(p, "implementation.synonyms", impl->synonyms());
  if (!impl->has_guide()) {
    p.Add("implementation.guide", "required");
  } else {
    CheckGuide(p, impl->guide(), facts);
  }
  return p.ToStatus();
}

absl::StatusOr<std::string> ImplementingDepartment(absl::string_view field,
                                                   const std::string& implementation_code) {
  if (implementation_code.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
  }
  absl::StatusOr<codes::ImplementationCodeParts> parts =
      codes::ParseImplementationCode(implementation_code);
  if (!parts.ok()) {
    absl::string_view message = parts.status().message();
    absl::ConsumePrefix(&message, "implementation code: ");
    return absl::InvalidArgumentError(absl::StrCat(field, ": ", message));
  }
  return parts->credit_code;
}

}  // namespace onewindow::catalog
