// catalog_gen: writes a synthetic Guangdong-shaped province as JSON Lines for
// catalog_import (regions, departments, basic items, implementations with full
// guides, required items).
//
//   catalog_gen --out=var/demo-catalog --implementations=1000000 --seed=1
//
// The same flags always produce the same files.
#include <chrono>
#include <cstdio>

#include "absl/flags/flag.h"
#include "libs/config/flags.h"
#include "tools/catalog_gen/generator.h"

ABSL_FLAG(std::string, out, "", "Directory to write the .jsonl files into (created if missing)");
ABSL_FLAG(int64_t, implementations, 10000, "Exactly how many implementations to write");
ABSL_FLAG(uint64_t, seed, 1, "Seed; the same seed and size give the same files");

int main(int argc, char** argv) {
  using namespace onewindow;
  config::ParseFlags(argc, argv, "catalog_gen --out=DIR [--implementations=N] [--seed=S]");
  catalog_gen::Options options;
  options.out_dir = absl::GetFlag(FLAGS_out);
  options.implementations = absl::GetFlag(FLAGS_implementations);
  options.seed = absl::GetFlag(FLAGS_seed);
  if (options.out_dir.empty()) {
    std::fprintf(stderr, "catalog_gen: --out=DIR is required\n");
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<catalog_gen::Summary> summary = catalog_gen::Generate(options);
  if (!summary.ok()) {
    std::fprintf(stderr, "catalog_gen: %s\n", std::string(summary.status().message()).c_str());
    return summary.status().code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "wrote %s in %.1f s: %lld regions, %lld departments (%lld required to onboard "
      "more than they publish), %lld basic items, %lld implementations\n",
      options.out_dir.c_str(), seconds, static_cast<long long>(summary->regions),
      static_cast<long long>(summary->departments),
      static_cast<long long>(summary->departments_short),
      static_cast<long long>(summary->basic_items),
      static_cast<long long>(summary->implementations));
  for (const auto& f : summary->files) {
    std::printf("  %-22s %10lld lines %10.1f MiB\n", f.name.c_str(),
                static_cast<long long>(f.lines), f.bytes / 1048576.0);
  }
  return 0;
}
