#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace onewindow::loadgen {

// What a virtual user does next: one entry of the --mix.
enum class Op { kSearch, kGuide, kLogin, kMe, kSubmit, kDecide, kComplain };
inline constexpr int kOpCount = 7;
const char* OpName(Op op);

// The --mix weights, e.g. "search:70,guide:20,login:3,me:3,submit:2,decide:1,complain:1".
// Names left out weigh 0. Weights are relative (they need not add up to 100).
class Mix {
 public:
  static absl::StatusOr<Mix> Parse(absl::string_view text);

  double weight(Op op) const { return weights_[static_cast<size_t>(op)]; }
  // Takes an operation out (its service is not there): the rest keep their
  // proportions.
  void Disable(Op op) { weights_[static_cast<size_t>(op)] = 0; }
  bool empty() const;
  // Picks an operation in proportion to the weights, from `unit` in [0, 1).
  Op Pick(double unit) const;
  // "search:70,guide:20,…" with only the non-zero weights.
  std::string ToString() const;

 private:
  std::array<double, kOpCount> weights_{};
};

inline constexpr char kDefaultMix[] =
    "search:70,guide:20,login:3,me:3,submit:2,decide:1,complain:1";

}  // namespace onewindow::loadgen
