#include <catch2/catch.hpp>

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tests/unit/catalog_fixture.h"

namespace onewindow::catalog::test {
namespace {

using Catch::Matchers::Contains;

std::string Join(const std::vector<std::string>& list) {
  return absl::StrJoin(list, std::string(1, kListSeparator));
}

// Owns the text an Doc views.
struct Doc {
  uint32_t id = 0;
  std::string code;
  std::string name;
  std::string words;
  std::string region_code;
  std::string department_credit_code;
  std::string department_name;
  int type = v1::LICENSING;
  std::string topics;
  std::string life_events;
  uint32_t applicant_kinds = 1u << v1::NATURAL_PERSON;
  int on_site_visits = 1;
  int online_depth = v1::ONLINE_APPLICATION;

  IndexEntry entry() const {
    IndexEntry e;
    e.id = id;
    e.code = code;
    e.name = name;
    e.words = words;
    e.region_code = region_code;
    e.department_credit_code = department_credit_code;
    e.department_name = department_name;
    e.type = type;
    e.topics = topics;
    e.life_events = life_events;
    e.applicant_kinds = applicant_kinds;
    e.on_site_visits = on_site_visits;
    e.online_depth = online_depth;
    e.revision = 1;
    return e;
  }
};

Doc Entry(uint32_t id, const std::string& name, const std::string& region,
          const std::vector<std::string>& words = {}) {
  Doc d;
  d.id = id;
  d.code = absl::StrCat("XK", 10000000 + id, "-", CreditCode(static_cast<int>(id)));
  d.name = name;
  d.words = Join(words);
  d.region_code = region;
  d.department_credit_code = CreditCode(static_cast<int>(id % 7));
  d.department_name = absl::StrCat("部门", id % 7);
  return d;
}

v1::SearchItemsRequest Query(const std::string& q, const std::string& region = "") {
  v1::SearchItemsRequest r;
  r.set_q(q);
  r.set_region_code(region);
  return r;
}

std::vector<std::string> Names(const absl::StatusOr<v1::SearchItemsResponse>& r) {
  REQUIRE(r.ok());
  std::vector<std::string> names;
  for (const auto& item : r->items()) names.push_back(item.name());
  return names;
}

std::multiset<std::string> Regions(const absl::StatusOr<v1::SearchItemsResponse>& r) {
  REQUIRE(r.ok());
  std::multiset<std::string> regions;
  for (const auto& item : r->items()) regions.insert(item.region_code());
  return regions;
}

TEST_CASE("republishing and withdrawing over and over does not grow the text store for ever") {
  SearchIndex index;
  index.Upsert(Entry(1, "社会保障卡申领", kGuangzhou, {"社保卡"}).entry());
  Doc churned = Entry(2, "", kGuangzhou);
  churned.topics = "市场准入";
  for (int i = 0; i < 20000; ++i) {
    churned.name = absl::StrCat("食品经营许可第", i, "版");
    churned.words = absl::StrCat("关键词", i);
    index.Upsert(churned.entry());
    if (i % 100 == 50) index.Remove(2);
  }
  // About 60 bytes a revision: 1.2 MB had every one been kept.
  CHECK(index.stats().text_bytes < 200000);
  CHECK(Names(index.Search(Query("社保"))) == std::vector<std::string>{"社会保障卡申领"});
  CHECK(Names(index.Search(Query("食品经营"))) ==
        std::vector<std::string>{"食品经营许可第19999版"});
  CHECK(Names(index.Search(Query("关键词19999"))) ==
        std::vector<std::string>{"食品经营许可第19999版"});
}

TEST_CASE("an item indexed with its department's old name does not undo a rename") {
  SearchIndex index;
  Doc first = Entry(1, "社保卡申领", kGuangzhou);
  first.department_name = "人力资源和社会保障局";
  index.Upsert(first.entry());
  index.RenameDepartment(first.department_credit_code, "人力资源局");
  // A publish that read the name before the rename reaches the index after.
  Doc second = Entry(8, "社保关系转移", kGuangzhou);
  second.department_credit_code = first.department_credit_code;
  second.department_name = "人力资源和社会保障局";
  index.Upsert(second.entry());
  auto found = index.Search(Query("社保"));
  REQUIRE(found.ok());
  REQUIRE(found->items_size() == 2);
  for (const auto& item : found->items()) CHECK(item.department_name() == "人力资源局");

  // The same for a department whose first item arrives after its rename.
  Doc late = Entry(9, "就业登记", kGuangzhou);
  late.department_credit_code = CreditCode(900);
  late.department_name = "就业服务中心";
  index.RenameDepartment(late.department_credit_code, "就业服务管理中心");
  index.Upsert(late.entry());
  auto registered = index.Search(Query("就业"));
  REQUIRE(registered.ok());
  REQUIRE(registered->items_size() == 1);
  CHECK(registered->items(0).department_name() == "就业服务管理中心");
}

TEST_CASE("a two-character query finds every name containing it") {
  SearchIndex index;
  index.Upsert(Entry(1, "社会保障卡申领", kGuangzhou).entry());
  index.Upsert(Entry(2, "社保关系转移", kGuangzhou).entry());
  index.Upsert(Entry(3, "城乡居民社保缴费", kGuangzhou).entry());
  index.Upsert(Entry(4, "户口迁移", kGuangzhou).entry());
  CHECK(Names(index.Search(Query("社保"))) ==
        std::vector<std::string>{"社保关系转移", "城乡居民社保缴费"});
  CHECK(Names(index.Search(Query("户口"))) == std::vector<std::string>{"户口迁移"});
  CHECK(Names(index.Search(Query("迁居"))).empty());
}

TEST_CASE("a four-character query matches the whole substring, not just its bigrams") {
  SearchIndex index;
  index.Upsert(Entry(1, "营业执照变更登记", kGuangzhou).entry());
  // Holds the bigrams 营业, 业执 and 执照 but not "营业执照".
  index.Upsert(Entry(2, "营业业执执照", kGuangzhou).entry());
  index.Upsert(Entry(3, "ABAB测试", kGuangzhou).entry());
  index.Upsert(Entry(4, "ABXBAB测试", kGuangzhou).entry());
  CHECK(Names(index.Search(Query("营业执照"))) == std::vector<std::string>{"营业执照变更登记"});
  CHECK(Names(index.Search(Query("abab"))) == std::vector<std::string>{"ABAB测试"});
}

TEST_CASE("an exact name ranks first, then names containing the query, then synonyms only") {
  SearchIndex index;
  index.Upsert(Entry(1, "办理居住证", kGuangzhou, {"居住证"}).entry());
  index.Upsert(Entry(2, "流动人口登记", kGuangzhou, {"暂住证", "居住证登记"}).entry());
  index.Upsert(Entry(3, "居住证", kGuangzhou).entry());
  index.Upsert(Entry(4, "居住证签注", kGuangzhou).entry());
  CHECK(Names(index.Search(Query("居住证"))) ==
        std::vector<std::string>{"居住证", "办理居住证", "居住证签注", "流动人口登记"});
  // Only a synonym matches.
  CHECK(Names(index.Search(Query("暂住"))) == std::vector<std::string>{"流动人口登记"});
  // A match across two words is no match.
  CHECK(Names(index.Search(Query("住证居"))).empty());
}

TEST_CASE("queries shorter than two characters or not UTF-8 are INVALID_ARGUMENT") {
  SearchIndex index;
  index.Upsert(Entry(1, "社会保障卡申领", kGuangzhou).entry());
  for (const std::string q : {"社", " 社 ", "a", "\xE7\xA4"}) {
    auto r = index.Search(Query(q));
    CHECK(r.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(r.status().message()), Contains("q: "));
  }
  CHECK(index.Search(Query(std::string(65 * 3, 'x'))).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(index.Search(Query("社保", "4401")).status().message()),
             Contains("region_code: "));
}

TEST_CASE("ASCII letters match case-insensitively and names keep their case") {
  SearchIndex index;
  index.Upsert(Entry(1, "ICP备案", kGuangzhou, {"Website"}).entry());
  CHECK(Names(index.Search(Query("icp"))) == std::vector<std::string>{"ICP备案"});
  CHECK(Names(index.Search(Query("WEBSITE"))) == std::vector<std::string>{"ICP备案"});
}

TEST_CASE("a village citizen sees items of all five levels above it but not a sibling county's") {
  SearchIndex index;
  const std::vector<std::string> regions = {kProvince,  kGuangzhou, kTianhe,   kShipai,
                                            kCommunity, kYuexiu,    kDongguan, kDongcheng};
  for (size_t i = 0; i < regions.size(); ++i) {
    index.Upsert(Entry(static_cast<uint32_t>(i + 1), "社会保障卡申领", regions[i]).entry());
  }
  CHECK(Regions(index.Search(Query("社会保障", kCommunity))) ==
        std::multiset<std::string>{kProvince, kGuangzhou, kTianhe, kShipai, kCommunity});
  CHECK(Regions(index.Search(Query("社保卡", kCommunity))).empty());
  CHECK(Regions(index.Search(Query("保障", kYuexiu))) ==
        std::multiset<std::string>{kProvince, kGuangzhou, kYuexiu});
  CHECK(Regions(index.Search(Query("保障", kGuangzhou))) ==
        std::multiset<std::string>{kProvince, kGuangzhou});
  CHECK(Regions(index.Search(Query("保障"))).size() == regions.size());
  // An empty query lists what the region sees.
  CHECK(Regions(index.Search(Query("", kShipai))) ==
        std::multiset<std::string>{kProvince, kGuangzhou, kTianhe, kShipai});
}

TEST_CASE("a Dongguan village sees its town, its city and the province, with no county between") {
  SearchIndex index;
  index.Upsert(Entry(1, "户口迁移", kProvince).entry());
  index.Upsert(Entry(2, "户口迁移", kDongguan).entry());
  index.Upsert(Entry(3, "户口迁移", kDongcheng).entry());
  index.Upsert(Entry(4, "户口迁移", kDongguanVillage).entry());
  index.Upsert(Entry(5, "户口迁移", kGuangzhou).entry());
  index.Upsert(Entry(6, "户口迁移", "441900004000").entry());  // another Dongguan town
  CHECK(Regions(index.Search(Query("户口", kDongguanVillage))) ==
        std::multiset<std::string>{kProvince, kDongguan, kDongcheng, kDongguanVillage});
}

TEST_CASE("withdrawn items leave search and browse at once and return when republished") {
  SearchIndex index;
  index.Upsert(Entry(1, "社会保障卡申领", kGuangzhou).entry());
  Doc second = Entry(2, "社会保障卡补领", kGuangzhou);
  second.topics = Join({"社会保障"});
  index.Upsert(second.entry());
  index.Remove(2);
  CHECK(Names(index.Search(Query("社会保障"))) == std::vector<std::string>{"社会保障卡申领"});
  CHECK(Names(index.Search(Query("补领"))).empty());
  CHECK(index.BrowseTopics("")->entries_size() == 0);
  index.Remove(2);  // twice is harmless
  index.Upsert(second.entry());
  CHECK(Names(index.Search(Query("补领"))) == std::vector<std::string>{"社会保障卡补领"});
  CHECK(index.stats().documents == 2);
}

TEST_CASE("republishing under a new name moves the item between queries") {
  SearchIndex index;
  index.Upsert(Entry(1, "机动车驾驶证换证", kGuangzhou, {"驾照"}).entry());
  Doc renamed = Entry(1, "驾驶证期满换领", kGuangzhou, {"换驾照"});
  index.Upsert(renamed.entry());
  CHECK(Names(index.Search(Query("机动车"))).empty());
  CHECK(Names(index.Search(Query("期满"))) == std::vector<std::string>{"驾驶证期满换领"});
  CHECK(Names(index.Search(Query("换驾"))) == std::vector<std::string>{"驾驶证期满换领"});
  CHECK(index.stats().documents == 1);
}

TEST_CASE("paging with the cursor returns every hit exactly once in rank order") {
  SearchIndex index;
  std::set<std::string> expected;
  for (uint32_t id = 1; id <= 250; ++id) {
    std::string name;
    std::vector<std::string> words;
    switch (id % 4) {
      case 0:
        name = "社保";  // exact
        break;
      case 1:
        name = absl::StrCat("社保业务", id);
        break;
      case 2:
        name = absl::StrCat("其他事项", id);
        words = {"社保相关"};
        break;
      default:
        name = absl::StrCat("无关事项", id);
        break;
    }
    Doc e = Entry(id, name, id % 2 == 0 ? kGuangzhou : kTianhe, words);
    index.Upsert(e.entry());
    if (id % 4 != 3) expected.insert(e.code);
  }
  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    v1::SearchItemsRequest r = Query("社保");
    r.set_page_size(7);
    r.set_page_token(token);
    auto page = index.Search(r);
    REQUIRE(page.ok());
    CHECK(page->items_size() <= 7);
    for (const auto& item : page->items()) seen.push_back(item.implementation_code());
    token = page->next_page_token();
    ++pages;
    // An item added mid-way ranks after the cursor (a later class), so it
    // still shows up, and nothing already seen repeats.
    if (pages == 3) index.Upsert(Entry(1000, "社保新事项", kGuangzhou).entry());
  } while (!token.empty() && pages < 100);
  expected.insert(Entry(1000, "", "").code);
  CHECK(std::set<std::string>(seen.begin(), seen.end()) == expected);
  CHECK(seen.size() == expected.size());
  // Exact names first, then names containing, then keyword-only.
  CHECK(seen.front() == Entry(4, "", "").code);
  CHECK(seen.back() == Entry(250, "", "").code);
}

TEST_CASE("the page size defaults to 20 and is capped at 100") {
  SearchIndex index;
  for (uint32_t id = 1; id <= 150; ++id) index.Upsert(Entry(id, "户口迁移", kGuangzhou).entry());
  auto first = index.Search(Query("户口"));
  REQUIRE(first.ok());
  CHECK(first->items_size() == 20);
  CHECK_FALSE(first->next_page_token().empty());
  v1::SearchItemsRequest big = Query("户口");
  big.set_page_size(1000);
  CHECK(index.Search(big)->items_size() == 100);
  big.set_page_size(150);
  auto all = index.Search(big);
  CHECK(all->items_size() == 100);
  big.set_page_token(all->next_page_token());
  auto rest = index.Search(big);
  CHECK(rest->items_size() == 50);
  CHECK(rest->next_page_token().empty());
  big.set_page_size(-1);
  CHECK(index.Search(big).status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("a garbage page token is INVALID_ARGUMENT naming page_token") {
  SearchIndex index;
  index.Upsert(Entry(1, "户口迁移", kGuangzhou).entry());
  for (const std::string token :
       {"garbage!", "OTo1", "MTp4", "MTo5OTk5OTk5OTk5OQ", "MTotMQ", "Mw"}) {
    v1::SearchItemsRequest r = Query("户口");
    r.set_page_token(token);
    auto result = index.Search(r);
    INFO(token);
    CHECK(result.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(result.status().message()), Contains("page_token: "));
  }
  // A text query's class-2 token means nothing to an empty query.
  v1::SearchItemsRequest listing = Query("");
  listing.set_page_token("Mjox");  // "2:1"
  CHECK(index.Search(listing).status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("filters narrow by department, type, topic, life event, applicant kind and online") {
  SearchIndex index;
  Doc a = Entry(1, "企业开办登记", kGuangzhou);
  a.type = v1::LICENSING;
  a.topics = Join({"市场准入"});
  a.life_events = Join({"开办企业"});
  a.applicant_kinds = 1u << v1::LEGAL_PERSON;
  a.online_depth = v1::FULLY_ONLINE;
  a.on_site_visits = 0;
  Doc b = Entry(2, "企业注销登记", kGuangzhou);
  b.type = v1::CONFIRMATION;
  b.topics = Join({"市场准入", "企业服务"});
  b.life_events = Join({"企业注销"});
  Doc c = Entry(3, "企业年报", kTianhe);
  c.type = v1::PUBLIC_SERVICE;
  index.Upsert(a.entry());
  index.Upsert(b.entry());
  index.Upsert(c.entry());

  v1::SearchItemsRequest r = Query("企业");
  r.set_type(v1::CONFIRMATION);
  CHECK(Names(index.Search(r)) == std::vector<std::string>{"企业注销登记"});
  r = Query("企业");
  r.set_topic("市场准入");
  CHECK(Names(index.Search(r)) == std::vector<std::string>{"企业开办登记", "企业注销登记"});
  r = Query("");
  r.set_life_event("开办企业");
  CHECK(Names(index.Search(r)) == std::vector<std::string>{"企业开办登记"});
  r = Query("企业");
  r.set_applicant_kind(v1::LEGAL_PERSON);
  CHECK(Names(index.Search(r)) == std::vector<std::string>{"企业开办登记"});
  r = Query("登记");
  r.set_fully_online_only(true);
  CHECK(Names(index.Search(r)) == std::vector<std::string>{"企业开办登记"});
  r = Query("企业");
  r.set_department_credit_code(c.department_credit_code);
  CHECK(Names(index.Search(r)) == std::vector<std::string>{"企业年报"});
  r.set_department_credit_code(BrokenCreditCode(3));
  CHECK_THAT(std::string(index.Search(r).status().message()), Contains("department_credit_code: "));
  r = Query("企业");
  r.set_topic("没有这个主题");
  CHECK(Names(index.Search(r)).empty());
}

TEST_CASE("browse counts topics and life events a region's citizens can see") {
  SearchIndex index;
  Doc province = Entry(1, "社会保障卡申领", kProvince);
  province.topics = Join({"社会保障"});
  province.life_events = Join({"就业"});
  Doc tianhe = Entry(2, "失业登记", kTianhe);
  tianhe.topics = Join({"社会保障", "就业创业"});
  tianhe.life_events = Join({"失业"});
  Doc yuexiu = Entry(3, "创业补贴", kYuexiu);
  yuexiu.topics = Join({"就业创业"});
  index.Upsert(province.entry());
  index.Upsert(tianhe.entry());
  index.Upsert(yuexiu.entry());

  auto all = index.BrowseTopics("");
  REQUIRE(all.ok());
  REQUIRE(all->entries_size() == 2);
  CHECK(all->entries(0).count() == 2);
  CHECK(all->entries(1).count() == 2);

  auto shipai = index.BrowseTopics(kShipai);
  REQUIRE(shipai.ok());
  REQUIRE(shipai->entries_size() == 2);
  CHECK(shipai->entries(0).name() == "社会保障");
  CHECK(shipai->entries(0).count() == 2);
  CHECK(shipai->entries(1).name() == "就业创业");
  CHECK(shipai->entries(1).count() == 1);

  auto events = index.BrowseLifeEvents(kYuexiu);
  REQUIRE(events.ok());
  REQUIRE(events->entries_size() == 1);
  CHECK(events->entries(0).name() == "就业");
  CHECK(events->entries(0).count() == 1);
  CHECK(index.BrowseTopics("bad").status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("published implementations are searchable through the catalog with their guide facts") {
  Catalog c;
  c.AddDepartments({MakeDepartment(1, "广东省公安厅", kProvince),
                    MakeDepartment(2, "东城街道办事处", kDongcheng)});
  c.AddBasics({MakeBasic("QR00301000", "居住证签注", {"户籍办理"}, {"迁居"})});
  c.Publish(MakeImplementation("QR00301000", CreditCode(1), "", {"居住证"}, {"暂住证"}));
  v1::Implementation town = MakeImplementation("QR00301000", CreditCode(2));
  town.mutable_guide()->set_online_depth(v1::FULLY_ONLINE);
  town.mutable_guide()->set_on_site_visits(0);
  c.Publish(town);

  v1::SearchItemsRequest r = Query("暂住证", kDongguanVillage);
  auto found = c.index->Search(r);
  REQUIRE(found.ok());
  REQUIRE(found->items_size() == 1);
  CHECK(found->items(0).department_name() == "广东省公安厅");
  CHECK(found->items(0).type() == v1::CONFIRMATION);
  CHECK(found->items(0).revision() == 1);
  r = Query("签注", kDongguanVillage);
  r.set_fully_online_only(true);
  found = c.index->Search(r);
  REQUIRE(found->items_size() == 1);
  CHECK(found->items(0).region_code() == kDongcheng);
  CHECK(found->items(0).on_site_visits() == 0);
  auto events = c.index->BrowseLifeEvents(kDongguanVillage);
  REQUIRE(events->entries_size() == 1);
  CHECK(events->entries(0).name() == "迁居");
  CHECK(events->entries(0).count() == 2);
}

}  // namespace
}  // namespace onewindow::catalog::test
