#pragma once

// The parts of catalog_import that decide something, apart from its threads
// and RPCs so they can be tested without a server.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace onewindow::catalog_import {

// ImportRegions applies a request whole or not at all and names problems as
// "regions[3].code: …; regions: parent X of Y is neither stored nor given".
// Returns each problem that names an entry of the batch, with that entry's
// index (a parent problem is matched through the child's code). Problems
// naming nothing in the batch are left out: the caller then rejects the whole
// batch with the full message.
std::vector<std::pair<int, std::string>> RegionErrors(absl::string_view message,
                                                      const std::vector<std::string>& codes);

// The wave each department is sent in: a department whose parent is in the
// same file goes one wave after its parent, so a parent is always stored
// before a batch needing it is sent, however the batches run in parallel.
// Parents not in the file count as stored already (wave 0). A cycle ends in
// the last wave, where the catalog rejects it with its own message.
std::vector<int> DepartmentWaves(
    const std::vector<std::pair<std::string, std::string>>& code_and_parent);

// One progress report: `done` of `total` units (lines when the total is
// known up front, else bytes), `lines` handled so far and their rate.
struct Progress {
  std::string name;
  int64_t done = 0;
  int64_t total = 0;
  int64_t lines = 0;
  double seconds = 0;
};

// "implementations.jsonl [#########---------]  48%  481200 lines  23456/s  ETA 0:22"
// for a terminal; the same without the bar for a log.
std::string FormatProgress(const Progress& p, bool bar);

// "1:05", "1:02:05", or "--:--" when unknown.
std::string FormatEta(double seconds);

}  // namespace onewindow::catalog_import
