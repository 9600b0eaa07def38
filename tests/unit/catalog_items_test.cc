#include <prometheus/registry.h>

#include <catch2/catch.hpp>
#include <map>

#include "absl/strings/match.h"
#include "services/catalog/coverage_gauges.h"
#include "services/catalog/validation.h"
#include "tests/unit/catalog_fixture.h"

namespace onewindow::catalog::test {
namespace {

using Catch::Matchers::Contains;

// Guangzhou's market regulator, Tianhe's, a Tianhe subdistrict office, and
// Guangzhou's human resources bureau (a countersigner).
struct Seeded : Catalog {
  const std::string city = CreditCode(1);
  const std::string county = CreditCode(2);
  const std::string town = CreditCode(3);
  const std::string hr = CreditCode(4);
  Seeded() {
    AddDepartments({MakeDepartment(1, "广州市市场监督管理局", kGuangzhou),
                    MakeDepartment(2, "天河区市场监督管理局", kTianhe),
                    MakeDepartment(3, "石牌街道办事处", kShipai),
                    MakeDepartment(4, "广州市人力资源和社会保障局", kGuangzhou)});
    AddBasics({MakeBasic("XK00105001", "食品经营许可", {"市场准入"}, {"开办企业"}),
               MakeBasic("GG00201000", "社会保障卡申领", {"社会保障"}, {"就业"}),
               MakeBasic("QR00301000", "居住证签注", {"户籍办理"}, {"迁居"})});
  }
};

std::string MessageOf(const absl::Status& s) { return std::string(s.message()); }

v1::SearchItemsRequest Query(const std::string& q) {
  v1::SearchItemsRequest r;
  r.set_q(q);
  return r;
}

TEST_CASE("a department with a broken credit code check character is rejected by index") {
  Catalog c;
  v1::Department broken = MakeDepartment(7, "某局", kGuangzhou);
  broken.set_credit_code(BrokenCreditCode(7));
  auto r = c.departments->Import({MakeDepartment(6, "广州市民政局", kGuangzhou), broken,
                                  MakeDepartment(8, "无地区局", "440199000000")});
  REQUIRE(r.ok());
  CHECK(r->accepted() == 1);
  REQUIRE(r->rejected_size() == 2);
  CHECK(r->rejected(0).index() == 1);
  CHECK(r->rejected(0).key() == BrokenCreditCode(7));
  CHECK_THAT(r->rejected(0).reason(),
             Contains("department.credit_code") && Contains("check character"));
  CHECK(r->rejected(1).index() == 2);
  CHECK_THAT(r->rejected(1).reason(), Contains("department.region_code: region 440199000000"));
  CHECK(c.departments->Get(CreditCode(6))->name() == "广州市民政局");
  CHECK(c.departments->Get(BrokenCreditCode(7)).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(c.departments->Get(CreditCode(9)).status().code() == absl::StatusCode::kNotFound);
}

TEST_CASE("a department's parent may come later in the same import but must exist") {
  Catalog c;
  v1::Department child = MakeDepartment(11, "天河区分局", kTianhe);
  child.set_parent_credit_code(CreditCode(10));
  v1::Department orphan = MakeDepartment(12, "孤儿局", kTianhe);
  orphan.set_parent_credit_code(CreditCode(99));
  auto r = c.departments->Import({child, MakeDepartment(10, "市局", kGuangzhou), orphan});
  REQUIRE(r.ok());
  CHECK(r->accepted() == 2);
  REQUIRE(r->rejected_size() == 1);
  CHECK(r->rejected(0).index() == 2);
  CHECK_THAT(r->rejected(0).reason(), Contains("department.parent_credit_code"));
  CHECK(c.departments->Get(CreditCode(11))->parent_credit_code() == CreditCode(10));
}

TEST_CASE("a chain listed child first is accepted whole, and a cycle is refused whole") {
  Catalog c;
  // 20 -> 21 -> ... -> 59, each listed before its parent.
  std::vector<v1::Department> chain;
  for (int n = 59; n >= 20; --n) {
    v1::Department d = MakeDepartment(n, absl::StrCat("第", n, "局"), kTianhe);
    if (n > 20) d.set_parent_credit_code(CreditCode(n - 1));
    chain.push_back(d);
  }
  auto r = c.departments->Import(chain);
  REQUIRE(r.ok());
  CHECK(r->accepted() == 40);
  CHECK(r->rejected_size() == 0);
  CHECK(c.departments->Get(CreditCode(59))->parent_credit_code() == CreditCode(58));

  v1::Department a = MakeDepartment(70, "甲局", kTianhe);
  a.set_parent_credit_code(CreditCode(71));
  v1::Department b = MakeDepartment(71, "乙局", kTianhe);
  b.set_parent_credit_code(CreditCode(70));
  // A child of a stored department goes in beside the cycle.
  v1::Department under = MakeDepartment(72, "丙局", kTianhe);
  under.set_parent_credit_code(CreditCode(59));
  auto cycle = c.departments->Import({a, b, under});
  REQUIRE(cycle.ok());
  CHECK(cycle->accepted() == 1);
  REQUIRE(cycle->rejected_size() == 2);
  CHECK(cycle->rejected(0).index() == 0);
  CHECK(cycle->rejected(1).index() == 1);
  CHECK(c.departments->Get(CreditCode(70)).status().code() == absl::StatusCode::kNotFound);
}

TEST_CASE("a basic item takes its type from its code and may not contradict it") {
  Catalog c;
  v1::BasicItem derived = MakeBasic("JL00001000", "见义勇为奖励");
  v1::BasicItem contradicting = MakeBasic("XK00002000", "某许可");
  contradicting.set_type(v1::PAYMENT);
  v1::BasicItem incomplete;
  incomplete.set_basic_code("XX00003000");
  auto r = c.items->ImportBasicItems({derived, contradicting, incomplete});
  REQUIRE(r.ok());
  CHECK(r->accepted() == 1);
  REQUIRE(r->rejected_size() == 2);
  CHECK_THAT(r->rejected(0).reason(),
             Contains("basic_item.type: must match") && Contains("XK (LICENSING)"));
  const std::string& all = r->rejected(1).reason();
  CHECK_THAT(all, Contains("basic_item.basic_code"));
  CHECK_THAT(all, Contains("basic_item.name: required"));
  CHECK_THAT(all, Contains("basic_item.legal_basis: required"));
  CHECK_THAT(all, Contains("basic_item.applicant_kinds: at least one required"));
  auto stored = c.items->GetBasicItem("JL00001000");
  REQUIRE(stored.ok());
  CHECK(stored->type() == v1::REWARD);
}

TEST_CASE("an implementation code is the basic code, a dash and the body's valid credit code") {
  Seeded c;
  SECTION("a broken check character in the code") {
    v1::Implementation impl = MakeImplementation("XK00105001", c.city);
    impl.set_implementation_code(absl::StrCat("XK00105001-", BrokenCreditCode(1)));
    auto r = c.items->Publish(impl, kNow);
    REQUIRE(r.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(MessageOf(r.status()),
               Contains("implementation.implementation_code: ") && Contains("check character"));
  }
  SECTION("a code naming another department than the one given") {
    v1::Implementation impl = MakeImplementation("XK00105001", c.city);
    impl.set_department_credit_code(c.county);
    auto r = c.items->Publish(impl, kNow);
    REQUIRE(r.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(MessageOf(r.status()), Contains("implementation.department_credit_code: must be "
                                               "the credit code in implementation_code"));
  }
  SECTION("a basic code that does not match") {
    v1::Implementation impl = MakeImplementation("XK00105001", c.city);
    impl.set_basic_code("GG00201000");
    auto r = c.items->Publish(impl, kNow);
    CHECK_THAT(MessageOf(r.status()), Contains("implementation.basic_code: must be the basic "
                                               "code in implementation_code (XK00105001)"));
  }
  SECTION("an unknown department or basic item") {
    v1::Implementation impl = MakeImplementation("XK00199001", CreditCode(50));
    auto r = c.items->Publish(impl, kNow);
    CHECK_THAT(MessageOf(r.status()),
               Contains(absl::StrCat("implementation.department_credit_code: department ",
                                     CreditCode(50), " not found")) &&
                   Contains("implementation.basic_code: basic item XK00199001 not found"));
  }
  SECTION("a business item suffix is accepted") {
    v1::Implementation impl = MakeImplementation("XK00105001", c.city);
    impl.set_implementation_code(absl::StrCat("XK00105001-", c.city, "-01"));
    auto published = c.Publish(impl);
    CHECK(published.revision() == 1);
    CHECK(published.basic_code() == "XK00105001");
    CHECK(published.department_credit_code() == c.city);
  }
}

TEST_CASE("a guide missing elements is rejected listing every problem at once") {
  Seeded c;
  v1::Implementation impl = MakeImplementation("XK00105001", c.city, "食品经营许可");
  v1::Guide* g = impl.mutable_guide();
  g->clear_acceptance_conditions();
  g->mutable_materials(2)->clear_name();
  g->mutable_materials(1)->set_material_id("m1");
  g->mutable_materials(0)->set_form(v1::MATERIAL_FORM_UNSPECIFIED);
  g->set_promised_limit_days(30);
  v1::Stage* sign = g->add_stages();
  sign->set_stage_id("sign");
  sign->set_name("会签");
  sign->set_department_credit_code(c.city);
  sign->set_countersign(v1::ALL_OF);
  v1::Stage* stray = g->add_stages();
  stray->set_stage_id("stray");
  stray->set_name("征求意见");
  stray->set_department_credit_code(CreditCode(77));
  stray->add_countersign_departments(c.hr);
  g->clear_consultation_phone();
  g->set_on_site_visits(0);
  g->clear_result_name();
  g->add_fees()->set_amount_fen(1000);

  auto r = c.items->Publish(impl, kNow);
  REQUIRE(r.status().code() == absl::StatusCode::kInvalidArgument);
  const std::string m = MessageOf(r.status());
  INFO(m);
  CHECK_THAT(m, Contains("implementation.guide.acceptance_conditions: required"));
  CHECK_THAT(m, Contains("implementation.guide.materials[2].name: required"));
  CHECK_THAT(m, Contains("implementation.guide.materials[1].material_id: repeats materials[0]"));
  CHECK_THAT(m, Contains("implementation.guide.materials[0].form: required"));
  CHECK_THAT(m, Contains("implementation.guide.promised_limit_days: must be <= "
                         "statutory_limit_days (20)"));
  CHECK_THAT(m, Contains("implementation.guide.stages[2].countersign_departments: a countersign "
                         "stage needs at least one department"));
  CHECK_THAT(m, Contains("implementation.guide.stages[3].department_credit_code: department " +
                         CreditCode(77) + " not found"));
  CHECK_THAT(m, Contains("implementation.guide.stages[3].countersign: required"));
  CHECK_THAT(m, Contains("implementation.guide.consultation_phone: required"));
  CHECK_THAT(m, Contains("implementation.guide.online_depth: must be FULLY_ONLINE when "
                         "on_site_visits is 0"));
  CHECK_THAT(m, Contains("implementation.guide.result_name: required"));
  CHECK_THAT(m, Contains("implementation.guide.fees[0].name: required"));
  CHECK_THAT(m, Contains("implementation.guide.fees[0].basis: required"));
  CHECK(c.items->Get(impl.implementation_code(), 0).status().code() == absl::StatusCode::kNotFound);
}

TEST_CASE("a missing guide and missing materials and stages are named") {
  Seeded c;
  v1::Implementation no_guide = MakeImplementation("XK00105001", c.city);
  no_guide.clear_guide();
  CHECK_THAT(MessageOf(c.items->Publish(no_guide, kNow).status()),
             Contains("implementation.guide: required"));
  v1::Implementation empty_lists = MakeImplementation("XK00105001", c.city);
  empty_lists.mutable_guide()->clear_materials();
  empty_lists.mutable_guide()->clear_stages();
  empty_lists.mutable_guide()->clear_windows();
  const std::string m = MessageOf(c.items->Publish(empty_lists, kNow).status());
  CHECK_THAT(m, Contains("implementation.guide.materials: at least one required"));
  CHECK_THAT(m, Contains("implementation.guide.stages: at least one required"));
  CHECK_THAT(m, Contains("implementation.guide.windows: at least one required when "
                         "on_site_visits > 0"));
}

TEST_CASE("lists past their limit are refused by count, their extra entries not gone through") {
  Seeded c;
  v1::Implementation many = MakeImplementation("XK00105001", c.city);
  const v1::Stage stage = many.guide().stages(0);
  for (int i = 0; i < kMaxListEntries + 5; ++i) {
    v1::Stage* s = many.mutable_guide()->add_stages();
    *s = stage;
    s->set_stage_id(absl::StrCat("s", i));
    s->set_department_credit_code(CreditCode(900));  // Unknown: a problem each.
  }
  const std::string m = MessageOf(c.items->Publish(many, kNow).status());
  CHECK_THAT(m, Contains(absl::StrCat("implementation.guide.stages: at most ", kMaxListEntries,
                                      " entries, got ", many.guide().stages_size())));
  CHECK_THAT(m, Contains(absl::StrCat("stages[", kMaxListEntries - 1, "]")));
  CHECK_THAT(m, !Contains(absl::StrCat("stages[", kMaxListEntries, "]")));
}

TEST_CASE("every list past its limit stops at the limit and the answer stays bounded") {
  Seeded c;
  v1::Implementation many = MakeImplementation("XK00105001", c.city);
  v1::Guide* g = many.mutable_guide();
  // Empty entries: each would be a problem (three for a window).
  for (int i = 0; i < 20000; ++i) {
    g->add_windows();
    g->add_fees();
    many.add_keywords("");
    many.add_synonyms("");
    many.add_topics("");
    many.add_life_events("");
  }
  const std::string m = MessageOf(c.items->Publish(many, kNow).status());
  CHECK_THAT(m, Contains(absl::StrCat("implementation.guide.windows: at most ", kMaxListEntries,
                                      " entries, got ", g->windows_size())));
  CHECK_THAT(m, !Contains(absl::StrCat("windows[", kMaxListEntries, "]")));
  CHECK_THAT(m, Contains(absl::StrCat("implementation.keywords: at most ", kMaxWords,
                                      " entries, got 20000")));
  CHECK_THAT(m, Contains("more problems not listed"));
  CHECK(m.size() < 100000);

  // An import's answer lists every rejected entry, so its size is bounded.
  google::protobuf::RepeatedPtrField<v1::Implementation> empties;
  for (int i = 0; i <= kMaxImportEntries; ++i) empties.Add();
  const absl::Status too_many =
      c.items
          ->ImportImplementations(empties, kNow,
                                  [](const std::string&) { return absl::OkStatus(); })
          .status();
  CHECK(too_many.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(too_many.message()),
             Contains(absl::StrCat("implementations: at most ", kMaxImportEntries, " per call")));
}

TEST_CASE("instant items promise 0 days, fully online items need no visit, visits are capped") {
  Seeded c;
  v1::Implementation instant = MakeImplementation("QR00301000", c.town);
  instant.mutable_guide()->set_handling(v1::INSTANT);
  instant.mutable_guide()->set_promised_limit_days(0);
  instant.mutable_guide()->set_statutory_limit_days(0);
  CHECK(c.items->Publish(instant, kNow).ok());

  v1::Implementation late_instant = MakeImplementation("QR00301000", c.county);
  late_instant.mutable_guide()->set_handling(v1::INSTANT);
  CHECK_THAT(MessageOf(c.items->Publish(late_instant, kNow).status()),
             Contains("implementation.guide.promised_limit_days: must be 0 for an INSTANT item"));

  v1::Implementation zero_promise = MakeImplementation("XK00105001", c.county);
  zero_promise.mutable_guide()->set_promised_limit_days(0);
  CHECK_THAT(MessageOf(c.items->Publish(zero_promise, kNow).status()),
             Contains("a PROMISED item needs at least 1 working day"));

  v1::Implementation online_with_visit = MakeImplementation("GG00201000", c.hr);
  online_with_visit.mutable_guide()->set_online_depth(v1::FULLY_ONLINE);
  CHECK_THAT(MessageOf(c.items->Publish(online_with_visit, kNow).status()),
             Contains("implementation.guide.on_site_visits: must be 0 for a FULLY_ONLINE item"));

  v1::Implementation many_visits = MakeImplementation("GG00201000", c.hr);
  many_visits.mutable_guide()->set_on_site_visits(6);
  CHECK_THAT(MessageOf(c.items->Publish(many_visits, kNow).status()),
             Contains("implementation.guide.on_site_visits: must be 0..5"));

  v1::Implementation online = MakeImplementation("GG00201000", c.hr);
  online.mutable_guide()->set_online_depth(v1::FULLY_ONLINE);
  online.mutable_guide()->set_on_site_visits(0);
  online.mutable_guide()->clear_windows();
  CHECK(c.items->Publish(online, kNow).ok());
}

TEST_CASE("an implementation sits in its department's region, region and copies are filled in") {
  Seeded c;
  v1::Implementation elsewhere = MakeImplementation("XK00105001", c.county);
  elsewhere.set_region_code(kGuangzhou);
  CHECK_THAT(MessageOf(c.items->Publish(elsewhere, kNow).status()),
             Contains("implementation.region_code: must be the implementing department's "
                      "region (440106000000)"));

  v1::Implementation impl = MakeImplementation("XK00105001", c.county);
  impl.set_type(v1::LEVY);  // Overwritten: the basic item decides.
  impl.add_topics("乱写");
  auto published = c.Publish(impl);
  CHECK(published.region_code() == kTianhe);
  CHECK(published.name() == "食品经营许可");
  CHECK(published.type() == v1::LICENSING);
  REQUIRE(published.topics_size() == 1);
  CHECK(published.topics(0) == "市场准入");
  REQUIRE(published.life_events_size() == 1);
  CHECK(published.life_events(0) == "开办企业");
  REQUIRE(published.applicant_kinds_size() == 1);
  CHECK(published.department_name() == "天河区市场监督管理局");
  CHECK(published.state() == v1::PUBLISHED);
  CHECK(published.publish_time().seconds() == absl::ToUnixSeconds(kNow));
  // A guide read shows the law it rests on.
  CHECK(published.legal_basis() == "《中华人民共和国行政许可法》");
  CHECK(c.items->Get(impl.implementation_code(), 0)->legal_basis() == published.legal_basis());
}

TEST_CASE("each publish makes the next revision and every revision stays readable exactly") {
  Seeded c;
  v1::Implementation impl = MakeImplementation("XK00105001", c.city, "食品经营许可");
  auto first = c.Publish(impl);
  CHECK(first.revision() == 1);
  impl.mutable_guide()->set_promised_limit_days(3);
  impl.set_name("食品经营许可（新办）");
  auto second = c.Publish(impl);
  CHECK(second.revision() == 2);
  // Identical content still makes a revision: a publish is a dated act.
  CHECK(c.Publish(impl).revision() == 3);

  auto current = c.items->Get(impl.implementation_code(), 0);
  REQUIRE(current.ok());
  CHECK(current->revision() == 3);
  auto rev1 = c.items->Get(impl.implementation_code(), 1);
  REQUIRE(rev1.ok());
  CHECK(rev1->revision() == 1);
  CHECK(rev1->guide().promised_limit_days() == 5);
  CHECK(rev1->name() == "食品经营许可");
  auto rev2 = c.items->Get(impl.implementation_code(), 2);
  REQUIRE(rev2.ok());
  CHECK(rev2->guide().promised_limit_days() == 3);
  CHECK(rev2->name() == "食品经营许可（新办）");

  CHECK(c.items->Get(impl.implementation_code(), 4).status().code() == absl::StatusCode::kNotFound);
  CHECK(c.items->Get(impl.implementation_code(), -1).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK_THAT(MessageOf(c.items->Get("XK00105001-junk", 0).status()),
             Contains("implementation_code: "));
}

TEST_CASE("an edit of an older revision is refused, not published over a newer one") {
  Seeded c;
  v1::Implementation impl = MakeImplementation("XK00105001", c.city, "食品经营许可");
  CHECK(c.Publish(impl).revision() == 1);
  // Two editors start from revision 1; the first publishes revision 2.
  v1::Implementation first = impl;
  first.set_name("食品经营许可（新办）");
  auto published = c.items->Publish(first, kNow, 1);
  REQUIRE(published.ok());
  CHECK(published->revision() == 2);
  v1::Implementation second = impl;
  second.set_name("食品经营许可（变更）");
  auto stale = c.items->Publish(second, kNow, 1);
  CHECK(stale.status().code() == absl::StatusCode::kAborted);
  CHECK_THAT(
      std::string(stale.status().message()),
      Contains("expected_revision: " + impl.implementation_code() + " is at revision 2, not 1"));
  CHECK(c.items->Get(impl.implementation_code(), 0)->name() == "食品经营许可（新办）");
  // A withdrawal since the edit began is not undone by it either.
  REQUIRE(c.items->Withdraw(impl.implementation_code(), "撤销", kNow).ok());
  auto over_withdrawal = c.items->Publish(second, kNow, 2);
  CHECK(over_withdrawal.status().code() == absl::StatusCode::kAborted);
  CHECK_THAT(std::string(over_withdrawal.status().message()), Contains("has been withdrawn"));
  CHECK(c.items->Get(impl.implementation_code(), 0)->state() == v1::WITHDRAWN);
  // Without an expected revision the last writer wins, as before.
  CHECK(c.items->Publish(second, kNow)->revision() == 3);
  CHECK(c.items->Publish(second, kNow, -1).status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("a withdrawn implementation stays readable by revision and leaves search at once") {
  Seeded c;
  v1::Implementation impl = MakeImplementation("GG00201000", c.hr, "社会保障卡申领");
  c.Publish(impl);
  c.Publish(impl);
  REQUIRE(c.index->Search(Query("社保卡"))->items_size() == 0);  // not a substring
  REQUIRE(c.index->Search(Query("保障卡"))->items_size() == 1);

  CHECK(c.items->Withdraw(impl.implementation_code(), "", kNow).status().code() ==
        absl::StatusCode::kInvalidArgument);
  auto withdrawn = c.items->Withdraw(impl.implementation_code(), "职能调整", kNow);
  REQUIRE(withdrawn.ok());
  CHECK(withdrawn->state() == v1::WITHDRAWN);
  CHECK(withdrawn->withdraw_reason() == "职能调整");
  CHECK(c.index->Search(Query("保障卡"))->items_size() == 0);

  for (int revision : {0, 1, 2}) {
    auto read = c.items->Get(impl.implementation_code(), revision);
    REQUIRE(read.ok());
    CHECK(read->state() == v1::WITHDRAWN);
    CHECK(read->revision() == (revision == 0 ? 2 : revision));
  }
  // Withdrawing again changes nothing; publishing again brings it back.
  auto again = c.items->Withdraw(impl.implementation_code(), "再次", kNow + absl::Hours(1));
  REQUIRE(again.ok());
  CHECK(again->withdraw_reason() == "职能调整");
  auto back = c.Publish(impl);
  CHECK(back.revision() == 3);
  CHECK(back.state() == v1::PUBLISHED);
  CHECK(c.index->Search(Query("保障卡"))->items_size() == 1);
  CHECK(c.items->Get(impl.implementation_code(), 2)->state() == v1::PUBLISHED);

  CHECK(c.items->Withdraw(absl::StrCat("XK00105001-", c.city), "x", kNow).status().code() ==
        absl::StatusCode::kNotFound);
}

TEST_CASE("an import publishes the valid entries and reports each rejected one with why") {
  Seeded c;
  v1::Implementation good = MakeImplementation("XK00105001", c.city);
  v1::Implementation bad = MakeImplementation("XK00105001", c.county);
  bad.mutable_guide()->clear_result_type();
  v1::Implementation foreign = MakeImplementation("GG00201000", c.hr);
  v1::Implementation good_again = good;  // The same code twice: two revisions.
  auto r = c.items->ImportImplementations(
      Entries({good, bad, foreign, good_again}), kNow, [&](const std::string& department) {
        // A dept_admin of the city regulator.
        return department == c.city ? absl::OkStatus()
                                    : absl::PermissionDeniedError("not your department");
      });
  REQUIRE(r.ok());
  CHECK(r->accepted() == 2);
  REQUIRE(r->rejected_size() == 2);
  CHECK(r->rejected(0).index() == 1);
  CHECK(r->rejected(0).key() == bad.implementation_code());
  CHECK_THAT(r->rejected(0).reason(), Contains("permission") || Contains("not your department"));
  CHECK(r->rejected(1).index() == 2);
  CHECK(c.items->Get(good.implementation_code(), 0)->revision() == 2);
  CHECK(c.index->Search(Query("食品经营"))->items_size() == 1);

  auto admin = c.items->ImportImplementations(Entries({bad, foreign}), kNow,
                                              [](const std::string&) { return absl::OkStatus(); });
  REQUIRE(admin.ok());
  CHECK(admin->accepted() == 1);
  REQUIRE(admin->rejected_size() == 1);
  CHECK_THAT(admin->rejected(0).reason(), Contains("implementation.guide.result_type: required"));

  // A code with a wrong check character is named as such, not refused as
  // someone else's department.
  v1::Implementation misspelt = MakeImplementation("XK00105001", c.city);
  misspelt.set_implementation_code(absl::StrCat("XK00105001-", BrokenCreditCode(1)));
  auto by_dept =
      c.items->ImportImplementations(Entries({misspelt}), kNow, [&](const std::string& department) {
        return department == c.city ? absl::OkStatus()
                                    : absl::PermissionDeniedError("not your department");
      });
  REQUIRE(by_dept.ok());
  REQUIRE(by_dept->rejected_size() == 1);
  CHECK_THAT(by_dept->rejected(0).reason(), Contains("implementation.implementation_code: "));
  CHECK_THAT(by_dept->rejected(0).reason(), !Contains("not your department"));
}

TEST_CASE("a restarted catalog rebuilds the same search index from the store") {
  Seeded c;
  c.Publish(MakeImplementation("GG00201000", c.hr, "社会保障卡申领", {"社保卡"}, {"办社保卡"}));
  c.Publish(MakeImplementation("XK00105001", c.county, "食品经营许可"));
  c.Publish(MakeImplementation("XK00105001", c.city, "食品经营许可"));
  REQUIRE(c.items->Withdraw(absl::StrCat("XK00105001-", c.city), "撤销", kNow).ok());
  c.Open();
  auto social = c.index->Search(Query("社保"));
  REQUIRE(social.ok());
  REQUIRE(social->items_size() == 1);
  CHECK(social->items(0).department_name() == "广州市人力资源和社会保障局");
  CHECK(social->items(0).region_code() == kGuangzhou);
  auto food = c.index->Search(Query("食品经营许可"));
  REQUIRE(food->items_size() == 1);
  CHECK(food->items(0).region_code() == kTianhe);
  CHECK(c.index->stats().documents == 2);
}

TEST_CASE("a renamed department's items are found under its new name, also after a restart") {
  Seeded c;
  c.Publish(MakeImplementation("GG00201000", c.hr, "社会保障卡申领", {"社保卡"}));
  c.AddDepartments({MakeDepartment(4, "广州市人力资源局", kGuangzhou)});
  auto renamed = c.index->Search(Query("社保"));
  REQUIRE(renamed->items_size() == 1);
  CHECK(renamed->items(0).department_name() == "广州市人力资源局");
  c.Open();
  auto restarted = c.index->Search(Query("社保"));
  REQUIRE(restarted->items_size() == 1);
  CHECK(restarted->items(0).department_name() == "广州市人力资源局");
}

TEST_CASE("coverage gauges sum required and published items by the body's level") {
  Seeded c;
  REQUIRE(c.coverage->SetRequired(c.city, {"XK00105001", "GG00201000"}).ok());
  REQUIRE(c.coverage->SetRequired(c.town, {"QR00301000"}).ok());
  c.Publish(MakeImplementation("XK00105001", c.city));
  c.Publish(MakeImplementation("QR00301000", c.town));
  REQUIRE(c.items->Withdraw(absl::StrCat("QR00301000-", c.town), "撤", kNow).ok());

  prometheus::Registry registry;
  CoverageGauges gauges(registry);
  REQUIRE(gauges.Refresh(*c.db).ok());
  std::map<std::string, double> required, onboarded;
  for (const auto& family : registry.Collect()) {
    for (const auto& m : family.metric) {
      const std::string level = m.label.at(0).value;
      (family.name == "onewindow_catalog_required_items" ? required : onboarded)[level] =
          m.gauge.value;
    }
  }
  CHECK(required["city"] == 2);
  CHECK(onboarded["city"] == 1);
  CHECK(required["town"] == 1);
  CHECK(onboarded["town"] == 0);    // Withdrawn items do not count.
  CHECK(required["village"] == 0);  // Every level has a series.
  CHECK(required.size() == 5);
}

TEST_CASE("coverage counts published required items per body and rolls up by region") {
  Seeded c;
  REQUIRE(c.coverage->SetRequired(c.city, {"XK00105001", "GG00201000", "XK00105001"}).value() == 2);
  REQUIRE(c.coverage->SetRequired(c.county, {"XK00105001", "QR00301000"}).value() == 2);
  REQUIRE(c.coverage->SetRequired(c.town, {"QR00301000"}).value() == 1);
  CHECK(c.coverage->SetRequired(c.town, {"XK09999000"}).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(c.coverage->SetRequired(CreditCode(60), {}).status().code() == absl::StatusCode::kNotFound);

  c.Publish(MakeImplementation("XK00105001", c.city));
  c.Publish(MakeImplementation("XK00105001", c.county));
  c.Publish(MakeImplementation("QR00301000", c.county));
  c.Publish(MakeImplementation("QR00301000", c.town));
  REQUIRE(c.items->Withdraw(absl::StrCat("QR00301000-", c.town), "撤", kNow).ok());

  auto report = c.coverage->Report(kGuangzhou);
  REQUIRE(report.ok());
  REQUIRE(report->departments_size() == 4);
  const auto find = [&](const std::string& code) {
    for (const auto& d : report->departments()) {
      if (d.department_credit_code() == code) return d;
    }
    FAIL("no row for " << code);
    return v1::DepartmentCoverage();
  };
  const auto city = find(c.city);
  CHECK(city.required() == 2);
  CHECK(city.published() == 1);
  CHECK(city.ratio() == Approx(0.5));
  REQUIRE(city.missing_basic_codes_size() == 1);
  CHECK(city.missing_basic_codes(0) == "GG00201000");
  CHECK(find(c.county).ratio() == Approx(1.0));
  CHECK(find(c.town).ratio() == Approx(0.0));  // its only item is withdrawn
  CHECK(find(c.hr).required() == 0);
  CHECK(find(c.hr).ratio() == Approx(1.0));

  // Guangzhou itself, then its child Tianhe (which holds the town too).
  REQUIRE(report->regions_size() == 2);
  CHECK(report->regions(0).region_code() == kGuangzhou);
  CHECK(report->regions(0).required() == 5);
  CHECK(report->regions(0).published() == 3);
  CHECK(report->regions(1).region_code() == kTianhe);
  CHECK(report->regions(1).required() == 3);
  CHECK(report->regions(1).published() == 2);

  auto tianhe = c.coverage->Report(kTianhe);
  REQUIRE(tianhe.ok());
  CHECK(tianhe->departments_size() == 2);
  auto all = c.coverage->Report("");
  REQUIRE(all.ok());
  REQUIRE(all->regions_size() == 2);
  CHECK(all->regions(0).region_code().empty());
  CHECK(all->regions(1).region_code() == kProvince);
  CHECK(all->regions(1).required() == 5);
  CHECK(c.coverage->Report("440199000000").status().code() == absl::StatusCode::kNotFound);
  CHECK(c.coverage->Report("44").status().code() == absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace onewindow::catalog::test
