#pragma once

// The complaint service as a real process (with notification, Redis and the
// gateway), and stand-ins for intake and catalog served from the test
// process, so ratings can be checked against applications the test
// controls.

#include <grpcpp/client_context.h>

#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/strings/str_cat.h"
#include "libs/client/channels.h"
#include "libs/codes/credit_code.h"
#include "libs/server/call.h"
#include "libs/testing/grpc_context.h"
#include "libs/testing/grpc_server.h"
#include "libs/testing/principals.h"
#include "libs/testing/stack.h"
#include "onewindow/catalog/v1/catalog.grpc.pb.h"
#include "onewindow/complaint/v1/complaint.grpc.pb.h"
#include "onewindow/intake/v1/intake.grpc.pb.h"
#include "onewindow/notification/v1/notification.grpc.pb.h"
#include "tests/integration/require_ok.h"

namespace onewindow::complaint_it {

namespace v1 = complaint::v1;

inline std::string Dept(const std::string& digits8) {
  const std::string first17 = absl::StrCat("114401", digits8, "MB2");
  return first17 + codes::CreditCodeCheckChar(first17);
}

inline const std::string kCentre = Dept("00000001");
inline const std::string kRoads = Dept("00000002");
inline const std::string kHousing = Dept("00000003");
inline const std::string kOpen311Key = "test-client-key-0123456789";

inline auth::v1::Principal Citizen(const std::string& id) {
  auth::v1::Principal p = testing::MakePrincipal(auth::v1::CITIZEN, id);
  p.set_display_name("王五");
  return p;
}

inline auth::v1::Principal Handler(const std::string& department) {
  return testing::StaffPrincipal(absl::StrCat("staff-", department), department,
                                 {"complaint_handler"});
}

inline auth::v1::Principal Service(const std::string& name) {
  return testing::MakePrincipal(auth::v1::SERVICE, name);
}

// intake's GetApplication and catalog's GetImplementation, answering from
// maps; they insist on a principal token, as the real ones do.
class FakeIntake final : public intake::v1::IntakeService::Service {
 public:
  grpc::Status GetApplication(grpc::ServerContext* context,
                              const intake::v1::GetApplicationRequest* request,
                              intake::v1::Application* response) override {
    if (context->client_metadata().count(server::kPrincipalHeader) == 0) {
      return grpc::Status(grpc::UNAUTHENTICATED, "no token");
    }
    std::lock_guard<std::mutex> lock(mu);
    ++calls;
    auto it = apps.find(request->application_id());
    if (it == apps.end()) return grpc::Status(grpc::NOT_FOUND, "no application");
    *response = it->second;
    return grpc::Status::OK;
  }
  std::mutex mu;
  std::map<std::string, intake::v1::Application> apps;
  int calls = 0;
};

class FakeCatalog final : public catalog::v1::CatalogService::Service {
 public:
  grpc::Status GetImplementation(grpc::ServerContext*,
                                 const catalog::v1::GetImplementationRequest* request,
                                 catalog::v1::Implementation* response) override {
    response->set_implementation_code(request->implementation_code());
    response->set_name("不动产登记");
    response->set_department_credit_code(kHousing);
    response->set_region_code("440106000000");
    return grpc::Status::OK;
  }
};

struct ComplaintStack {
  ComplaintStack() {
    fakes = testing::RequireOk(testing::InProcessServer::Start({&intake, &catalog}));
    const std::string fake_addr = fakes->address();

    testing::StackOptions options;
    options.backends = {"notification", "complaint"};
    options.extra_flags["complaint"] = {
        absl::StrCat("--dispatch_departments=", kCentre),
        absl::StrCat("--calendar_dir=", OW_SOURCE_DIR, "/deploy/calendar"),
        absl::StrCat("--intake_addr=", fake_addr), absl::StrCat("--catalog_addr=", fake_addr)};
    options.extra_flags["gateway"] = {absl::StrCat("--open311_api_keys=tester:", kOpen311Key),
                                      "--open311_jurisdiction_id=gz.example"};
    stack = testing::RequireOk(testing::Stack::Start(options));
    complaint = v1::ComplaintService::NewStub(client::MakeChannel(stack->Address("complaint")));
    notification = notification::v1::NotificationService::NewStub(
        client::MakeChannel(stack->Address("notification")));
  }

  std::unique_ptr<grpc::ClientContext> As(const auth::v1::Principal& who) const {
    return testing::TokenContext(stack->Token(who), absl::Seconds(20));
  }

  // Calls `method` as `who`; the status and the reply.
  template <typename Request, typename Response>
  grpc::Status Call(const auth::v1::Principal& who,
                    grpc::Status (v1::ComplaintService::Stub::*method)(grpc::ClientContext*,
                                                                       const Request&, Response*),
                    const Request& request, Response* response) {
    return (complaint.get()->*method)(As(who).get(), request, response);
  }

  FakeIntake intake;
  FakeCatalog catalog;
  std::unique_ptr<testing::InProcessServer> fakes;
  std::unique_ptr<testing::Stack> stack;
  std::unique_ptr<v1::ComplaintService::Stub> complaint;
  std::unique_ptr<notification::v1::NotificationService::Stub> notification;
};

}  // namespace onewindow::complaint_it
