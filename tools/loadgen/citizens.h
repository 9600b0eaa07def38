#pragma once

#include <cstdint>
#include <string>

namespace onewindow::loadgen {

// A synthetic citizen the load generator registers and signs in as.
struct Citizen {
  std::string resident_id;
  std::string name;
  std::string phone;
  std::string region_code;
  std::string password;
};

// The `index`-th citizen of run `seed`, living in `region_code` (a valid
// 12-digit division code). Distinct indexes of one seed give distinct,
// valid resident ID numbers (GB 11643: the region's 6-digit address code, a
// birth date, a sequence and the check character); the same seed and index
// always give the same citizen, so a second run against the same stack
// signs in as the citizens the first one registered.
Citizen MakeCitizen(uint64_t seed, int index, const std::string& region_code);

// The password every load-generator citizen has (it passes identity's
// policy); fixed so citizens registered by an earlier run can sign in.
inline constexpr char kCitizenPassword[] = "Loadgen-citizen-1";

}  // namespace onewindow::loadgen
