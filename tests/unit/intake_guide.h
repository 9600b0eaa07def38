#pragma once

// A guide for intake tests, usable both with a fake catalog (unit tests)
// and published to a real one (integration tests): one required form, one
// required business licence that a held licence can stand in for, one
// optional photo.

#include <grpcpp/client_context.h>

#include <chrono>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "libs/server/call.h"
#include "onewindow/catalog/v1/catalog.grpc.pb.h"
#include "onewindow/catalog/v1/items.pb.h"

namespace onewindow::intake::test {

inline constexpr char kDepartment[] = "11440100MB2C92740W";
inline constexpr char kOtherDepartment[] = "11440000MB2C91930T";
inline constexpr char kBasicCode[] = "XK00105001";
inline constexpr char kLicenceType[] = "business_licence";

inline std::string ImplementationCode() { return absl::StrCat(kBasicCode, "-", kDepartment); }

inline catalog::v1::Guide TestGuide() {
  catalog::v1::Guide g;
  g.set_acceptance_conditions("申请人依法设立");
  auto add = [&](const char* id, const char* name, bool required, const char* licence_type) {
    catalog::v1::Material* m = g.add_materials();
    m->set_material_id(id);
    m->set_name(name);
    m->set_required(required);
    m->set_originals(1);
    m->set_form(catalog::v1::PAPER_OR_ELECTRONIC);
    m->set_licence_type(licence_type);
  };
  add("form", "申请表", true, "");
  add("licence", "营业执照", true, kLicenceType);
  add("photo", "现场照片", false, "");
  catalog::v1::Stage* accept = g.add_stages();
  accept->set_stage_id("accept");
  accept->set_name("受理");
  accept->set_department_credit_code(kDepartment);
  accept->set_time_limit_days(1);
  catalog::v1::Stage* decide = g.add_stages();
  decide->set_stage_id("decide");
  decide->set_name("决定");
  decide->set_department_credit_code(kDepartment);
  decide->set_time_limit_days(4);
  g.set_statutory_limit_days(20);
  g.set_promised_limit_days(5);
  g.set_handling(catalog::v1::PROMISED);
  g.set_on_site_visits(0);
  g.set_online_depth(catalog::v1::FULLY_ONLINE);
  catalog::v1::ServiceWindow* w = g.add_windows();
  w->set_name("综合窗口");
  w->set_address("天河路1号");
  w->set_hours("工作日 9:00-17:00");
  w->set_phone("020-12345678");
  g.set_consultation_phone("020-12345678");
  g.set_complaint_phone("12345");
  g.set_result_name("食品经营许可证");
  g.set_result_type("licence");
  g.set_result_licence_type("food_licence");
  return g;
}

inline catalog::v1::Implementation TestImplementation(int64_t revision = 1) {
  catalog::v1::Implementation impl;
  impl.set_implementation_code(ImplementationCode());
  impl.set_basic_code(kBasicCode);
  impl.set_name("食品经营许可（新办）");
  impl.set_department_credit_code(kDepartment);
  impl.set_region_code("440100000000");
  impl.set_revision(revision);
  impl.set_state(catalog::v1::PUBLISHED);
  impl.set_type(catalog::v1::LICENSING);
  impl.add_applicant_kinds(catalog::v1::NATURAL_PERSON);
  impl.add_applicant_kinds(catalog::v1::LEGAL_PERSON);
  *impl.mutable_guide() = TestGuide();
  return impl;
}

// Publishes TestImplementation() to a real catalog (with its regions,
// department and basic item) as the platform admin whose principal token is
// `admin_token`. Returns the revision published.
inline absl::StatusOr<int64_t> PublishTestItem(catalog::v1::CatalogService::StubInterface* catalog,
                                               const std::string& admin_token) {
  auto context = [&] {
    auto c = std::make_unique<grpc::ClientContext>();
    c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    c->AddMetadata(server::kPrincipalHeader, admin_token);
    return c;
  };
  auto failed = [](const char* what, const std::string& why) {
    return absl::InternalError(absl::StrCat(what, ": ", why));
  };
  catalog::v1::ImportRegionsRequest regions;
  auto* province = regions.add_regions();
  province->set_code("440000000000");
  province->set_name("广东省");
  auto* city = regions.add_regions();
  city->set_code("440100000000");
  city->set_name("广州市");
  catalog::v1::ImportRegionsResponse imported;
  grpc::Status s = catalog->ImportRegions(context().get(), regions, &imported);
  if (!s.ok()) return failed("import regions", s.error_message());
  catalog::v1::ImportDepartmentsRequest departments;
  auto* d = departments.add_departments();
  d->set_credit_code(kDepartment);
  d->set_name("广州市市场监督管理局");
  d->set_region_code("440100000000");
  catalog::v1::ImportResponse result;
  s = catalog->ImportDepartments(context().get(), departments, &result);
  if (!s.ok() || result.rejected_size() > 0) {
    return failed("import department", s.ok() ? result.DebugString() : s.error_message());
  }
  catalog::v1::ImportBasicItemsRequest basics;
  auto* b = basics.add_items();
  b->set_basic_code(kBasicCode);
  b->set_name("食品经营许可");
  b->set_type(catalog::v1::LICENSING);
  b->set_legal_basis("《中华人民共和国食品安全法》");
  b->add_applicant_kinds(catalog::v1::NATURAL_PERSON);
  b->add_applicant_kinds(catalog::v1::LEGAL_PERSON);
  s = catalog->ImportBasicItems(context().get(), basics, &result);
  if (!s.ok() || result.rejected_size() > 0) {
    return failed("import basic item", s.ok() ? result.DebugString() : s.error_message());
  }
  catalog::v1::PublishImplementationRequest publish;
  *publish.mutable_implementation() = TestImplementation();
  publish.mutable_implementation()->clear_revision();
  publish.mutable_implementation()->clear_state();
  catalog::v1::Implementation published;
  s = catalog->PublishImplementation(context().get(), publish, &published);
  if (!s.ok()) return failed("publish implementation", s.error_message());
  return published.revision();
}

// The smallest contents each accepted type's signature check takes.
inline std::string PdfBytes(const std::string& body = "hello") {
  return absl::StrCat("%PDF-1.7\n", body, "\n%%EOF\n");
}
inline std::string PngBytes() { return std::string("\x89PNG\r\n\x1A\n\0\0\0\rIHDR", 16); }

}  // namespace onewindow::intake::test
