// catalog: regions, departments and service items with their guides.
#include "absl/time/clock.h"
#include "libs/config/flags.h"
#include "libs/server/bootstrap.h"
#include "libs/server/periodic.h"
#include "services/catalog/catalog_grpc.h"
#include "services/catalog/coverage_gauges.h"
#include "services/catalog/schema.h"

int main(int argc, char** argv) {
  using namespace onewindow;
  server::Process process =
      server::Bootstrap(argc, argv,
                        {"catalog", "catalog: the province's one list of service items", 50051,
                         9101, &catalog::CatalogMigrations()});
  catalog::Regions regions(process.db.get());
  catalog::SearchIndex index;
  catalog::Departments departments(process.db.get(), &index);
  catalog::Items items(process.db.get(), &index);
  catalog::Coverage coverage(process.db.get());

  // Search answers from memory only, so the index is complete before the
  // server reports SERVING.
  const absl::Time load_start = absl::Now();
  absl::StatusOr<size_t> loaded = items.LoadIndex();
  if (!loaded.ok()) config::ExitOnConfigError(process.logger, loaded.status());
  const catalog::SearchIndex::Stats stats = index.stats();
  process.logger.Info("search index loaded",
                      {{"implementations", static_cast<uint64_t>(*loaded)},
                       {"bigrams", static_cast<uint64_t>(stats.bigrams)},
                       {"postings", static_cast<uint64_t>(stats.postings)},
                       {"approx_mib", static_cast<uint64_t>(stats.approx_bytes >> 20)},
                       {"seconds", absl::ToDoubleSeconds(absl::Now() - load_start)}});

  catalog::CatalogGrpc service(process.calls.get(),
                               {&regions, &departments, &items, &index, &coverage});
  process.runner->AddService(&service, catalog::v1::CatalogService::service_full_name());

  catalog::CoverageGauges coverage_gauges(process.runner->metrics());
  server::PeriodicTask coverage_sampler(absl::Seconds(30), [&] {
    if (absl::Status s = coverage_gauges.Refresh(*process.db); !s.ok()) {
      process.logger.Warn("coverage gauges not refreshed", {{"error", s.ToString()}});
    }
  });
  // Stops before the store closes.
  process.runner->OnShutdown([&] { coverage_sampler.Stop(); });
  coverage_sampler.Start();
  return server::ServeUntilSignal(process);
}
