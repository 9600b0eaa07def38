#include "tools/catalog_import/import_support.h"

#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace onewindow::catalog_import {

std::vector<std::pair<int, std::string>> RegionErrors(absl::string_view message,
                                                      const std::vector<std::string>& codes) {
  absl::flat_hash_map<std::string, int> index_of;
  for (size_t i = 0; i < codes.size(); ++i) index_of.emplace(codes[i], static_cast<int>(i));
  std::vector<std::pair<int, std::string>> out;
  for (absl::string_view piece : absl::StrSplit(message, "; ")) {
    constexpr absl::string_view kPrefix = "regions[";
    if (absl::StartsWith(piece, kPrefix)) {
      const size_t close = piece.find(']');
      int index = -1;
      if (close != absl::string_view::npos &&
          absl::SimpleAtoi(piece.substr(kPrefix.size(), close - kPrefix.size()), &index) &&
          index >= 0 && index < static_cast<int>(codes.size())) {
        out.emplace_back(index, std::string(piece));
      }
      continue;
    }
    // "parent 440106000000 of 440106001000 is neither stored nor given"
    const size_t of = piece.find(" of ");
    if (of == absl::string_view::npos) continue;
    absl::string_view child = piece.substr(of + 4);
    size_t length = 0;
    while (length < child.size() &&
           absl::ascii_isdigit(static_cast<unsigned char>(child[length]))) {
      ++length;
    }
    auto it = index_of.find(child.substr(0, length));
    if (it != index_of.end()) out.emplace_back(it->second, std::string(piece));
  }
  return out;
}

std::vector<int> DepartmentWaves(
    const std::vector<std::pair<std::string, std::string>>& code_and_parent) {
  const int n = static_cast<int>(code_and_parent.size());
  absl::flat_hash_map<std::string, int> index_of;
  for (int i = 0; i < n; ++i) index_of.emplace(code_and_parent[i].first, i);
  std::vector<int> wave(n, -1);
  for (int i = 0; i < n; ++i) {
    // Walk up to a known wave or a parent outside the file, then number the
    // path back down. A chain longer than the file is a cycle.
    std::vector<int> path;
    int at = i;
    int base = 0;
    while (wave[at] < 0) {
      path.push_back(at);
      if (static_cast<int>(path.size()) > n) {
        base = n;  // a cycle: send it last and let the catalog say why
        break;
      }
      auto parent = index_of.find(code_and_parent[at].second);
      if (code_and_parent[at].second.empty() || parent == index_of.end() || parent->second == at) {
        base = 0;
        at = -1;
        break;
      }
      at = parent->second;
    }
    if (at >= 0 && wave[at] >= 0) base = wave[at] + 1;
    for (auto it = path.rbegin(); it != path.rend(); ++it) {
      if (wave[*it] < 0) wave[*it] = base++;
    }
  }
  return wave;
}

std::string FormatEta(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--:--";
  const auto s = static_cast<int64_t>(std::llround(seconds));
  if (s >= 3600) return absl::StrFormat("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
  return absl::StrFormat("%d:%02d", s / 60, s % 60);
}

std::string FormatProgress(const Progress& p, bool bar) {
  const double fraction =
      p.total > 0 ? std::clamp(static_cast<double>(p.done) / p.total, 0.0, 1.0) : 0.0;
  const double rate = p.seconds > 0 ? p.lines / p.seconds : 0;
  double eta = -1;
  if (p.done > 0 && p.seconds > 0 && p.total > 0) {
    eta = (p.total - p.done) / (p.done / p.seconds);
  }
  std::string out = p.name;
  if (bar) {
    constexpr int kWidth = 24;
    const int filled = static_cast<int>(fraction * kWidth);
    absl::StrAppend(&out, " [", std::string(filled, '#'), std::string(kWidth - filled, '-'), "]");
  } else {
    out.push_back(':');
  }
  absl::StrAppendFormat(&out, " %3d%%  %d lines  %.0f/s  ETA %s", static_cast<int>(fraction * 100),
                        p.lines, rate, FormatEta(eta));
  return out;
}

}  // namespace onewindow::catalog_import
