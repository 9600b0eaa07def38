// The synthetic province must be something the catalog accepts line by line:
// these tests parse every generated line with protobuf's own JSON parser and
// run it through libs/codes and the catalog's validation.
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/codes/credit_code.h"
#include "libs/codes/item_code.h"
#include "libs/codes/region_code.h"
#include "libs/status/proto_json.h"
#include "libs/testing/process.h"
#include "onewindow/catalog/v1/catalog.pb.h"
#include "services/catalog/validation.h"
#include "tools/catalog_gen/catalog_data.h"
#include "tools/catalog_gen/generator.h"

namespace onewindow::catalog_gen {
namespace {

namespace v1 = catalog::v1;

template <typename Message>
std::vector<Message> ReadLines(const std::string& path) {
  std::vector<Message> out;
  std::ifstream in(path);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    Message m;
    const absl::Status s = status::JsonToMessage(line, &m);
    INFO(path << ":" << number << ": " << s.message());
    REQUIRE(s.ok());
    out.push_back(std::move(m));
  }
  return out;
}

struct Province {
  static constexpr int64_t kImplementations = 6000;
  testing::TempDir dir;
  Summary summary;
  std::vector<v1::Region> regions;
  std::vector<v1::Department> departments;
  std::vector<v1::BasicItem> basic_items;
  std::vector<v1::Implementation> implementations;
  std::vector<v1::SetRequiredItemsRequest> required;

  Province() {
    Options options;
    options.implementations = kImplementations;
    options.seed = 7;
    options.out_dir = dir.path();
    absl::StatusOr<Summary> s = Generate(options);
    REQUIRE(s.ok());
    summary = *s;
    regions = ReadLines<v1::Region>(Path("regions.jsonl"));
    departments = ReadLines<v1::Department>(Path("departments.jsonl"));
    basic_items = ReadLines<v1::BasicItem>(Path("basic_items.jsonl"));
    implementations = ReadLines<v1::Implementation>(Path("implementations.jsonl"));
    required = ReadLines<v1::SetRequiredItemsRequest>(Path("required_items.jsonl"));
  }
  std::string Path(const std::string& file) const { return absl::StrCat(dir.path(), "/", file); }
};

const Province& Small() {
  static const Province province;
  return province;
}

// The catalog's view of stored data, backed by the generated files.
class GeneratedFacts final : public catalog::CatalogFacts {
 public:
  explicit GeneratedFacts(const Province& p) {
    for (const auto& r : p.regions) regions_.insert(r.code());
    for (const auto& d : p.departments) departments_[d.credit_code()] = d;
    for (auto item : p.basic_items) {
      REQUIRE(catalog::NormalizeBasicItem(&item).ok());
      items_[item.basic_code()] = item;
    }
  }
  const v1::Department* FindDepartment(const std::string& code) override {
    auto it = departments_.find(code);
    return it == departments_.end() ? nullptr : &it->second;
  }
  const v1::BasicItem* FindBasicItem(const std::string& code) override {
    auto it = items_.find(code);
    return it == items_.end() ? nullptr : &it->second;
  }
  bool RegionExists(const std::string& code) override { return regions_.count(code) > 0; }

 private:
  std::set<std::string> regions_;
  std::map<std::string, v1::Department> departments_;
  std::map<std::string, v1::BasicItem> items_;
};

TEST_CASE("the basic catalog has valid, unique codes and searchable words") {
  const Catalog& c = GetCatalog();
  REQUIRE(c.items.size() > 300);
  std::set<std::string> codes;
  for (const BasicItem& item : c.items) {
    INFO(item.basic_code << " " << item.name);
    CHECK(codes::ValidateBasicCode(item.basic_code).ok());
    CHECK(item.basic_code.substr(0, 2) == codes::ItemTypeCode(item.type));
    CHECK(codes.insert(item.basic_code).second);
    CHECK(!item.legal_basis.empty());
    CHECK(!item.result_name.empty());
  }
  CHECK(c.cities.size() == 21);
  for (int n : {2, 4}) {
    const std::vector<std::string> words = QueryWords(n);
    CHECK(words.size() >= 10);
    for (const std::string& w : words) CHECK(static_cast<int>(Utf8Chars(w).size()) == n);
  }
}

TEST_CASE("regions form Guangdong's tree, parents first, with no county under Dongguan") {
  const Province& p = Small();
  std::set<std::string> seen;
  std::set<std::string> cities;
  bool dongguan_town = false, zhongshan_town = false, village = false;
  for (const auto& r : p.regions) {
    INFO(r.code() << " " << r.name());
    REQUIRE(codes::ValidateRegionCode(r.code()).ok());
    const std::optional<std::string> parent = codes::ParentOf(r.code());
    CHECK(r.parent_code() == parent.value_or(""));
    if (parent.has_value()) CHECK(seen.count(*parent) == 1);
    CHECK(seen.insert(r.code()).second);
    CHECK(!r.name().empty());
    if (r.level() == v1::CITY) cities.insert(r.code().substr(0, 4));
    if (r.level() == v1::TOWN && r.code().substr(0, 4) == "4419") {
      dongguan_town = r.parent_code() == "441900000000";
    }
    if (r.level() == v1::TOWN && r.code().substr(0, 4) == "4420") {
      zhongshan_town = r.parent_code() == "442000000000";
    }
    if (r.level() == v1::VILLAGE) village = true;
  }
  CHECK(cities == std::set<std::string>{"4401", "4402", "4403", "4404", "4405", "4406", "4407",
                                        "4408", "4409", "4412", "4413", "4414", "4415", "4416",
                                        "4417", "4418", "4419", "4420", "4451", "4452", "4453"});
  CHECK(dongguan_town);
  CHECK(zhongshan_town);
  CHECK(village);
}

TEST_CASE("every body is a government body with a valid credit code in its own region") {
  const Province& p = Small();
  std::set<std::string> seen;
  std::set<std::string> regions;
  for (const auto& r : p.regions) regions.insert(r.code());
  std::set<std::string> cities_with_bodies;
  for (const auto& d : p.departments) {
    INFO(d.credit_code() << " " << d.name());
    CHECK(codes::ValidateCreditCode(d.credit_code()).ok());
    CHECK(codes::IsGovernmentBody(d.credit_code()));
    CHECK(d.credit_code().substr(2, 6) == d.region_code().substr(0, 6));
    CHECK(regions.count(d.region_code()) == 1);
    // Parents come first, so an importer sending the file in order never
    // sends a body before its parent.
    if (!d.parent_credit_code().empty()) CHECK(seen.count(d.parent_credit_code()) == 1);
    CHECK(seen.insert(d.credit_code()).second);
    cities_with_bodies.insert(d.region_code().substr(0, 4));
  }
  CHECK(cities_with_bodies.size() == 22);  // the province and its 21 cities
}

TEST_CASE("every generated line passes the catalog's own validation") {
  const Province& p = Small();
  GeneratedFacts facts(p);
  for (const auto& d : p.departments) {
    const absl::Status s = catalog::ValidateDepartment(d, facts);
    INFO(d.credit_code() << ": " << s.message());
    CHECK(s.ok());
  }
  REQUIRE(static_cast<int64_t>(p.implementations.size()) == Province::kImplementations);
  for (auto impl : p.implementations) {
    const absl::Status s = catalog::PrepareImplementation(&impl, facts);
    INFO(impl.implementation_code() << ": " << s.message());
    REQUIRE(s.ok());
  }
}

TEST_CASE("implementation codes and guides follow the domain rules") {
  const Province& p = Small();
  std::map<std::string, std::string> region_of;
  for (const auto& d : p.departments) region_of[d.credit_code()] = d.region_code();
  std::set<std::string> codes_seen;
  int countersigned = 0, licence_materials = 0, instant = 0, fully_online = 0, with_fees = 0;
  for (const auto& impl : p.implementations) {
    INFO(impl.implementation_code());
    absl::StatusOr<codes::ImplementationCodeParts> parts =
        codes::ParseImplementationCode(impl.implementation_code());
    REQUIRE(parts.ok());
    CHECK(parts->basic_code == impl.basic_code());
    CHECK(parts->credit_code == impl.department_credit_code());
    CHECK(codes_seen.insert(impl.implementation_code()).second);
    const v1::Guide& g = impl.guide();
    CHECK(g.statutory_limit_days() >= g.promised_limit_days());
    CHECK((g.on_site_visits() == 0) == (g.online_depth() == v1::FULLY_ONLINE));
    CHECK(g.on_site_visits() <= 2);
    CHECK(!g.windows().empty());
    int stage_days = 0;
    for (const auto& stage : g.stages()) {
      stage_days += stage.time_limit_days();
      CHECK(stage.department_credit_code() == impl.department_credit_code());
      for (const auto& signer : stage.countersign_departments()) {
        CHECK(signer != impl.department_credit_code());
        CHECK(region_of[signer] == impl.region_code());
      }
      if (stage.countersign() != v1::COUNTERSIGN_MODE_UNSPECIFIED) ++countersigned;
    }
    CHECK(stage_days == g.promised_limit_days());
    for (const auto& m : g.materials()) {
      if (!m.licence_type().empty()) ++licence_materials;
    }
    if (g.handling() == v1::INSTANT) ++instant;
    if (g.online_depth() == v1::FULLY_ONLINE) ++fully_online;
    if (!g.fees().empty()) ++with_fees;
  }
  CHECK(countersigned > 0);
  CHECK(licence_materials > 0);
  CHECK(instant > 0);
  CHECK(fully_online > 0);
  CHECK(with_fees > 0);
}

TEST_CASE("bodies must onboard what they publish, and some must onboard more") {
  const Province& p = Small();
  std::map<std::string, std::set<std::string>> published;
  for (const auto& impl : p.implementations) {
    published[impl.department_credit_code()].insert(impl.basic_code());
  }
  std::map<std::string, std::set<std::string>> required;
  for (const auto& r : p.required) {
    required[r.department_credit_code()].insert(r.basic_codes().begin(), r.basic_codes().end());
  }
  int short_bodies = 0;
  for (const auto& [body, codes] : published) {
    INFO(body);
    for (const auto& code : codes) CHECK(required[body].count(code) == 1);
    if (required[body].size() > codes.size()) ++short_bodies;
  }
  CHECK(short_bodies > 0);
  CHECK(short_bodies == p.summary.departments_short);
}

TEST_CASE("the same seed writes the same files") {
  const Province& p = Small();
  testing::TempDir again;
  Options options;
  options.implementations = Province::kImplementations;
  options.seed = 7;
  options.out_dir = again.path();
  REQUIRE(Generate(options).ok());
  for (const std::string& file : OutputFiles()) {
    INFO(file);
    CHECK(testing::ReadFile(absl::StrCat(again.path(), "/", file)) ==
          testing::ReadFile(p.Path(file)));
  }
}

TEST_CASE("any size is written exactly, with at least one body per city") {
  for (int64_t n : {0, 1, 37, 2500}) {
    testing::TempDir dir;
    Options options;
    options.implementations = n;
    options.out_dir = dir.path();
    absl::StatusOr<Summary> s = Generate(options);
    REQUIRE(s.ok());
    CHECK(s->implementations == n);
    CHECK(s->files[3].lines == n);
    CHECK(s->departments >= 22);
  }
}

}  // namespace
}  // namespace onewindow::catalog_gen
