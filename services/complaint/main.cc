// complaint: consultations, complaints, 12345 work orders and ratings.
#include "libs/server/bootstrap.h"
#include "services/complaint/complaint_grpc.h"
#include "services/complaint/schema.h"

int main(int argc, char** argv) {
  using namespace onewindow;
  server::Process process = server::Bootstrap(argc, argv,
                                              {"complaint", "complaint: every matter answered",
                                               50055, 9105, &complaint::ComplaintMigrations()});
  complaint::WorkOrders orders(process.db.get());
  complaint::ComplaintGrpc service(process.calls.get(), &orders);
  process.runner->AddService(&service, complaint::v1::ComplaintService::service_full_name());
  return server::ServeUntilSignal(process);
}
