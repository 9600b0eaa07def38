#include "tests/integration/journey/licence_item.h"

#include "absl/strings/str_cat.h"
#include "libs/codes/credit_code.h"
#include "libs/codes/item_code.h"
#include "libs/testing/grpc_context.h"

namespace onewindow::journey {
namespace {

// 11 (government body) + 440100 (Guangzhou) + a 9-character organisation code.
constexpr char kDepartmentFirst17[] = "1144010076543210A";

catalog::v1::Guide LicenceGuide() {
  catalog::v1::Guide g;
  g.set_acceptance_conditions("场所已取得营业执照，卫生设施符合要求");
  auto material = [&](const char* id, const char* name) {
    catalog::v1::Material* m = g.add_materials();
    m->set_material_id(id);
    m->set_name(name);
    m->set_required(true);
    m->set_originals(1);
    m->set_form(catalog::v1::PAPER_OR_ELECTRONIC);
  };
  material(kFormMaterial, "公共场所卫生许可申请表");
  material(kPlanMaterial, "场所平面布局图");
  // One stage, one department: accepted on arrival, decided by the desk.
  catalog::v1::Stage* decide = g.add_stages();
  decide->set_stage_id("decide");
  decide->set_name("审查决定");
  decide->set_department_credit_code(DepartmentCode());
  decide->set_time_limit_days(5);
  g.set_statutory_limit_days(20);
  g.set_promised_limit_days(5);
  g.set_handling(catalog::v1::PROMISED);
  g.set_on_site_visits(0);
  g.set_online_depth(catalog::v1::FULLY_ONLINE);
  catalog::v1::ServiceWindow* w = g.add_windows();
  w->set_name("卫生健康窗口");
  w->set_address("天河路2号");
  w->set_hours("工作日 9:00-17:00");
  w->set_phone("020-87654321");
  g.set_consultation_phone("020-87654321");
  g.set_complaint_phone("12345");
  g.set_result_name("公共场所卫生许可证");
  g.set_result_type("licence");
  g.set_result_licence_type(kLicenceType);
  return g;
}

}  // namespace

const std::string& DepartmentCode() {
  static const std::string* const kCode = new std::string(absl::StrCat(
      kDepartmentFirst17, std::string(1, codes::CreditCodeCheckChar(kDepartmentFirst17))));
  return *kCode;
}

std::string ImplementationCode() {
  return codes::MakeImplementationCode(kBasicCode, DepartmentCode());
}

absl::StatusOr<int64_t> PublishLicenceItem(catalog::v1::CatalogService::StubInterface* catalog,
                                           const std::string& admin_token) {
  auto context = [&] { return testing::TokenContext(admin_token, absl::Seconds(30)); };
  auto failed = [](const char* what, const std::string& why) {
    return absl::InternalError(absl::StrCat("catalog set-up, ", what, ": ", why));
  };
  if (absl::Status s = codes::ValidateCreditCode(DepartmentCode()); !s.ok()) {
    return failed("department code", std::string(s.message()));
  }

  catalog::v1::ImportRegionsRequest regions;
  for (const auto& [code, name] :
       std::vector<std::pair<const char*, const char*>>{{"440000000000", "广东省"},
                                                        {kCityRegion, "广州市"},
                                                        {"440106000000", "天河区"},
                                                        {"440106001000", "五山街道"},
                                                        {kCitizenRegion, "华工社区"}}) {
    catalog::v1::Region* r = regions.add_regions();
    r->set_code(code);
    r->set_name(name);
  }
  catalog::v1::ImportRegionsResponse imported;
  grpc::Status s = catalog->ImportRegions(context().get(), regions, &imported);
  if (!s.ok()) return failed("import regions", s.error_message());

  catalog::v1::ImportDepartmentsRequest departments;
  catalog::v1::Department* d = departments.add_departments();
  d->set_credit_code(DepartmentCode());
  d->set_name("广州市卫生健康委员会");
  d->set_region_code(kCityRegion);
  catalog::v1::ImportResponse result;
  s = catalog->ImportDepartments(context().get(), departments, &result);
  if (!s.ok() || result.rejected_size() > 0) {
    return failed("import department", s.ok() ? result.DebugString() : s.error_message());
  }

  catalog::v1::ImportBasicItemsRequest basics;
  catalog::v1::BasicItem* b = basics.add_items();
  b->set_basic_code(kBasicCode);
  b->set_name("公共场所卫生许可");
  b->set_type(catalog::v1::LICENSING);
  b->set_legal_basis("《公共场所卫生管理条例》");
  b->add_applicant_kinds(catalog::v1::NATURAL_PERSON);
  b->add_applicant_kinds(catalog::v1::LEGAL_PERSON);
  s = catalog->ImportBasicItems(context().get(), basics, &result);
  if (!s.ok() || result.rejected_size() > 0) {
    return failed("import basic item", s.ok() ? result.DebugString() : s.error_message());
  }

  catalog::v1::PublishImplementationRequest publish;
  catalog::v1::Implementation* impl = publish.mutable_implementation();
  impl->set_implementation_code(ImplementationCode());
  impl->set_basic_code(kBasicCode);
  impl->set_name(kItemName);
  impl->set_department_credit_code(DepartmentCode());
  impl->set_region_code(kCityRegion);
  impl->set_type(catalog::v1::LICENSING);
  impl->add_keywords("卫生许可证");
  impl->add_applicant_kinds(catalog::v1::NATURAL_PERSON);
  impl->add_applicant_kinds(catalog::v1::LEGAL_PERSON);
  *impl->mutable_guide() = LicenceGuide();
  catalog::v1::Implementation published;
  s = catalog->PublishImplementation(context().get(), publish, &published);
  if (!s.ok()) return failed("publish implementation", s.error_message());
  return published.revision();
}

}  // namespace onewindow::journey
