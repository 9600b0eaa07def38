// intake: applications, materials, licences and delivery.
#include "libs/server/bootstrap.h"
#include "services/intake/intake_grpc.h"
#include "services/intake/schema.h"

int main(int argc, char** argv) {
  using namespace onewindow;
  server::Process process = server::Bootstrap(argc, argv,
                                              {"intake", "intake: the front desk for applications",
                                               50052, 9102, &intake::IntakeMigrations()});
  intake::Applications applications(process.db.get());
  intake::IntakeGrpc service(process.calls.get(), &applications);
  process.runner->AddService(&service, intake::v1::IntakeService::service_full_name());
  return server::ServeUntilSignal(process);
}
