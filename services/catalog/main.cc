// catalog: regions, departments and service items with their guides.
#include "libs/server/bootstrap.h"
#include "services/catalog/catalog_grpc.h"
#include "services/catalog/schema.h"

int main(int argc, char** argv) {
  using namespace onewindow;
  server::Process process =
      server::Bootstrap(argc, argv,
                        {"catalog", "catalog: the province's one list of service items", 50051,
                         9101, &catalog::CatalogMigrations()});
  catalog::Regions regions(process.db.get());
  catalog::CatalogGrpc service(process.calls.get(), &regions);
  process.runner->AddService(&service, catalog::v1::CatalogService::service_full_name());
  return server::ServeUntilSignal(process);
}
