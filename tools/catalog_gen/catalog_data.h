#pragma once

// The static knowledge the synthetic-province generator draws on: Guangdong's
// 21 cities and their real counties, the kinds of government bodies, and a
// basic catalog (基本目录) of service items across the platform's focus areas
// with what their guides need. Kept apart from the generator so tests can
// check the tables themselves (codes, names, references) without generating.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "libs/codes/item_code.h"

namespace onewindow::catalog_gen {

// The five administrative levels, top down; values index level masks.
enum Level : uint8_t { kProvince = 0, kCity = 1, kCounty = 2, kTown = 3, kVillage = 4 };

inline constexpr uint8_t LevelBit(Level level) { return static_cast<uint8_t>(1u << level); }

struct County {
  std::string code6;  // GB/T 2260, e.g. "440106"
  std::string name;   // e.g. "天河区"
  // Real subdistrict and town names, used first; the rest are invented.
  std::vector<std::string> towns;
};

struct City {
  std::string code4;      // e.g. "4401"
  std::string name;       // e.g. "广州市"
  std::string area_code;  // telephone area code, e.g. "020"
  std::vector<County> counties;
  // For the cities without a county level (Dongguan, Zhongshan): real towns.
  std::vector<std::string> towns;
  bool has_counties() const { return !counties.empty(); }
};

// A kind of government body: the same department at province, city and county
// level, or the town office / village committee.
struct Kind {
  std::string code;        // table key, e.g. "SC"
  std::string short_name;  // for window names, e.g. "市场监管"
  // Name templates per level ({P} province, {C} city, {D} county name); empty
  // where the kind has no body at that level. `district` replaces `county`
  // for county-level units named …区 when set (e.g. a city bureau's branch).
  std::string province, city, county, district;
  bool town_office = false;
  bool village_committee = false;
};

// Business items (业务办理项) an item splits into: implementation code suffix
// "01", "02", … in this order. Empty for items that do not split.
struct BusinessSet {
  std::vector<std::string> names;
};

struct Material {
  std::string name;
  // A licence of this type satisfies the material; empty when none does.
  std::string licence_type;
  std::string source;
};

enum class CountersignMode { kNone, kAllOf, kAnyOf };

// One basic catalog entry: a main item or one of its sub-items.
struct BasicItem {
  std::string basic_code;  // e.g. "XK00101003"
  std::string name;
  std::string main_name;  // the main item's name; equals `name` without sub-items
  int kind = 0;           // owning kind (index into Catalog::kinds)
  codes::ItemType type = codes::ItemType::kLicensing;
  uint8_t levels = 0;  // LevelBit mask of the levels that implement it
  int business = 0;    // index into Catalog::business_sets
  bool natural_person = false;
  bool legal_person = false;
  // The applicant is an entity being created, so it has no business licence yet.
  bool new_entity = false;
  std::vector<std::string> topics;
  std::vector<std::string> life_events;
  std::string legal_basis;
  std::vector<std::string> materials;  // names; look up in Catalog::materials
  std::string result_name;
  std::string result_type;         // "licence", "certificate" or "approval letter"
  bool result_is_licence = false;  // recorded in the holder's licence store
  int statutory_days = 0;
  bool instant = false;
  std::vector<std::string> keywords;
  std::vector<std::string> synonyms;  // derived from the name (社会保险 -> 社保, …)
  std::string fee_name;
  int64_t fee_fen = 0;
  std::string fee_basis;
  CountersignMode countersign = CountersignMode::kNone;
  std::vector<int> countersign_kinds;
};

struct Catalog {
  std::vector<Kind> kinds;
  // Department kinds by importance (focus areas first); the generator keeps a
  // prefix of this list when the province is small. Excludes the government.
  std::vector<int> department_order;
  int government_kind = -1;
  int town_kind = -1;
  int village_kind = -1;
  std::vector<City> cities;
  std::vector<BusinessSet> business_sets;
  std::vector<BasicItem> items;
  std::map<std::string, Material> materials;
  // Real community and village names by the town's 9-digit code, used first.
  std::map<std::string, std::vector<std::string>> villages;
  // Characters for invented place names: first and second syllables.
  std::vector<std::string> place_first, place_second;
  std::vector<std::string> roads;
};

// Built once from the tables in catalog_data.cc. A malformed table is a bug in
// this program, so it aborts with the offending line rather than returning an
// error (the unit test builds it on every run).
const Catalog& GetCatalog();

// Words people type into the search box that occur in the catalog's names,
// keywords or synonyms: 2-character words (社保, 户口, 营业, …) when
// `characters` is 2, 4-character ones (社会保险, 营业执照, …) when 4.
std::vector<std::string> QueryWords(int characters);

// Splits UTF-8 text into characters (code points, each as its bytes).
std::vector<std::string> Utf8Chars(const std::string& text);

}  // namespace onewindow::catalog_gen
