#include "tools/loadgen/report.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace onewindow::loadgen {
namespace {

double Rate(uint64_t n, double seconds) { return static_cast<double>(n) / std::max(1e-9, seconds); }

double Millis(const LatencyHistogram& h, double q) { return h.Percentile(q) / 1000.0; }

// Few decimals for big numbers, more for small ones, none for whole ones.
std::string Number(double v) {
  if (v == std::floor(v) && std::abs(v) < 1e15) return absl::StrFormat("%.0f", v);
  const double a = std::abs(v);
  return absl::StrFormat("%.*f", a < 10 ? 3 : a < 1000 ? 1 : 0, v);
}

std::string Figure(const std::string& name, double value, const std::string& unit) {
  return absl::StrCat("figure: loadgen.", name, " ", Number(value), " ", unit);
}

bool Shown(const ReportInput& in, int i) {
  const EndpointStats& s = in.stats->endpoints[static_cast<size_t>(i)];
  return in.wanted[static_cast<size_t>(i)] || s.requests > 0;
}

EndpointStats Total(const ReportInput& in) {
  EndpointStats total;
  for (const EndpointStats& s : in.stats->endpoints) total.Merge(s);
  return total;
}

}  // namespace

std::string FormatTable(const ReportInput& in) {
  std::string out = absl::StrFormat("%-9s %10s %9s %8s %8s %8s %7s  %s\n", "endpoint", "requests",
                                    "rate/s", "p50 ms", "p99 ms", "errors", "429s", "route");
  for (int i = 0; i < kEndpointCount; ++i) {
    if (!Shown(in, i)) continue;
    const auto e = static_cast<Endpoint>(i);
    const EndpointStats& s = in.stats->at(e);
    const std::string& skipped = in.skipped[static_cast<size_t>(i)];
    if (!skipped.empty() && s.requests == 0) {
      absl::StrAppendFormat(&out, "%-9s %10s  skipped: %s\n", EndpointName(e), "-", skipped);
      continue;
    }
    absl::StrAppendFormat(&out, "%-9s %10d %9.1f %8.2f %8.2f %8d %7d  %s\n", EndpointName(e),
                          s.requests, Rate(s.requests, in.seconds), Millis(s.latency, 0.50),
                          Millis(s.latency, 0.99), s.errors, s.throttled, EndpointRoute(e));
  }
  const EndpointStats total = Total(in);
  absl::StrAppendFormat(&out, "%-9s %10d %9.1f %8.2f %8.2f %8d %7d  (%.1f s)\n", "total",
                        total.requests, Rate(total.requests, in.seconds),
                        Millis(total.latency, 0.50), Millis(total.latency, 0.99), total.errors,
                        total.throttled, in.seconds);
  return out;
}

std::vector<std::string> FigureLines(const ReportInput& in) {
  std::vector<std::string> out;
  auto add = [&](const std::string& name, const EndpointStats& s) {
    out.push_back(Figure(name + ".requests", static_cast<double>(s.requests), "requests"));
    out.push_back(Figure(name + ".rate", Rate(s.requests, in.seconds), "req/s"));
    out.push_back(Figure(name + ".p50", Millis(s.latency, 0.50), "ms"));
    out.push_back(Figure(name + ".p99", Millis(s.latency, 0.99), "ms"));
    out.push_back(Figure(name + ".errors", static_cast<double>(s.errors), "requests"));
    out.push_back(Figure(name + ".throttled", static_cast<double>(s.throttled), "requests"));
  };
  for (int i = 0; i < kEndpointCount; ++i) {
    const EndpointStats& s = in.stats->endpoints[static_cast<size_t>(i)];
    if (s.requests > 0) add(EndpointName(static_cast<Endpoint>(i)), s);
  }
  add("total", Total(in));
  return out;
}

std::vector<std::string> NoteLines(const ReportInput& in) {
  std::vector<std::string> out;
  for (int i = 0; i < kEndpointCount; ++i) {
    const auto e = static_cast<Endpoint>(i);
    const EndpointStats& s = in.stats->at(e);
    for (const auto& [kind, n] : s.error_kinds) {
      out.push_back(absl::StrCat("note: ", EndpointName(e), " error x", n, ": ", kind));
    }
    if (s.conflicts > 0) {
      out.push_back(absl::StrCat("note: ", EndpointName(e), ": ", s.conflicts,
                                 " tasks were decided elsewhere first (FAILED_PRECONDITION), "
                                 "not counted as errors"));
    }
    if (s.idle > 0) {
      out.push_back(absl::StrCat("note: ", EndpointName(e), ": the queue was empty ", s.idle,
                                 " times (nothing to decide)"));
    }
  }
  return out;
}

}  // namespace onewindow::loadgen
