#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/loadgen/citizens.h"
#include "tools/loadgen/mix.h"
#include "tools/loadgen/requests.h"

namespace onewindow::loadgen {

// Everything the run draws on, found or made before the clock starts.
struct Plan {
  std::vector<std::string> words;        // search words that find something
  std::vector<std::string> regions;      // region filters (the bodies' regions)
  std::vector<std::string> guide_codes;  // implementation codes to read guides of
  std::vector<Citizen> citizens;         // registered (or registered by an earlier run)
  std::vector<SubmitItem> submit_items;  // items of `department` citizens apply for
  std::string department;                // whose queue the decisions work
  // Why an operation cannot run (its route or service is missing, nothing
  // to work on); empty when it can.
  std::array<std::string, kOpCount> skipped;

  void Skip(Op op, const std::string& why) {
    std::string& s = skipped[static_cast<size_t>(op)];
    if (s.empty()) s = why;
  }
  bool runs(Op op) const { return skipped[static_cast<size_t>(op)].empty(); }
};

struct PrepareOptions {
  std::string gateway_ip;  // a literal address
  int gateway_port = 0;
  uint64_t seed = 1;
  int citizens = 64;
  int max_words = 60;
  // Submissions (and so decisions) go to this body; empty: the body with the
  // most items found that natural persons can apply for online.
  std::string department;
  int upload_bytes = 16 * 1024;
  Mix mix;
  int threads = 4;
};

// Prepares a run through the gateway alone: checks it answers, reads which
// routes /api/openapi.json has, finds search words, regions and guides by
// searching, registers the citizens, picks the items to apply for, and
// tries one submission and one complaint. An operation that cannot work is
// marked skipped with the reason, not failed. NOT OK only when the gateway
// cannot be reached at all. `say` reports progress.
absl::StatusOr<Plan> Prepare(const PrepareOptions& options,
                             const std::function<void(const std::string&)>& say);

}  // namespace onewindow::loadgen
