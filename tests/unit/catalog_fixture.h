#pragma once

// A small Guangdong for catalog unit tests: one full five-level branch
// (Guangzhou, Tianhe, a subdistrict, a community), a sibling county
// (Yuexiu), and Dongguan, whose towns sit directly under the city.

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "libs/codes/credit_code.h"
#include "libs/testing/process.h"
#include "services/catalog/coverage.h"
#include "services/catalog/departments.h"
#include "services/catalog/items.h"
#include "services/catalog/regions.h"
#include "services/catalog/schema.h"
#include "services/catalog/search_index.h"

namespace onewindow::catalog::test {

inline constexpr char kProvince[] = "440000000000";
inline constexpr char kGuangzhou[] = "440100000000";
inline constexpr char kTianhe[] = "440106000000";
inline constexpr char kShipai[] = "440106001000";
inline constexpr char kCommunity[] = "440106001001";
inline constexpr char kYuexiu[] = "440104000000";
inline constexpr char kDongguan[] = "441900000000";
inline constexpr char kDongcheng[] = "441900003000";
inline constexpr char kDongguanVillage[] = "441900003002";

// A valid government-body credit code, distinct per `n`.
inline std::string CreditCode(int n) {
  const std::string first17 = absl::StrFormat("11440000%09d", n);
  return first17 + codes::CreditCodeCheckChar(first17);
}

// The same code with a wrong check character.
inline std::string BrokenCreditCode(int n) {
  std::string code = CreditCode(n);
  code.back() = code.back() == '0' ? '1' : '0';
  return code;
}

inline v1::Region MakeRegion(const std::string& code, const std::string& name) {
  v1::Region r;
  r.set_code(code);
  r.set_name(name);
  return r;
}

inline v1::Department MakeDepartment(int n, const std::string& name, const std::string& region) {
  v1::Department d;
  d.set_credit_code(CreditCode(n));
  d.set_name(name);
  d.set_region_code(region);
  return d;
}

inline v1::BasicItem MakeBasic(const std::string& code, const std::string& name,
                               std::vector<std::string> topics = {},
                               std::vector<std::string> events = {}) {
  v1::BasicItem b;
  b.set_basic_code(code);
  b.set_name(name);
  b.set_legal_basis("《中华人民共和国行政许可法》");
  for (auto& t : topics) b.add_topics(t);
  for (auto& e : events) b.add_life_events(e);
  b.add_applicant_kinds(v1::NATURAL_PERSON);
  return b;
}

// A guide with every required element, handled at one window visit.
inline v1::Guide CompleteGuide(const std::string& department) {
  v1::Guide g;
  g.set_acceptance_conditions("申请人为本市户籍居民");
  for (int i = 0; i < 3; ++i) {
    v1::Material* m = g.add_materials();
    m->set_material_id(absl::StrCat("m", i + 1));
    m->set_name(absl::StrCat("材料", i + 1));
    m->set_required(true);
    m->set_originals(1);
    m->set_form(v1::PAPER);
  }
  v1::Stage* accept = g.add_stages();
  accept->set_stage_id("accept");
  accept->set_name("受理");
  accept->set_department_credit_code(department);
  accept->set_time_limit_days(1);
  v1::Stage* decide = g.add_stages();
  decide->set_stage_id("decide");
  decide->set_name("决定");
  decide->set_department_credit_code(department);
  decide->set_time_limit_days(4);
  g.set_statutory_limit_days(20);
  g.set_promised_limit_days(5);
  g.set_handling(v1::PROMISED);
  g.set_on_site_visits(1);
  g.set_online_depth(v1::ONLINE_APPLICATION);
  v1::ServiceWindow* w = g.add_windows();
  w->set_name("综合窗口");
  w->set_address("天河路1号");
  w->set_hours("工作日 9:00-17:00");
  w->set_phone("020-12345678");
  g.set_consultation_phone("020-12345678");
  g.set_complaint_phone("12345");
  g.set_result_name("许可证");
  g.set_result_type("licence");
  return g;
}

inline v1::Implementation MakeImplementation(const std::string& basic_code,
                                             const std::string& department,
                                             const std::string& name = "",
                                             std::vector<std::string> keywords = {},
                                             std::vector<std::string> synonyms = {}) {
  v1::Implementation impl;
  impl.set_implementation_code(absl::StrCat(basic_code, "-", department));
  impl.set_name(name);
  for (auto& k : keywords) impl.add_keywords(k);
  for (auto& s : synonyms) impl.add_synonyms(s);
  *impl.mutable_guide() = CompleteGuide(department);
  return impl;
}

// Entries as an import request carries them.
inline google::protobuf::RepeatedPtrField<v1::Implementation> Entries(
    std::vector<v1::Implementation> list) {
  google::protobuf::RepeatedPtrField<v1::Implementation> entries;
  for (v1::Implementation& impl : list) *entries.Add() = std::move(impl);
  return entries;
}

inline const absl::Time kNow = absl::FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z

// The catalog's domain over a fresh database.
struct Catalog {
  testing::TempDir dir;
  std::unique_ptr<store::Database> db;
  std::unique_ptr<Regions> regions;
  std::unique_ptr<SearchIndex> index;
  std::unique_ptr<Departments> departments;
  std::unique_ptr<Items> items;
  std::unique_ptr<Coverage> coverage;

  Catalog() {
    Open();
    auto n = regions->Import({MakeRegion(kProvince, "广东省"), MakeRegion(kGuangzhou, "广州市"),
                              MakeRegion(kTianhe, "天河区"), MakeRegion(kShipai, "石牌街道"),
                              MakeRegion(kCommunity, "某社区"), MakeRegion(kYuexiu, "越秀区"),
                              MakeRegion(kDongguan, "东莞市"), MakeRegion(kDongcheng, "东城街道"),
                              MakeRegion(kDongguanVillage, "某村")});
    REQUIRE(n.ok());
  }

  // Opens (or reopens, as a restart would) the store and rebuilds the index.
  void Open() {
    items.reset();
    departments.reset();
    coverage.reset();
    regions.reset();
    index.reset();
    db.reset();
    auto opened =
        store::Database::Open({absl::StrCat(dir.path(), "/catalog.db")}, CatalogMigrations());
    REQUIRE(opened.ok());
    db = *std::move(opened);
    regions = std::make_unique<Regions>(db.get());
    index = std::make_unique<SearchIndex>();
    departments = std::make_unique<Departments>(db.get(), index.get());
    items = std::make_unique<Items>(db.get(), index.get());
    coverage = std::make_unique<Coverage>(db.get());
    auto loaded = items->LoadIndex();
    REQUIRE(loaded.ok());
  }

  void AddDepartments(std::vector<v1::Department> list) {
    auto r = departments->Import(std::move(list));
    REQUIRE(r.ok());
    INFO((r->rejected().empty() ? std::string() : r->rejected(0).reason()));
    REQUIRE(r->rejected().empty());
  }

  void AddBasics(std::vector<v1::BasicItem> list) {
    auto r = items->ImportBasicItems(std::move(list));
    REQUIRE(r.ok());
    INFO((r->rejected().empty() ? std::string() : r->rejected(0).reason()));
    REQUIRE(r->rejected().empty());
  }

  v1::Implementation Publish(v1::Implementation impl) {
    auto r = items->Publish(std::move(impl), kNow);
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    return *r;
  }
};

}  // namespace onewindow::catalog::test
