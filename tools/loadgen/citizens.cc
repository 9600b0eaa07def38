#include "tools/loadgen/citizens.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "libs/codes/resident_id.h"

namespace onewindow::loadgen {

Citizen MakeCitizen(uint64_t seed, int index, const std::string& region_code) {
  // Birth dates step one day per 500 citizens from a day the seed picks in
  // 1960-1999; sequences run 100..599 within a day, so indexes never clash.
  const absl::CivilDay base(1960, 1, 1);
  const int64_t start = static_cast<int64_t>(seed % 14000);
  const absl::CivilDay birth = base + start + index / 500;
  const int sequence = 100 + index % 500;
  const std::string address = region_code.size() >= 6 ? region_code.substr(0, 6) : "440106";
  const std::string first17 = absl::StrFormat("%s%04d%02d%02d%03d", address, birth.year(),
                                              birth.month(), birth.day(), sequence);
  Citizen c;
  c.resident_id = absl::StrCat(first17, std::string(1, codes::ResidentIdCheckChar(first17)));
  c.name = absl::StrCat("压测用户", index);
  c.phone = absl::StrFormat("139%08d", static_cast<int>((seed * 7919 + index) % 100000000));
  c.region_code = region_code;
  c.password = kCitizenPassword;
  return c;
}

}  // namespace onewindow::loadgen
