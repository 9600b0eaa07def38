#pragma once

#include <array>
#include <string>
#include <vector>

#include "tools/loadgen/stats.h"

namespace onewindow::loadgen {

struct ReportInput {
  const RunStats* stats = nullptr;
  // Length of the measured window.
  double seconds = 0;
  // Why an endpoint was not exercised; empty when it was.
  std::array<std::string, kEndpointCount> skipped;
  // Whether the mix asked for it at all (rows of endpoints left out of the
  // mix are not printed).
  std::array<bool, kEndpointCount> wanted{};
};

// The table people read: one row per endpoint, then the total.
//
//   endpoint   requests   rate/s   p50 ms   p99 ms  errors   429s  route
std::string FormatTable(const ReportInput& in);

// `figure: loadgen.<endpoint>.<metric> <value> <unit>` lines (the benchmark
// convention), for the endpoints that ran and for the total.
std::vector<std::string> FigureLines(const ReportInput& in);

// What went wrong, by kind, and the decisions that found nothing to do or
// lost a race: `note: …` lines.
std::vector<std::string> NoteLines(const ReportInput& in);

}  // namespace onewindow::loadgen
