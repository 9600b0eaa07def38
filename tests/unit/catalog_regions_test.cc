#include <catch2/catch.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/testing/process.h"
#include "services/catalog/regions.h"
#include "services/catalog/schema.h"

namespace onewindow::catalog {
namespace {

v1::Region R(const std::string& code, const std::string& name) {
  v1::Region r;
  r.set_code(code);
  r.set_name(name);
  return r;
}

struct Fixture {
  testing::TempDir dir;
  std::unique_ptr<store::Database> db;
  std::unique_ptr<Regions> regions;
  Fixture() {
    auto opened = store::Database::Open({absl::StrCat(dir.path(), "/c.db")}, CatalogMigrations());
    REQUIRE(opened.ok());
    db = *std::move(opened);
    regions = std::make_unique<Regions>(db.get());
    // Children before parents on purpose: import orders them itself.
    auto n = regions->Import({R("440106001001", "某社区"), R("440106001000", "某街道"),
                              R("440106000000", "天河区"), R("440100000000", "广州市"),
                              R("440000000000", "广东省"), R("441900000000", "东莞市"),
                              R("441900003000", "东城街道"), R("441900003002", "某村")});
    REQUIRE(n.ok());
  }
};

TEST_CASE("levels and parents come from the code, all five levels deep") {
  Fixture f;
  auto village = f.regions->Get("440106001001");
  REQUIRE(village.ok());
  CHECK(village->level() == v1::VILLAGE);
  CHECK(village->parent_code() == "440106001000");
  auto ancestors = f.regions->Ancestors("440106001001");
  REQUIRE(ancestors.ok());
  REQUIRE(ancestors->size() == 4);
  CHECK((*ancestors)[0].code() == "440106001000");
  CHECK((*ancestors)[3].code() == "440000000000");
}

TEST_CASE("a Dongguan town sits directly under its city with no county") {
  Fixture f;
  auto town = f.regions->Get("441900003000");
  REQUIRE(town.ok());
  CHECK(town->level() == v1::TOWN);
  CHECK(town->parent_code() == "441900000000");
  auto ancestors = f.regions->Ancestors("441900003002");
  REQUIRE(ancestors.ok());
  REQUIRE(ancestors->size() == 3);
  CHECK((*ancestors)[1].code() == "441900000000");
  auto children = f.regions->Children("441900000000");
  REQUIRE(children.ok());
  REQUIRE(children->size() == 1);
  CHECK((*children)[0].code() == "441900003000");
}

TEST_CASE("provinces are the children of the root code") {
  Fixture f;
  auto provinces = f.regions->Children("000000000000");
  REQUIRE(provinces.ok());
  REQUIRE(provinces->size() == 1);
  CHECK((*provinces)[0].name() == "广东省");
}

TEST_CASE("a malformed region code is INVALID_ARGUMENT naming the field") {
  Fixture f;
  auto r = f.regions->Get("44010600100X");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StartsWith(r.status().message(), "code: "));
  CHECK(f.regions->Get("440199000000").status().code() == absl::StatusCode::kNotFound);
}

TEST_CASE("an import with an orphan or a bad row changes nothing and names every problem") {
  Fixture f;
  auto n = f.regions->Import({R("440300000000", "深圳市"), R("440305001000", "某街道"),
                              R("4403", "short"), R("440304000000", "")});
  REQUIRE_FALSE(n.ok());
  CHECK(absl::StrContains(n.status().message(), "regions[2].code"));
  CHECK(absl::StrContains(n.status().message(), "regions[3].name: required"));
  auto orphan = f.regions->Import({R("440300000000", "深圳市"), R("440305001000", "某街道")});
  REQUIRE_FALSE(orphan.ok());
  CHECK(absl::StrContains(orphan.status().message(), "440305000000"));
  CHECK(f.regions->Get("440300000000").status().code() == absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace onewindow::catalog
