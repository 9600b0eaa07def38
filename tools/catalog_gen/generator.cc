#include "tools/catalog_gen/generator.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "libs/codes/credit_code.h"
#include "tools/catalog_gen/catalog_data.h"

namespace onewindow::catalog_gen {
namespace {

// Bodies publish at most this share of what they could, so most can be
// required to onboard something they have not published yet.
constexpr double kMaxFill = 0.85;
constexpr int kMaxTownsPerParent = 899;
constexpr int kMaxCommunities = 199;  // 社区 codes 001-199
constexpr int kMaxVillages = 799;     // 村 codes 200-998
constexpr char kProvinceCode[] = "440000000000";
constexpr char kProvinceName[] = "广东省";

// splitmix64: tiny, fast, and good enough to make synthetic data look varied.
uint64_t Mix(uint64_t a, uint64_t b) {
  uint64_t z = a + 0x9E3779B97F4A7C15ull * (b + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t HashString(absl::string_view s) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return h;
}

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    state_ += 0x9E3779B97F4A7C15ull;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n).
  uint32_t Below(uint32_t n) {
    return static_cast<uint32_t>(((Next() >> 32) * static_cast<uint64_t>(n)) >> 32);
  }
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  bool Chance(double p) { return Unit() < p; }

 private:
  uint64_t state_;
};

// ---------------------------------------------------------------------------
// JSON output. Hand-written rather than protobuf's printer: the generator
// must write gigabytes in seconds. The unit test parses the output with
// protobuf's JSON parser, so field names and shapes stay honest.

void AppendQuoted(std::string* out, absl::string_view s) {
  out->push_back('"');
  for (char c : s) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          absl::StrAppendFormat(out, "\\u%04x", static_cast<int>(c));
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

// A JSON value writer that places commas itself. Keys and values alternate
// inside objects; values follow each other in arrays.
class Json {
 public:
  explicit Json(std::string* out) : out_(out) {}
  Json& BeginObject() {
    Value();
    out_->push_back('{');
    first_[++depth_] = true;
    return *this;
  }
  Json& EndObject() {
    --depth_;
    out_->push_back('}');
    return *this;
  }
  Json& BeginArray() {
    Value();
    out_->push_back('[');
    first_[++depth_] = true;
    return *this;
  }
  Json& EndArray() {
    --depth_;
    out_->push_back(']');
    return *this;
  }
  Json& Key(absl::string_view key) {
    Value();
    out_->push_back('"');
    out_->append(key.data(), key.size());
    out_->append("\":");
    after_key_ = true;
    return *this;
  }
  Json& String(absl::string_view s) {
    Value();
    AppendQuoted(out_, s);
    return *this;
  }
  // Text already quoted and escaped (a precomputed fragment).
  Json& Raw(absl::string_view json) {
    Value();
    out_->append(json.data(), json.size());
    return *this;
  }
  Json& Int(int64_t v) {
    Value();
    absl::StrAppend(out_, v);
    return *this;
  }
  Json& Bool(bool v) {
    Value();
    out_->append(v ? "true" : "false");
    return *this;
  }
  // Skips empty strings, zeros and false, like protobuf's own printer.
  Json& Field(absl::string_view key, absl::string_view value) {
    return value.empty() ? *this : Key(key).String(value);
  }
  Json& IntField(absl::string_view key, int64_t value) {
    return value == 0 ? *this : Key(key).Int(value);
  }
  Json& StringList(absl::string_view key, const std::vector<std::string>& values) {
    if (values.empty()) return *this;
    Key(key).BeginArray();
    for (const std::string& v : values) String(v);
    return EndArray();
  }

 private:
  void Value() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (depth_ > 0) {
      if (!first_[depth_]) out_->push_back(',');
      first_[depth_] = false;
    }
  }

  std::string* out_;
  bool first_[16] = {};
  int depth_ = 0;
  bool after_key_ = false;
};

// A JSON Lines file written through a large buffer.
class LineFile {
 public:
  static absl::StatusOr<std::unique_ptr<LineFile>> Open(const std::string& dir,
                                                        const std::string& name) {
    const std::string path = absl::StrCat(dir, "/", name);
    FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) {
      return absl::InternalError(absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
    }
    return std::unique_ptr<LineFile>(new LineFile(f, path, name));
  }
  ~LineFile() {
    if (file_ != nullptr) std::fclose(file_);
  }
  // The line to fill; End() completes it.
  std::string* line() { return &buffer_; }
  void End() {
    buffer_.push_back('\n');
    ++summary_.lines;
    if (buffer_.size() >= kFlushBytes) Flush();
  }
  absl::StatusOr<FileSummary> Close() {
    Flush();
    const bool failed = std::ferror(file_) != 0;
    const bool close_failed = std::fclose(file_) != 0;
    file_ = nullptr;
    if (failed || close_failed) {
      return absl::InternalError(
          absl::StrCat("writing ", path_, " failed: ", std::strerror(errno)));
    }
    return summary_;
  }

 private:
  static constexpr size_t kFlushBytes = 4 << 20;
  LineFile(FILE* f, std::string path, std::string name) : file_(f), path_(std::move(path)) {
    summary_.name = std::move(name);
    buffer_.reserve(kFlushBytes + (64 << 10));
  }
  void Flush() {
    if (!buffer_.empty()) std::fwrite(buffer_.data(), 1, buffer_.size(), file_);
    summary_.bytes += static_cast<int64_t>(buffer_.size());
    buffer_.clear();
  }

  FILE* file_;
  std::string path_;
  std::string buffer_;
  FileSummary summary_;
};

// ---------------------------------------------------------------------------
// The province's shape.

struct Shape {
  int kinds_province = 10;
  int kinds_local = 2;
  double county_share = 1.0;  // of each city's real counties
  double towns = 1;           // per county, on average
  double villages = 1;        // per town, on average
};

// Calibrated so one million implementations give Guangdong's real county
// count and every department kind; `growth` adds towns when the bodies cannot
// publish enough. Towns rather than villages grow because a village committee
// publishes only a few items: growing villages would make the catalog mostly
// village errands and the bodies tiny.
Shape ShapeFor(double scale, double growth) {
  const double r = std::sqrt(scale);
  Shape s;
  s.kinds_local = std::clamp(static_cast<int>(std::lround(22 * r)), 2, 22);
  s.kinds_province = std::max(10, s.kinds_local);
  s.county_share = std::min(1.0, r);
  s.towns = std::max(1.0, 10 * r * growth);
  s.villages = std::max(1.0, 6 * r);
  return s;
}

struct Region {
  std::string code;
  std::string name;
  Level level = kProvince;
  int parent = -1;
  int city = -1;          // index into Catalog::cities; -1 for the province
  int county = -1;        // nearest county region, -1 when none
  int town = -1;          // nearest town region
  bool district = false;  // a county-level unit named …区 (or a countyless city's town)
  std::string address;    // where its service centre is
};

struct Body {
  std::string credit_code;
  std::string name;
  int region = -1;
  int kind = -1;
  int parent = -1;
  int64_t capacity = 0;
  int64_t publish = 0;
  // Fragments shared by every implementation of this body.
  std::string windows_json;
  std::string consultation_phone;
};

class Province {
 public:
  Province(const Catalog& catalog, uint64_t seed, const Shape& shape)
      : catalog_(catalog), seed_(seed), shape_(shape) {
    BuildEligibility();
    BuildRegions();
    BuildBodies();
  }

  const std::vector<Region>& regions() const { return regions_; }
  std::vector<Body>& bodies() { return bodies_; }
  const std::vector<int>& Eligible(int kind, Level level) const {
    return eligible_[static_cast<size_t>(kind) * 5 + level];
  }
  int64_t TotalCapacity() const {
    int64_t total = 0;
    for (const Body& b : bodies_) total += b.capacity;
    return total;
  }
  Level LevelOfBody(const Body& b) const { return regions_[b.region].level; }
  // Bodies of `kind` in `region`; at most one.
  int Find(int region, int kind) const {
    for (int b : region_bodies_[region]) {
      if (bodies_[b].kind == kind) return b;
    }
    return -1;
  }

  // Business items a basic item splits into (1 when it does not split).
  int BusinessCount(int item) const {
    const size_t n = catalog_.business_sets[catalog_.items[item].business].names.size();
    return n == 0 ? 1 : static_cast<int>(n);
  }

 private:
  void BuildEligibility() {
    eligible_.resize(catalog_.kinds.size() * 5);
    for (size_t i = 0; i < catalog_.items.size(); ++i) {
      const BasicItem& item = catalog_.items[i];
      for (int level = kProvince; level <= kVillage; ++level) {
        if ((item.levels & LevelBit(static_cast<Level>(level))) == 0) continue;
        // Towns and villages have one body each, which implements everything
        // delegated to its level whatever department owns it above.
        int kind = item.kind;
        if (level == kTown) kind = catalog_.town_kind;
        if (level == kVillage) kind = catalog_.village_kind;
        eligible_[static_cast<size_t>(kind) * 5 + level].push_back(static_cast<int>(i));
      }
    }
  }

  Rng RngFor(absl::string_view what) const { return Rng(Mix(seed_, HashString(what))); }

  int AddRegion(Region r) {
    regions_.push_back(std::move(r));
    return static_cast<int>(regions_.size()) - 1;
  }

  std::string Invent(Rng& rng, std::set<std::string>& used, absl::string_view suffix) {
    for (int attempt = 0; attempt < 200; ++attempt) {
      const std::string& a = catalog_.place_first[rng.Below(catalog_.place_first.size())];
      const std::string& b = catalog_.place_second[rng.Below(catalog_.place_second.size())];
      std::string name = absl::StrCat(a, b, suffix);
      if (used.insert(name).second) return name;
    }
    // Unreachable in practice (thousands of pairs for at most 999 names);
    // a three-syllable name keeps the result unique regardless.
    for (;;) {
      std::string name =
          absl::StrCat(catalog_.place_first[rng.Below(catalog_.place_first.size())],
                       catalog_.place_second[rng.Below(catalog_.place_second.size())],
                       catalog_.place_second[rng.Below(catalog_.place_second.size())], suffix);
      if (used.insert(name).second) return name;
    }
  }

  std::string Address(Rng& rng, const Region& r) const {
    std::string place;
    if (r.level == kProvince) {
      place = "广州市越秀区";
    } else {
      const City& city = catalog_.cities[r.city];
      place = city.name;
      if (r.county >= 0) absl::StrAppend(&place, regions_[r.county].name);
      if (r.level >= kTown) absl::StrAppend(&place, regions_[r.town].name);
      if (r.level == kVillage) absl::StrAppend(&place, r.name);
    }
    return absl::StrCat(place, catalog_.roads[rng.Below(catalog_.roads.size())],
                        1 + rng.Below(r.level >= kTown ? 120 : 400), "号");
  }

  // Towns under `parent` (a county, or a city without counties).
  void AddTowns(int parent, int count, const std::vector<std::string>& real) {
    const Region p = regions_[parent];  // a copy: adding regions reallocates the vector
    Rng rng = RngFor(absl::StrCat("towns", p.code));
    std::set<std::string> used(real.begin(), real.end());
    const bool autonomous = absl::StrContains(p.name, "自治");
    const int subdistricts = p.district ? (count * 7 + 9) / 10 : std::max(1, count / 6);
    // Subdistricts number from 001, towns from 101, townships from 201 (the
    // common practice); a class that outgrows its hundred takes the next free
    // number anywhere, so up to 999 towns always get valid codes.
    std::vector<bool> taken(1000, false);
    auto allocate = [&taken](int start) {
      for (int k = 0; k < 999; ++k) {
        const int n = (start - 1 + k) % 999 + 1;
        if (!taken[n]) {
          taken[n] = true;
          return n;
        }
      }
      return 0;  // unreachable: callers add at most kMaxTownsPerParent < 999
    };
    for (int i = 0; i < count; ++i) {
      std::string name;
      if (i < static_cast<int>(real.size())) {
        name = real[i];
      } else if (i < subdistricts) {
        name = Invent(rng, used, "街道");
      } else if (autonomous && i >= count * 3 / 4) {
        name = Invent(rng, used, "乡");
      } else {
        name = Invent(rng, used, "镇");
      }
      const int number = allocate(absl::EndsWith(name, "街道") ? 1
                                  : absl::EndsWith(name, "乡") ? 201
                                                               : 101);
      Region t;
      t.code = absl::StrFormat("%s%03d000", p.code.substr(0, 6), number);
      t.name = std::move(name);
      t.level = kTown;
      t.parent = parent;
      t.city = p.city;
      t.county = p.level == kCounty ? parent : -1;
      t.district = p.district;
      const int index = AddRegion(std::move(t));
      regions_[index].town = index;
      regions_[index].address = Address(rng, regions_[index]);
    }
  }

  void AddVillages(int town, int count) {
    const Region t = regions_[town];  // a copy: adding regions reallocates the vector
    Rng rng = RngFor(absl::StrCat("villages", t.code));
    auto real_it = catalog_.villages.find(t.code.substr(0, 9));
    const std::vector<std::string> none;
    const std::vector<std::string>& real =
        real_it == catalog_.villages.end() ? none : real_it->second;
    std::set<std::string> used(real.begin(), real.end());
    const bool subdistrict = absl::EndsWith(t.name, "街道");
    const bool township = absl::EndsWith(t.name, "乡");
    // Subdistricts have residents' committees (社区, codes 001-199), townships
    // village committees (村, 200 up), towns mostly villages and a few
    // communities.
    const int communities = subdistrict ? count : township ? 0 : std::max(1, count / 5);
    count = std::min(count, kMaxCommunities + kMaxVillages);
    int next_community = 1, next_village = 200;
    for (int i = 0; i < count; ++i) {
      bool community;
      std::string name;
      if (i < static_cast<int>(real.size())) {
        name = real[i];
        community = absl::EndsWith(name, "社区");
      } else {
        community = i < communities;
        name = Invent(rng, used, community ? "社区" : "村");
      }
      const bool as_community = community && next_community <= kMaxCommunities;
      if (!as_community && next_village > 200 + kMaxVillages - 1) break;  // codes end at 998
      const int number = as_community ? next_community++ : next_village++;
      Region v;
      v.code = absl::StrFormat("%s%03d", t.code.substr(0, 9), number);
      v.name = std::move(name);
      v.level = kVillage;
      v.parent = town;
      v.city = t.city;
      v.county = t.county;
      v.town = town;
      const int index = AddRegion(std::move(v));
      regions_[index].address = Address(rng, regions_[index]);
    }
  }

  // Breadth first, so every parent precedes its children in the file.
  void BuildRegions() {
    Region p;
    p.code = kProvinceCode;
    p.name = kProvinceName;
    p.level = kProvince;
    const int province = AddRegion(std::move(p));
    {
      Rng rng = RngFor("province");
      regions_[province].address = Address(rng, regions_[province]);
    }
    std::vector<int> cities;
    for (size_t c = 0; c < catalog_.cities.size(); ++c) {
      Region r;
      r.code = absl::StrCat(catalog_.cities[c].code4, "00000000");
      r.name = catalog_.cities[c].name;
      r.level = kCity;
      r.parent = province;
      r.city = static_cast<int>(c);
      r.district = !catalog_.cities[c].has_counties();
      cities.push_back(AddRegion(std::move(r)));
      Rng rng = RngFor(regions_[cities.back()].code);
      regions_[cities.back()].address = Address(rng, regions_[cities.back()]);
    }
    std::vector<std::pair<int, const County*>> counties;
    for (int city : cities) {
      const City& c = catalog_.cities[regions_[city].city];
      const int keep =
          std::clamp(static_cast<int>(std::lround(c.counties.size() * shape_.county_share)), 1,
                     static_cast<int>(c.counties.size()));
      for (int i = 0; c.has_counties() && i < keep; ++i) {
        const County& county = c.counties[i];
        Region r;
        r.code = absl::StrCat(county.code6, "000000");
        r.name = county.name;
        r.level = kCounty;
        r.parent = city;
        r.city = regions_[city].city;
        r.district = absl::EndsWith(county.name, "区");
        const int index = AddRegion(std::move(r));
        regions_[index].county = index;
        Rng rng = RngFor(regions_[index].code);
        regions_[index].address = Address(rng, regions_[index]);
        counties.emplace_back(index, &county);
      }
    }
    // Towns: under counties, and directly under Dongguan and Zhongshan.
    for (int city : cities) {
      const City& c = catalog_.cities[regions_[city].city];
      if (c.has_counties()) continue;
      Rng rng = RngFor(absl::StrCat("count", regions_[city].code));
      const double base = c.towns.size() * shape_.towns / 10.0 * (0.8 + 0.4 * rng.Unit());
      AddTowns(city, std::clamp(static_cast<int>(std::lround(base)), 2, kMaxTownsPerParent),
               c.towns);
    }
    for (const auto& [index, county] : counties) {
      Rng rng = RngFor(absl::StrCat("count", regions_[index].code));
      const double base = shape_.towns * (0.6 + 0.8 * rng.Unit());
      AddTowns(index, std::clamp(static_cast<int>(std::lround(base)), 1, kMaxTownsPerParent),
               county->towns);
    }
    const size_t towns_end = regions_.size();
    for (size_t t = 0; t < towns_end; ++t) {
      if (regions_[t].level != kTown) continue;
      Rng rng = RngFor(absl::StrCat("count", regions_[t].code));
      const double base = shape_.villages * (0.5 + rng.Unit());
      AddVillages(static_cast<int>(t), std::clamp(static_cast<int>(std::lround(base)), 1,
                                                  kMaxCommunities + kMaxVillages));
    }
  }

  // "11" (government body) + region + organisation code + check character.
  std::string CreditCode(const Region& region, uint64_t serial) const {
    static constexpr char kAlphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    constexpr uint64_t kSpace = 27512614111ull;  // 31^7: the 7 free symbols
    // An affine map with a multiplier prime to 31 is a bijection, so serials
    // give distinct, unsequential-looking organisation codes.
    uint64_t v = (serial * 7777777777ull + Mix(seed_, 31) % kSpace) % kSpace;
    char org[7];
    for (int i = 6; i >= 0; --i) {
      org[i] = kAlphabet[v % 31];
      v /= 31;
    }
    std::string code =
        absl::StrCat("11", region.code.substr(0, 6), "MB", absl::string_view(org, 7));
    code.push_back(codes::CreditCodeCheckChar(code));
    return code;
  }

  std::string BodyName(const Kind& kind, const Region& r) const {
    if (kind.town_office) {
      return absl::EndsWith(r.name, "街道") ? absl::StrCat(r.name, "办事处")
                                            : absl::StrCat(r.name, "人民政府");
    }
    if (kind.village_committee) {
      return absl::EndsWith(r.name, "社区") ? absl::StrCat(r.name, "居民委员会")
                                            : absl::StrCat(r.name, "村民委员会");
    }
    const std::string& city = r.city >= 0 ? catalog_.cities[r.city].name : "";
    if (r.level == kProvince) return absl::StrReplaceAll(kind.province, {{"{P}", kProvinceName}});
    if (r.level == kCity) return absl::StrReplaceAll(kind.city, {{"{C}", city}});
    if (r.district && !kind.district.empty()) {
      return absl::StrReplaceAll(kind.district, {{"{C}", city}, {"{D}", r.name}});
    }
    // A district's full name carries its city (广州市天河区…); a county's or a
    // county-level city's does not (始兴县…), except the bare 城区.
    const std::string county = r.district || r.name == "城区" ? absl::StrCat(city, r.name) : r.name;
    return absl::StrReplaceAll(kind.county, {{"{C}", city}, {"{D}", county}});
  }

  int AddBody(int region, int kind) {
    const Kind& k = catalog_.kinds[kind];
    const Region& r = regions_[region];
    Body b;
    b.region = region;
    b.kind = kind;
    b.name = BodyName(k, r);
    b.credit_code = CreditCode(r, bodies_.size());
    for (int item : Eligible(kind, r.level)) b.capacity += BusinessCount(item);
    bodies_.push_back(std::move(b));
    const int index = static_cast<int>(bodies_.size()) - 1;
    region_bodies_[region].push_back(index);
    return index;
  }

  void BuildBodies() {
    region_bodies_.resize(regions_.size());
    const int gov = catalog_.government_kind;
    for (size_t ri = 0; ri < regions_.size(); ++ri) {
      const Region& r = regions_[ri];
      const int region = static_cast<int>(ri);
      if (r.level == kTown || r.level == kVillage) {
        const int b =
            AddBody(region, r.level == kTown ? catalog_.town_kind : catalog_.village_kind);
        // A town office answers to the county (or city) government; a village
        // committee to its town office.
        bodies_[b].parent =
            r.level == kTown ? Find(r.parent, gov) : Find(r.parent, catalog_.town_kind);
        continue;
      }
      const int government = AddBody(region, gov);
      if (r.parent >= 0) bodies_[government].parent = Find(r.parent, gov);
      const int kinds = r.level == kProvince ? shape_.kinds_province : shape_.kinds_local;
      for (int i = 0; i < kinds && i < static_cast<int>(catalog_.department_order.size()); ++i) {
        const int kind = catalog_.department_order[i];
        const Kind& k = catalog_.kinds[kind];
        const std::string& tpl = r.level == kProvince ? k.province
                                 : r.level == kCity   ? k.city
                                                      : k.county;
        if (tpl.empty()) continue;
        const int b = AddBody(region, kind);
        // Tax bureaus are vertical (国家税务总局 → province → city → county);
        // other departments belong to their own government.
        int parent = government;
        if (k.code == "TX" && r.parent >= 0) {
          const int above = Find(r.parent, kind);
          if (above >= 0) parent = above;
        }
        bodies_[b].parent = parent;
      }
    }
  }

  const Catalog& catalog_;
  uint64_t seed_;
  Shape shape_;
  std::vector<std::vector<int>> eligible_;
  std::vector<Region> regions_;
  std::vector<Body> bodies_;
  std::vector<std::vector<int>> region_bodies_;
};

// ---------------------------------------------------------------------------
// Writing.

const char* ProtoTypeName(codes::ItemType type) {
  switch (type) {
    case codes::ItemType::kLicensing:
      return "LICENSING";
    case codes::ItemType::kPayment:
      return "PAYMENT";
    case codes::ItemType::kConfirmation:
      return "CONFIRMATION";
    case codes::ItemType::kAdjudication:
      return "ADJUDICATION";
    case codes::ItemType::kReward:
      return "REWARD";
    case codes::ItemType::kLevy:
      return "LEVY";
    case codes::ItemType::kOtherPower:
      return "OTHER_POWER";
    case codes::ItemType::kPublicService:
      return "PUBLIC_SERVICE";
  }
  return "ITEM_TYPE_UNSPECIFIED";
}

const char* LevelName(Level level) {
  static constexpr const char* kNames[] = {"PROVINCE", "CITY", "COUNTY", "TOWN", "VILLAGE"};
  return kNames[level];
}

// What stays the same across every implementation of one basic item,
// escaped once.
struct ItemFragments {
  std::string name;
  // `"key":value` pairs, written with Json::Raw; empty when absent.
  std::string keywords;
  std::string synonyms;
  std::string acceptance;  // quoted
  std::string result;      // resultName, resultType and resultLicenceType
  std::string fees;
  struct ItemMaterial {
    std::string name;  // quoted
    std::string licence_type;
    std::string source;
  };
  std::vector<ItemMaterial> materials;
};

std::string ListFragment(absl::string_view key, const std::vector<std::string>& values) {
  if (values.empty()) return "";
  std::string out;
  Json json(&out);
  json.BeginObject().StringList(key, values).EndObject();
  // Strip the braces: the fragment goes inside the implementation object.
  return out.substr(1, out.size() - 2);
}

std::string Quoted(absl::string_view s) {
  std::string out;
  AppendQuoted(&out, s);
  return out;
}

std::string AcceptanceConditions(const BasicItem& item) {
  std::string who;
  if (item.natural_person && item.legal_person) {
    who = "申请人为自然人、法人或者非法人组织";
  } else if (item.natural_person) {
    who = "申请人为具有完全民事行为能力的自然人或者其监护人";
  } else {
    who = "申请人为依法设立的法人或者非法人组织";
  }
  const char* what = "";
  switch (item.type) {
    case codes::ItemType::kLicensing:
      what = "具备与申请事项相适应的场所、设施、人员和管理制度；";
      break;
    case codes::ItemType::kPayment:
      what = "符合待遇享受条件且未重复享受同类待遇；";
      break;
    case codes::ItemType::kConfirmation:
      what = "申请确认的事实清楚，证明材料真实有效；";
      break;
    case codes::ItemType::kAdjudication:
      what = "与争议事项有直接利害关系，有明确的请求和事实理由；";
      break;
    case codes::ItemType::kReward:
      what = "符合评选奖励的条件，未受到相关处罚；";
      break;
    case codes::ItemType::kLevy:
      what = "属于依法应当缴纳的情形；";
      break;
    case codes::ItemType::kOtherPower:
    case codes::ItemType::kPublicService:
      break;
  }
  return absl::StrCat("1. ", who, "；\n2. ", what, "符合", item.legal_basis,
                      "规定的条件；\n3. 申请材料齐全、符合法定形式。");
}

ItemFragments MakeItemFragments(const Catalog& catalog, const BasicItem& item) {
  ItemFragments f;
  f.name = item.name;
  f.keywords = ListFragment("keywords", item.keywords);
  f.synonyms = ListFragment("synonyms", item.synonyms);
  f.acceptance = Quoted(AcceptanceConditions(item));
  f.result = absl::StrCat("\"resultName\":", Quoted(item.result_name),
                          ",\"resultType\":", Quoted(item.result_type));
  if (item.result_is_licence) {
    absl::StrAppend(&f.result, ",\"resultLicenceType\":", Quoted(item.result_name));
  }
  if (item.fee_fen > 0) {
    f.fees = absl::StrCat("\"fees\":[{\"name\":", Quoted(item.fee_name), ",\"amountFen\":\"",
                          item.fee_fen, "\",\"basis\":", Quoted(item.fee_basis), "}]");
  }
  for (const std::string& m : item.materials) {
    ItemFragments::ItemMaterial im;
    im.name = Quoted(m);
    auto it = catalog.materials.find(m);
    if (it != catalog.materials.end()) {
      im.licence_type = it->second.licence_type;
      im.source = it->second.source;
    } else {
      im.source = "申请人自备";
    }
    f.materials.push_back(std::move(im));
  }
  return f;
}

void WindowsFor(const Catalog& catalog, const Province& province, Body& body, uint64_t seed) {
  static constexpr const char* kHours[] = {
      "周一至周五 9:00-12:00，14:00-17:30（法定节假日除外）",
      "周一至周五 8:30-12:00，14:00-17:30；周六 9:00-12:00",
      "周一至周六 9:00-17:00（法定节假日除外）",
  };
  const Region& r = province.regions()[body.region];
  const Kind& kind = catalog.kinds[body.kind];
  const std::string& area =
      r.city >= 0 ? catalog.cities[r.city].area_code : catalog.cities[0].area_code;
  Rng rng(Mix(seed, HashString(body.credit_code)));
  body.consultation_phone = absl::StrFormat("%s-%d", area, 30000000 + rng.Below(60000000));
  std::string out;
  Json json(&out);
  json.Key("windows").BeginArray();
  std::string name;
  std::string address = r.address;
  if (kind.town_office) {
    name = absl::StrCat(r.name, "政务服务中心综合窗口");
    absl::StrAppend(&address, r.name, "政务服务中心");
  } else if (kind.village_committee) {
    name = absl::StrCat(r.name, "党群服务中心代办窗口");
    absl::StrAppend(&address, r.name, "党群服务中心");
  } else {
    const std::string& region_name = r.level == kProvince ? std::string(kProvinceName) : r.name;
    name = absl::StrCat(region_name, "政务服务中心", kind.short_name, "窗口");
    absl::StrAppend(&address, region_name, "政务服务中心", 1 + rng.Below(4), "楼");
  }
  json.BeginObject()
      .Field("name", name)
      .Field("address", address)
      .Field("hours", kHours[rng.Below(3)])
      .Field("phone", body.consultation_phone)
      .EndObject();
  if (r.level <= kCounty && kind.short_name != "综合" && rng.Chance(0.4)) {
    const std::string& region_name = r.level == kProvince ? std::string(kProvinceName) : r.name;
    json.BeginObject()
        .Field("name", absl::StrCat(region_name, kind.short_name, "业务受理大厅"))
        .Field("address", absl::StrCat(r.address, region_name, kind.short_name, "业务大楼",
                                       1 + rng.Below(3), "层"))
        .Field("hours", kHours[0])
        .Field("phone", absl::StrFormat("%s-%d", area, 30000000 + rng.Below(60000000)))
        .EndObject();
  }
  json.EndArray();
  body.windows_json = std::move(out);
}

class Writer {
 public:
  Writer(const Catalog& catalog, Province& province, uint64_t seed)
      : catalog_(catalog), province_(province), seed_(seed) {
    for (const BasicItem& item : catalog_.items) {
      fragments_.push_back(MakeItemFragments(catalog_, item));
    }
  }

  void WriteRegions(LineFile& file) {
    for (const Region& r : province_.regions()) {
      std::string* line = file.line();
      Json(line)
          .BeginObject()
          .Field("code", r.code)
          .Field("name", r.name)
          .Field("level", LevelName(r.level))
          .Field("parentCode", r.parent >= 0 ? province_.regions()[r.parent].code : "")
          .EndObject();
      file.End();
    }
  }

  void WriteDepartments(LineFile& file) {
    const auto& bodies = province_.bodies();
    for (const Body& b : bodies) {
      std::string* line = file.line();
      Json(line)
          .BeginObject()
          .Field("creditCode", b.credit_code)
          .Field("name", b.name)
          .Field("regionCode", province_.regions()[b.region].code)
          .Field("parentCreditCode", b.parent >= 0 ? bodies[b.parent].credit_code : "")
          .EndObject();
      file.End();
    }
  }

  void WriteBasicItems(LineFile& file) {
    for (const BasicItem& item : catalog_.items) {
      std::string* line = file.line();
      Json json(line);
      json.BeginObject()
          .Field("basicCode", item.basic_code)
          .Field("name", item.name)
          .Field("type", ProtoTypeName(item.type))
          .Field("legalBasis", item.legal_basis)
          .StringList("topics", item.topics)
          .StringList("lifeEvents", item.life_events)
          .Key("applicantKinds")
          .BeginArray();
      if (item.natural_person) json.String("NATURAL_PERSON");
      if (item.legal_person) json.String("LEGAL_PERSON");
      json.EndArray().EndObject();
      file.End();
    }
  }

  // Implementations body by body, and each body's required items.
  int64_t WriteImplementations(LineFile& impl_file, LineFile& required_file) {
    int64_t short_bodies = 0;
    auto& bodies = province_.bodies();
    std::vector<int> order;
    std::vector<std::string> required;
    for (size_t bi = 0; bi < bodies.size(); ++bi) {
      Body& body = bodies[bi];
      WindowsFor(catalog_, province_, body, seed_);
      const Level level = province_.LevelOfBody(body);
      order = province_.Eligible(body.kind, level);
      Rng rng(Mix(seed_, 0x5EED0000ull + bi));
      for (size_t i = order.size(); i > 1; --i) {
        std::swap(order[i - 1], order[rng.Below(static_cast<uint32_t>(i))]);
      }
      required.clear();
      int64_t remaining = body.publish;
      size_t next = 0;
      for (; next < order.size() && remaining > 0; ++next) {
        const int item = order[next];
        const int count = province_.BusinessCount(item);
        const int take = static_cast<int>(std::min<int64_t>(count, remaining));
        for (int j = 0; j < take; ++j) {
          WriteImplementation(impl_file, body, item, catalog_.items[item].business == 0 ? -1 : j);
        }
        remaining -= take;
        required.push_back(catalog_.items[item].basic_code);
      }
      // Some bodies must onboard one or two items they have not published.
      if (next < order.size() && rng.Chance(0.4)) {
        const size_t extra = std::min(order.size() - next, static_cast<size_t>(1 + rng.Below(2)));
        for (size_t k = 0; k < extra; ++k) {
          required.push_back(catalog_.items[order[next + k]].basic_code);
        }
        ++short_bodies;
      }
      if (!required.empty()) {
        std::string* line = required_file.line();
        Json(line)
            .BeginObject()
            .Field("departmentCreditCode", body.credit_code)
            .StringList("basicCodes", required)
            .EndObject();
        required_file.End();
      }
    }
    return short_bodies;
  }

 private:
  void WriteImplementation(LineFile& file, const Body& body, int item_index, int business) {
    const BasicItem& item = catalog_.items[item_index];
    const ItemFragments& f = fragments_[item_index];
    const Region& region = province_.regions()[body.region];
    Rng rng(Mix(Mix(seed_, HashString(body.credit_code)), item_index * 16 + business + 1));
    std::string* out = file.line();
    Json json(out);

    std::string code = absl::StrCat(item.basic_code, "-", body.credit_code);
    std::string name = f.name;
    if (business >= 0) {
      absl::StrAppendFormat(&code, "-%02d", business + 1);
      absl::StrAppend(&name, "（", catalog_.business_sets[item.business].names[business], "）");
    }
    // Type, topics, life events, applicant kinds, the legal basis and the
    // department's name are left out: the catalog copies them from the basic
    // item and the department, so sending them would only slow the import.
    json.BeginObject()
        .Field("implementationCode", code)
        .Field("basicCode", item.basic_code)
        .Field("name", name)
        .Field("departmentCreditCode", body.credit_code)
        .Field("regionCode", region.code);
    if (!f.keywords.empty()) json.Raw(f.keywords);
    if (!f.synonyms.empty()) json.Raw(f.synonyms);
    json.Key("guide").BeginObject().Key("acceptanceConditions").Raw(f.acceptance);

    WriteMaterials(json, item, f, rng);

    // Time limits: promised well inside the statutory limit; instant items
    // are decided on the spot.
    const int statutory = item.statutory_days;
    const int promised =
        item.instant
            ? 0
            : std::clamp(static_cast<int>(std::lround(statutory * (0.3 + 0.4 * rng.Unit()))), 1,
                         statutory);
    WriteStages(json, body, item, promised);
    json.IntField("statutoryLimitDays", statutory)
        .IntField("promisedLimitDays", promised)
        .Key("handling")
        .String(item.instant ? "INSTANT" : "PROMISED");
    if (!f.fees.empty()) json.Raw(f.fees);

    // "0 visits" and "fully online" say the same; bodies differ in how far
    // they have digitised.
    const double roll = rng.Unit();
    int visits;
    if (item.instant) {
      visits = roll < 0.45 ? 0 : 1;
    } else {
      visits = roll < 0.35 ? 0 : roll < 0.87 ? 1 : 2;
    }
    const char* depth = "FULLY_ONLINE";
    if (visits == 1) depth = rng.Chance(0.85) ? "ONLINE_APPLICATION" : "INFORMATION_ONLY";
    if (visits == 2) depth = rng.Chance(0.6) ? "INFORMATION_ONLY" : "ONLINE_APPLICATION";
    json.IntField("onSiteVisits", visits)
        .Key("onlineDepth")
        .String(depth)
        .Raw(body.windows_json)
        .Key("consultationPhone")
        .String(body.consultation_phone)
        .Key("complaintPhone")
        .String("12345")
        .Raw(f.result)
        .EndObject()
        .EndObject();
    file.End();
  }

  void WriteMaterials(Json& json, const BasicItem& item, const ItemFragments& f, Rng& rng) {
    int id = 0;
    auto material = [&](absl::string_view quoted_name, bool required, int originals, int copies,
                        const char* form, absl::string_view licence, absl::string_view source,
                        absl::string_view blank_form) {
      json.BeginObject()
          .Key("materialId")
          .String(absl::StrFormat("M%02d", ++id))
          .Key("name")
          .Raw(quoted_name)
          .Key("required")
          .Bool(required)
          .IntField("originals", originals)
          .IntField("copies", copies)
          .Key("form")
          .String(form)
          .Field("blankFormUrl", blank_form)
          .Field("source", source)
          .Field("licenceType", licence)
          .EndObject();
    };
    json.Key("materials").BeginArray();
    // 政府信息公开申请 -> 政府信息公开申请表, not …申请申请表.
    const char* form_suffix = absl::EndsWith(item.name, "申请") ? "表" : "申请表";
    material(Quoted(absl::StrCat(item.name, form_suffix)), true, 1, 0, "PAPER_OR_ELECTRONIC", "",
             "申请人填写",
             absl::StrCat("https://zwfw.gd.example/forms/", item.basic_code, ".docx"));
    const bool identity_optional = item.natural_person && item.legal_person;
    if (item.natural_person || item.new_entity) {
      material("\"居民身份证\"", !identity_optional, 1, 1, "PAPER_OR_ELECTRONIC", "居民身份证",
               "公安机关", "");
    }
    if (item.legal_person && !item.new_entity) {
      material("\"营业执照\"", !identity_optional, 1, 1, "PAPER_OR_ELECTRONIC", "营业执照",
               "市场监督管理部门", "");
      material("\"法定代表人身份证明\"", !identity_optional, 1, 0, "PAPER", "", "申请单位出具", "");
    }
    for (size_t i = 0; i < f.materials.size(); ++i) {
      const auto& m = f.materials[i];
      const bool last = i + 1 == f.materials.size();
      const char* form = "PAPER_OR_ELECTRONIC";
      if (m.licence_type.empty()) {
        const double roll = rng.Unit();
        form = roll < 0.5 ? "PAPER_OR_ELECTRONIC" : roll < 0.8 ? "ELECTRONIC" : "PAPER";
      }
      material(m.name, !(last && rng.Chance(0.2)), 1, static_cast<int>(rng.Below(2)), form,
               m.licence_type, m.source, "");
    }
    if (rng.Chance(0.5)) {
      material("\"授权委托书\"", false, 1, 0, "PAPER", "", "申请人自备",
               "https://zwfw.gd.example/forms/authorisation.docx");
    }
    json.EndArray();
  }

  void WriteStages(Json& json, const Body& body, const BasicItem& item, int promised) {
    json.Key("stages").BeginArray();
    int id = 0;
    auto stage = [&](const char* name, int days) {
      json.BeginObject()
          .Key("stageId")
          .String(absl::StrFormat("S%d", ++id))
          .Key("name")
          .String(name)
          .Key("departmentCreditCode")
          .String(body.credit_code)
          .IntField("timeLimitDays", days)
          .EndObject();
    };
    if (item.instant) {
      stage("accept", 0);
      stage("decide", 0);
      json.EndArray();
      return;
    }
    // Countersigning departments: the other kinds the item names, in the
    // same region (absent kinds are skipped, as a small province lacks them).
    std::vector<const Body*> signers;
    if (item.countersign != CountersignMode::kNone) {
      const int region_index = body.region;
      for (int kind : item.countersign_kinds) {
        const int b = province_.Find(region_index, kind);
        if (b >= 0 && &province_.bodies()[b] != &body) signers.push_back(&province_.bodies()[b]);
      }
    }
    int left = promised;
    const int accept = left >= 3 ? 1 : 0;
    left -= accept;
    const int decide = left >= 2 ? 1 : 0;
    left -= decide;
    const int countersign = signers.empty() ? 0 : left / 3;
    const int review = left - countersign;
    stage("accept", accept);
    stage("review", review);
    if (!signers.empty()) {
      const bool any = item.countersign == CountersignMode::kAnyOf && signers.size() > 1;
      json.BeginObject()
          .Key("stageId")
          .String(absl::StrFormat("S%d", ++id))
          .Key("name")
          .String("countersign")
          .Key("departmentCreditCode")
          .String(body.credit_code)
          .Key("countersign")
          .String(any ? "ANY_OF" : "ALL_OF")
          .Key("countersignDepartments")
          .BeginArray();
      for (const Body* s : signers) json.String(s->credit_code);
      json.EndArray().IntField("timeLimitDays", countersign).EndObject();
    }
    stage("decide", decide);
    json.EndArray();
  }

  const Catalog& catalog_;
  Province& province_;
  uint64_t seed_;
  std::vector<ItemFragments> fragments_;
};

// Splits `total` implementations over the bodies in proportion to what each
// could publish, exactly.
void Allocate(std::vector<Body>& bodies, int64_t total, uint64_t seed) {
  int64_t capacity = 0;
  for (const Body& b : bodies) capacity += b.capacity;
  if (capacity == 0) return;
  const double fill = static_cast<double>(total) / static_cast<double>(capacity);
  int64_t assigned = 0;
  for (Body& b : bodies) {
    b.publish = std::min<int64_t>(b.capacity, static_cast<int64_t>(b.capacity * fill));
    assigned += b.publish;
  }
  // The rounding remainder goes one by one to bodies in a seeded order.
  std::vector<int> order(bodies.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  Rng rng(Mix(seed, 0xA110CA7Eull));
  for (size_t i = order.size(); i > 1; --i) {
    std::swap(order[i - 1], order[rng.Below(static_cast<uint32_t>(i))]);
  }
  while (assigned < total) {
    bool progress = false;
    for (int i : order) {
      if (assigned == total) break;
      if (bodies[i].publish < bodies[i].capacity) {
        ++bodies[i].publish;
        ++assigned;
        progress = true;
      }
    }
    if (!progress) break;
  }
}

}  // namespace

const std::vector<std::string>& OutputFiles() {
  static const auto* const kFiles =
      new std::vector<std::string>{"regions.jsonl", "departments.jsonl", "basic_items.jsonl",
                                   "implementations.jsonl", "required_items.jsonl"};
  return *kFiles;
}

absl::StatusOr<Summary> Generate(const Options& options) {
  if (options.implementations < 0) {
    return absl::InvalidArgumentError("implementations must be >= 0");
  }
  if (options.out_dir.empty()) return absl::InvalidArgumentError("an output directory is required");
  std::error_code ec;
  std::filesystem::create_directories(options.out_dir, ec);
  if (ec) {
    return absl::InternalError(absl::StrCat("cannot create ", options.out_dir, ": ", ec.message()));
  }
  const Catalog& catalog = GetCatalog();

  // Grow the province until its bodies can publish the implementations asked
  // for without every body publishing everything it could.
  const double scale = std::max(1e-4, options.implementations / 1e6);
  double growth = 1;
  std::unique_ptr<Province> province;
  for (int attempt = 0; attempt < 100; ++attempt) {
    province = std::make_unique<Province>(catalog, options.seed, ShapeFor(scale, growth));
    const double usable = kMaxFill * static_cast<double>(province->TotalCapacity());
    if (options.implementations <= usable) break;
    growth *= std::clamp(options.implementations / usable, 1.05, 2.0);
  }
  if (static_cast<double>(province->TotalCapacity()) < options.implementations) {
    return absl::InvalidArgumentError("too many implementations for the largest province shape");
  }
  Allocate(province->bodies(), options.implementations, options.seed);

  Summary summary;
  summary.regions = static_cast<int64_t>(province->regions().size());
  summary.departments = static_cast<int64_t>(province->bodies().size());
  summary.basic_items = static_cast<int64_t>(catalog.items.size());
  summary.implementations = options.implementations;

  Writer writer(catalog, *province, options.seed);
  const auto& names = OutputFiles();
  std::vector<std::unique_ptr<LineFile>> files;
  for (const std::string& name : names) {
    absl::StatusOr<std::unique_ptr<LineFile>> f = LineFile::Open(options.out_dir, name);
    if (!f.ok()) return f.status();
    files.push_back(*std::move(f));
  }
  writer.WriteRegions(*files[0]);
  writer.WriteDepartments(*files[1]);
  writer.WriteBasicItems(*files[2]);
  summary.departments_short = writer.WriteImplementations(*files[3], *files[4]);
  for (auto& f : files) {
    absl::StatusOr<FileSummary> s = f->Close();
    if (!s.ok()) return s.status();
    summary.files.push_back(*s);
  }
  return summary;
}

}  // namespace onewindow::catalog_gen
