#pragma once

// A real Prometheus server (Debian's `prometheus`, installed by
// deploy/scripts/install-deps.sh) for tests: started on a free loopback
// port with a generated configuration that scrapes the given targets every
// second, stopped with the test.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/testing/process.h"

namespace onewindow::journey {

// One entry of /api/v1/targets' activeTargets.
struct ScrapeTarget {
  std::string job;
  std::string instance;
  std::string health;  // "up", "down" or "unknown" (not scraped yet)
  std::string last_error;
  // When it was last scraped; InfinitePast() before the first scrape.
  absl::Time last_scrape = absl::InfinitePast();
};

class PrometheusServer {
 public:
  // `targets`: job name -> "host:port" serving /metrics. `dir` holds the
  // configuration, the TSDB and the log. Waits until /-/ready answers.
  static absl::StatusOr<std::unique_ptr<PrometheusServer>> Start(
      const std::map<std::string, std::string>& targets, const std::string& dir);

  int port() const { return port_; }
  std::string Logs() const { return testing::ReadFile(process_.log_path()); }

  // GET on the HTTP API; the body, or an error naming the status and body.
  absl::StatusOr<std::string> Get(const std::string& target) const;
  // /api/v1/targets, parsed.
  absl::StatusOr<std::vector<ScrapeTarget>> Targets() const;
  // An instant query whose answer is a vector: one value per series, keyed
  // by the series' `label` (e.g. "job").
  absl::StatusOr<std::map<std::string, double>> Query(const std::string& promql,
                                                      const std::string& label) const;

 private:
  PrometheusServer() = default;

  int port_ = 0;
  testing::ChildProcess process_;
};

// The configuration Start writes: a global 1 s scrape interval and one
// static job per target. Separate so its shape is checkable with promtool.
std::string ScrapeConfig(const std::map<std::string, std::string>& targets);

// Parsers of the HTTP API's JSON answers (exposed for failure messages).
absl::StatusOr<std::vector<ScrapeTarget>> ParseTargets(const std::string& body);
absl::StatusOr<std::map<std::string, double>> ParseVector(const std::string& body,
                                                          const std::string& label);

}  // namespace onewindow::journey
