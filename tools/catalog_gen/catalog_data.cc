#include "tools/catalog_gen/catalog_data.h"

#include <cstdio>
#include <cstdlib>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace onewindow::catalog_gen {
namespace {

#include "tools/catalog_gen/catalog_tables.inc"

[[noreturn]] void TableError(absl::string_view table, absl::string_view line,
                             absl::string_view why) {
  std::fprintf(stderr, "catalog_gen: bad %.*s table line \"%.*s\": %.*s\n",
               static_cast<int>(table.size()), table.data(), static_cast<int>(line.size()),
               line.data(), static_cast<int>(why.size()), why.data());
  std::abort();
}

// Non-empty, non-comment lines of a table.
std::vector<absl::string_view> Lines(absl::string_view table) {
  std::vector<absl::string_view> lines;
  for (absl::string_view line : absl::StrSplit(table, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::vector<std::string> List(absl::string_view field) {
  std::vector<std::string> out;
  if (field.empty()) return out;
  for (absl::string_view part : absl::StrSplit(field, ';')) out.emplace_back(part);
  return out;
}

std::vector<std::string> Fields(absl::string_view table, absl::string_view line, size_t count) {
  std::vector<std::string> fields = absl::StrSplit(line, '|');
  if (fields.size() != count) {
    TableError(table, line, absl::StrCat("expected ", count, " fields, got ", fields.size()));
  }
  return fields;
}

uint8_t ParseLevels(absl::string_view line, absl::string_view letters) {
  uint8_t mask = 0;
  for (char c : letters) {
    switch (c) {
      case 'P':
        mask |= LevelBit(kProvince);
        break;
      case 'C':
        mask |= LevelBit(kCity);
        break;
      case 'D':
        mask |= LevelBit(kCounty);
        break;
      case 'T':
        mask |= LevelBit(kTown);
        break;
      case 'V':
        mask |= LevelBit(kVillage);
        break;
      default:
        TableError("items", line, "unknown level letter");
    }
  }
  if (mask == 0) TableError("items", line, "no levels");
  return mask;
}

// Basic code numbering: each type counts its main items from 101, so codes
// stay the same whatever the province's size.
class CodeAllocator {
 public:
  std::string Next(codes::ItemType type, int sub) {
    const int main = 100 + ++mains_[static_cast<int>(type)];
    return absl::StrFormat("%s%05d%03d", codes::ItemTypeCode(type), main, sub);
  }
  // The same main item's next sub-item.
  static std::string Sub(const std::string& first, int sub) {
    return absl::StrFormat("%s%03d", first.substr(0, 7), sub);
  }

 private:
  int mains_[8] = {};
};

std::vector<std::pair<std::string, std::string>> SynonymRules() {
  std::vector<std::pair<std::string, std::string>> rules;
  for (absl::string_view line : Lines(kSynonyms)) {
    std::vector<std::string> f = Fields("synonyms", line, 2);
    rules.emplace_back(f[0], f[1]);
  }
  return rules;
}

// Up to three distinct names people use instead of `name`.
std::vector<std::string> DeriveSynonyms(
    const std::string& name, const std::vector<std::pair<std::string, std::string>>& rules) {
  std::vector<std::string> out;
  for (const auto& [from, to] : rules) {
    const size_t at = name.find(from);
    if (at == std::string::npos) continue;
    std::string synonym = name;
    synonym.replace(at, from.size(), to);
    if (synonym != name && std::find(out.begin(), out.end(), synonym) == out.end()) {
      out.push_back(std::move(synonym));
    }
    if (out.size() == 3) break;
  }
  return out;
}

Catalog Build() {
  Catalog c;

  for (absl::string_view line : Lines(kKinds)) {
    std::vector<std::string> f = Fields("kinds", line, 6);
    Kind k;
    k.code = f[0];
    k.short_name = f[1];
    k.province = f[2];
    k.city = f[3];
    k.county = f[4];
    k.district = f[5];
    k.town_office = k.code == "JD";
    k.village_committee = k.code == "CW";
    const int index = static_cast<int>(c.kinds.size());
    if (k.code == "ZF") {
      c.government_kind = index;
    } else if (k.town_office) {
      c.town_kind = index;
    } else if (k.village_committee) {
      c.village_kind = index;
    } else {
      c.department_order.push_back(index);
    }
    c.kinds.push_back(std::move(k));
  }
  if (c.government_kind < 0 || c.town_kind < 0 || c.village_kind < 0) {
    TableError("kinds", "", "ZF, JD and CW are required");
  }
  auto kind_index = [&c](absl::string_view line, absl::string_view code) {
    for (size_t i = 0; i < c.kinds.size(); ++i) {
      if (c.kinds[i].code == code) return static_cast<int>(i);
    }
    TableError("items", line, absl::StrCat("unknown kind ", code));
  };

  for (absl::string_view line : Lines(kCities)) {
    std::vector<std::string> f = Fields("cities", line, 4);
    City city;
    city.code4 = f[0];
    city.name = f[1];
    city.area_code = f[2];
    for (const std::string& entry : List(f[3])) {
      std::vector<std::string> parts = absl::StrSplit(entry, ' ');
      if (parts.size() != 2 || parts[0].size() != 6 || parts[0].substr(0, 4) != city.code4) {
        TableError("cities", line, absl::StrCat("bad county ", entry));
      }
      city.counties.push_back({parts[0], parts[1], {}});
    }
    c.cities.push_back(std::move(city));
  }
  for (absl::string_view line : Lines(kRealTowns)) {
    std::vector<std::string> f = Fields("towns", line, 2);
    bool placed = false;
    for (City& city : c.cities) {
      if (city.code4 == f[0]) {
        city.towns = List(f[1]);
        placed = true;
      }
      for (County& county : city.counties) {
        if (county.code6 == f[0]) {
          county.towns = List(f[1]);
          placed = true;
        }
      }
    }
    if (!placed) TableError("towns", line, "no such city or county");
  }

  for (absl::string_view line : Lines(kRealVillages)) {
    std::vector<std::string> f = Fields("villages", line, 2);
    if (f[0].size() != 9) TableError("villages", line, "town codes have 9 digits");
    c.villages[f[0]] = List(f[1]);
  }

  for (absl::string_view line : Lines(kBusinessSets)) {
    std::vector<std::string> f = Fields("business sets", line, 2);
    c.business_sets.push_back({List(f[1])});
  }
  const std::vector<std::string> business_keys = {"-",    "LIC",   "REG", "USE",
                                                  "CERT", "ISSUE", "FIL", "BEN"};
  if (business_keys.size() != c.business_sets.size()) {
    TableError("business sets", "", "keys and table differ");
  }

  for (absl::string_view line : Lines(kMaterials)) {
    std::vector<std::string> f = Fields("materials", line, 3);
    c.materials[f[0]] = Material{f[0], f[1], f[2]};
  }

  const auto synonym_rules = SynonymRules();
  CodeAllocator allocator;
  std::set<std::string> names;
  for (absl::string_view line : Lines(kItems)) {
    std::vector<std::string> f = Fields("items", line, 18);
    BasicItem base;
    base.kind = kind_index(line, f[0]);
    absl::StatusOr<codes::ItemType> type = codes::ItemTypeFromCode(f[1]);
    if (!type.ok()) TableError("items", line, "unknown type");
    base.type = *type;
    base.levels = ParseLevels(line, f[2]);
    const auto business = std::find(business_keys.begin(), business_keys.end(), f[3]);
    if (business == business_keys.end()) TableError("items", line, "unknown business set");
    base.business = static_cast<int>(business - business_keys.begin());
    base.natural_person = absl::StrContains(f[4], "N");
    base.legal_person = absl::StrContains(f[4], "L");
    base.new_entity = absl::StrContains(f[4], "!");
    if (!base.natural_person && !base.legal_person) TableError("items", line, "no applicants");
    base.main_name = f[5];
    base.topics = List(f[7]);
    base.life_events = List(f[8]);
    base.legal_basis = f[9];
    base.materials = List(f[10]);
    absl::string_view result = f[11];
    base.result_is_licence = absl::ConsumeSuffix(&result, "*");
    base.result_name = std::string(result);
    if (f[12] == "L") {
      base.result_type = "licence";
    } else if (f[12] == "C") {
      base.result_type = "certificate";
    } else if (f[12] == "A") {
      base.result_type = "approval letter";
    } else {
      TableError("items", line, "unknown result type");
    }
    if (!absl::SimpleAtoi(f[13], &base.statutory_days) || base.statutory_days < 1) {
      TableError("items", line, "bad statutory days");
    }
    if (f[14] != "I" && f[14] != "P") TableError("items", line, "handling must be I or P");
    base.instant = f[14] == "I";
    base.keywords = List(f[15]);
    if (!f[16].empty()) {
      std::vector<std::string> fee = absl::StrSplit(f[16], ':');
      if (fee.size() != 3 || !absl::SimpleAtoi(fee[1], &base.fee_fen)) {
        TableError("items", line, "bad fee");
      }
      base.fee_name = fee[0];
      base.fee_basis = fee[2];
    }
    if (!f[17].empty()) {
      std::vector<std::string> cs = absl::StrSplit(f[17], ':');
      if (cs.size() != 2 || (cs[0] != "ALL" && cs[0] != "ANY")) {
        TableError("items", line, "bad countersign");
      }
      base.countersign = cs[0] == "ALL" ? CountersignMode::kAllOf : CountersignMode::kAnyOf;
      for (const std::string& k : List(cs[1]))
        base.countersign_kinds.push_back(kind_index(line, k));
    }
    const Kind& kind = c.kinds[base.kind];
    if ((kind.town_office && base.levels != LevelBit(kTown)) ||
        (kind.village_committee && base.levels != LevelBit(kVillage))) {
      TableError("items", line, "town and village items belong to their own level only");
    }
    if ((base.levels & LevelBit(kProvince)) && kind.province.empty() && !kind.town_office &&
        !kind.village_committee) {
      TableError("items", line, "the kind has no province-level body");
    }

    const std::vector<std::string> subs = List(f[6]);
    if (subs.empty()) {
      base.name = base.main_name;
      base.basic_code = allocator.Next(base.type, 0);
    }
    std::string first_code;
    for (size_t i = 0; i < subs.size(); ++i) {
      BasicItem item = base;
      absl::string_view sub = subs[i];
      item.name = absl::ConsumePrefix(&sub, "~") ? absl::StrCat(base.main_name, "（", sub, "）")
                                                 : std::string(sub);
      if (i == 0) {
        first_code = allocator.Next(base.type, 1);
        item.basic_code = first_code;
      } else {
        item.basic_code = CodeAllocator::Sub(first_code, static_cast<int>(i) + 1);
      }
      // The main item's name finds every sub-item (不动产登记 finds 抵押权首次登记).
      if (item.name.find(base.main_name) == std::string::npos) {
        item.keywords.insert(item.keywords.begin(), base.main_name);
      }
      item.synonyms = DeriveSynonyms(item.name, synonym_rules);
      if (!names.insert(item.name).second) TableError("items", line, "repeated item name");
      c.items.push_back(std::move(item));
    }
    if (subs.empty()) {
      base.synonyms = DeriveSynonyms(base.name, synonym_rules);
      if (!names.insert(base.name).second) TableError("items", line, "repeated item name");
      c.items.push_back(std::move(base));
    }
  }

  c.place_first = Utf8Chars(kPlaceFirst);
  c.place_second = Utf8Chars(kPlaceSecond);
  c.roads = List(kRoads);
  return c;
}

}  // namespace

std::vector<std::string> Utf8Chars(const std::string& text) {
  std::vector<std::string> out;
  for (size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    size_t n = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    n = std::min(n, text.size() - i);
    out.push_back(text.substr(i, n));
    i += n;
  }
  return out;
}

const Catalog& GetCatalog() {
  static const Catalog* const kCatalog = new Catalog(Build());
  return *kCatalog;
}

std::vector<std::string> QueryWords(int characters) {
  // What citizens type, checked against the catalog so a benchmark never
  // measures queries that cannot match.
  static const std::vector<std::string> kTwo = {
      "社保", "户口", "营业", "登记", "证明", "医保", "低保", "护照", "驾照", "结婚",
      "退休", "公证", "执照", "许可", "备案", "补贴", "入学", "房产", "食品", "出生"};
  static const std::vector<std::string> kFour = {
      "社会保险", "营业执照", "抵押登记", "户口迁入", "居民身份", "食品经营", "医疗保险",
      "养老保险", "住房公积", "婚姻登记", "出生医学", "最低生活", "建设工程", "施工许可",
      "企业投资", "教师资格", "失业保险", "户籍证明", "异地就医", "参保登记"};
  const Catalog& c = GetCatalog();
  std::vector<std::string> out;
  for (const std::string& word : characters == 2 ? kTwo : kFour) {
    if (static_cast<int>(Utf8Chars(word).size()) != characters) continue;
    bool found = false;
    for (const BasicItem& item : c.items) {
      auto has = [&word](const std::vector<std::string>& list) {
        return std::any_of(list.begin(), list.end(),
                           [&word](const std::string& s) { return absl::StrContains(s, word); });
      };
      if (absl::StrContains(item.name, word) || has(item.keywords) || has(item.synonyms)) {
        found = true;
        break;
      }
    }
    if (found) out.push_back(word);
  }
  return out;
}

}  // namespace onewindow::catalog_gen
