// approval: cases, stages, department queues and deadlines.
#include "libs/server/bootstrap.h"
#include "services/approval/approval_grpc.h"
#include "services/approval/schema.h"

int main(int argc, char** argv) {
  using namespace onewindow;
  server::Process process =
      server::Bootstrap(argc, argv,
                        {"approval", "approval: the back office's cases and queues", 50053, 9103,
                         &approval::ApprovalMigrations()});
  approval::Cases cases(process.db.get());
  approval::ApprovalGrpc service(process.calls.get(), &cases);
  process.runner->AddService(&service, approval::v1::ApprovalService::service_full_name());
  return server::ServeUntilSignal(process);
}
