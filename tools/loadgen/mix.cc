#include "tools/loadgen/mix.h"

#include <cmath>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace onewindow::loadgen {

const char* OpName(Op op) {
  switch (op) {
    case Op::kSearch:
      return "search";
    case Op::kGuide:
      return "guide";
    case Op::kLogin:
      return "login";
    case Op::kMe:
      return "me";
    case Op::kSubmit:
      return "submit";
    case Op::kDecide:
      return "decide";
    case Op::kComplain:
      return "complain";
  }
  return "?";
}

absl::StatusOr<Mix> Mix::Parse(absl::string_view text) {
  Mix mix;
  std::vector<std::string> problems;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    part = absl::StripAsciiWhitespace(part);
    const std::vector<absl::string_view> kv = absl::StrSplit(part, absl::MaxSplits(':', 1));
    const absl::string_view name = absl::StripAsciiWhitespace(kv[0]);
    double weight = 0;
    if (kv.size() != 2 || !absl::SimpleAtod(absl::StripAsciiWhitespace(kv[1]), &weight) ||
        !std::isfinite(weight) || weight < 0) {
      problems.push_back(absl::StrCat("\"", part, "\" is not name:weight with a weight >= 0"));
      continue;
    }
    bool known = false;
    for (int i = 0; i < kOpCount; ++i) {
      if (name == OpName(static_cast<Op>(i))) {
        mix.weights_[static_cast<size_t>(i)] = weight;
        known = true;
      }
    }
    if (!known) {
      problems.push_back(absl::StrCat("unknown operation \"", name,
                                      "\" (search, guide, login, me, submit, decide, complain)"));
    }
  }
  if (problems.empty() && mix.empty()) problems.push_back("every weight is 0");
  if (!problems.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("--mix: ", absl::StrJoin(problems, "; ")));
  }
  return mix;
}

bool Mix::empty() const {
  for (double w : weights_) {
    if (w > 0) return false;
  }
  return true;
}

Op Mix::Pick(double unit) const {
  double total = 0;
  for (double w : weights_) total += w;
  double at = unit * total;
  int last = 0;
  for (int i = 0; i < kOpCount; ++i) {
    const double w = weights_[static_cast<size_t>(i)];
    if (w <= 0) continue;
    last = i;
    if (at < w) return static_cast<Op>(i);
    at -= w;
  }
  // Rounding at the very top of the range.
  return static_cast<Op>(last);
}

std::string Mix::ToString() const {
  std::vector<std::string> parts;
  for (int i = 0; i < kOpCount; ++i) {
    const double w = weights_[static_cast<size_t>(i)];
    if (w > 0) parts.push_back(absl::StrCat(OpName(static_cast<Op>(i)), ":", w));
  }
  return absl::StrJoin(parts, ",");
}

}  // namespace onewindow::loadgen
