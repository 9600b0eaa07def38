#pragma once

// A synthetic, Guangdong-shaped province for loading and benchmarking the
// catalog: regions down to villages, government bodies at every level, the
// basic catalog, one implementation with a full guide per (body, item,
// business item), and the items each body must onboard. Written as JSON Lines
// of the catalog's protobuf messages (protobuf JSON field names), one file
// per message kind, in the order the importer loads them.
//
// Deterministic: the same options give byte-identical files. Implementations
// are streamed out body by body, so memory stays proportional to the number
// of bodies, not implementations.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace onewindow::catalog_gen {

struct Options {
  // Exactly this many implementations are written.
  int64_t implementations = 10000;
  uint64_t seed = 1;
  std::string out_dir;
};

struct FileSummary {
  std::string name;  // e.g. "implementations.jsonl"
  int64_t lines = 0;
  int64_t bytes = 0;
};

struct Summary {
  int64_t regions = 0;
  int64_t departments = 0;
  int64_t basic_items = 0;
  int64_t implementations = 0;
  // Bodies required to onboard more than they publish (coverage < 100 %).
  int64_t departments_short = 0;
  std::vector<FileSummary> files;  // in load order
};

// The files, in the order they must be loaded.
const std::vector<std::string>& OutputFiles();

// Writes the province into options.out_dir (created when missing). Errors:
// INVALID_ARGUMENT for bad options, INTERNAL when a file cannot be written.
absl::StatusOr<Summary> Generate(const Options& options);

}  // namespace onewindow::catalog_gen
