// Intake over its real surfaces: materials streamed through the gateway,
// submissions with idempotency keys, who sees what, supplement and
// withdrawal, the hand-off surviving a receiver outage, and a kill -9 in the
// middle of a stream of submissions.
//
// Approval and notification are played by a small gRPC server inside the
// test, so it can fail on purpose and count what it was sent.
#include <grpcpp/client_context.h>
#include <signal.h>

#include <atomic>
#include <map>
#include <random>
#include <set>
#include <thread>

#include <catch2/catch.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "libs/client/channels.h"
#include "libs/testing/accounts.h"
#include "libs/testing/eventually.h"
#include "libs/testing/fake_pdf.h"
#include "libs/testing/grpc_context.h"
#include "libs/testing/grpc_server.h"
#include "libs/testing/http_client.h"
#include "libs/testing/json_fields.h"
#include "libs/testing/principals.h"
#include "libs/testing/stack.h"
#include "onewindow/approval/v1/approval.grpc.pb.h"
#include "onewindow/catalog/v1/catalog.grpc.pb.h"
#include "onewindow/intake/v1/intake.grpc.pb.h"
#include "onewindow/notification/v1/notification.grpc.pb.h"
#include "tests/integration/require_ok.h"
#include "tests/integration/test_item.h"
#include "tests/unit/intake_guide.h"

namespace onewindow {
namespace {

using intake::test::kDepartment;
using testing::Eventually;
using testing::FakePdf;
using testing::Headers;
using testing::HttpConnection;
using testing::HttpResult;
using testing::JsonField;
using testing::MakePrincipal;
using testing::RequireOk;
using testing::SignedInCitizen;
using testing::Stack;

// Approval and notification as intake sees them: idempotent on event id
// (application id for opens), able to fail for a while.
class Receivers final : public approval::v1::ApprovalService::Service,
                        public notification::v1::NotificationService::Service {
 public:
  grpc::Status OpenCase(grpc::ServerContext*, const approval::v1::OpenCaseRequest* request,
                        approval::v1::Case* response) override {
    absl::MutexLock lock(&mu);
    ++open_calls;
    if (open_failures > 0) {
      --open_failures;
      return grpc::Status(grpc::UNAVAILABLE, "approval is down");
    }
    opened.insert(request->application_id());
    response->set_application_id(request->application_id());
    return grpc::Status::OK;
  }
  grpc::Status ResumeCase(grpc::ServerContext*, const approval::v1::ResumeCaseRequest* request,
                          approval::v1::Case* response) override {
    absl::MutexLock lock(&mu);
    resumed.insert(request->application_id());
    response->set_application_id(request->application_id());
    return grpc::Status::OK;
  }
  grpc::Status WithdrawCase(grpc::ServerContext*, const approval::v1::WithdrawCaseRequest* request,
                            approval::v1::Case* response) override {
    absl::MutexLock lock(&mu);
    withdrawn.insert(request->application_id());
    response->set_application_id(request->application_id());
    if (decided.count(request->application_id()) > 0) {
      return grpc::Status(grpc::FAILED_PRECONDITION, "decided");
    }
    return grpc::Status::OK;
  }
  grpc::Status Notify(grpc::ServerContext*, const notification::v1::NotifyRequest* request,
                      notification::v1::NotifyResponse* response) override {
    absl::MutexLock lock(&mu);
    response->set_created(notified.insert(request->event().event_id()).second);
    if (response->created()) types.push_back(request->event().type());
    return grpc::Status::OK;
  }

  size_t Opened() {
    absl::MutexLock lock(&mu);
    return opened.size();
  }

  absl::Mutex mu;
  int open_failures = 0;
  int open_calls = 0;
  std::set<std::string> opened, resumed, withdrawn, decided, notified;
  std::vector<std::string> types;
};

struct ReceiverServer {
  std::string Address() const { return server->address(); }

  Receivers receivers;
  std::unique_ptr<testing::InProcessServer> server = RequireOk(testing::InProcessServer::Start(
      {static_cast<approval::v1::ApprovalService::Service*>(&receivers),
       static_cast<notification::v1::NotificationService::Service*>(&receivers)}));
};

// Uploads of a few MiB and submissions racing a kill -9 may take longer
// than the usual call.
std::unique_ptr<grpc::ClientContext> Context(const std::string& token) {
  return testing::TokenContext(token, absl::Seconds(30));
}

// A stack with the item published, intake pointed at the receivers.
struct World {
  explicit World(bool gateway = true, std::vector<std::string> intake_flags = {}) {
    testing::StackOptions options;
    options.backends = gateway ? std::vector<std::string>{"identity", "catalog", "intake"}
                               : std::vector<std::string>{"catalog", "intake"};
    options.gateway = gateway;
    options.redis = gateway;
    options.extra_flags["intake"] = {
        absl::StrCat("--approval_addr=", receiver.Address()),
        absl::StrCat("--notification_addr=", receiver.Address()),
        absl::StrCat("--calendar_dir=", OW_SOURCE_DIR, "/deploy/calendar")};
    for (auto& flag : intake_flags) options.extra_flags["intake"].push_back(std::move(flag));
    stack = RequireOk(Stack::Start(options));
    PublishItem();
    intake = intake::v1::IntakeService::NewStub(client::MakeChannel(stack->Address("intake")));
  }

  void PublishItem() { revision = testing::PublishTestItem(*stack); }

  // Uploads over gRPC as `token`'s principal.
  intake::v1::Material Upload(const std::string& token, const std::string& bytes) {
    intake::v1::Material material;
    auto context = Context(token);
    auto writer = intake->UploadMaterial(context.get(), &material);
    intake::v1::UploadMaterialRequest message;
    message.mutable_header()->set_file_name("scan.pdf");
    REQUIRE(writer->Write(message));
    message.set_chunk(bytes);
    REQUIRE(writer->Write(message));
    writer->WritesDone();
    grpc::Status s = writer->Finish();
    INFO(s.error_message());
    REQUIRE(s.ok());
    return material;
  }

  intake::v1::SubmitApplicationRequest Request(const std::string& key, const std::string& form,
                                               const std::string& licence) const {
    intake::v1::SubmitApplicationRequest r;
    r.set_request_id(key);
    r.set_implementation_code(intake::test::ImplementationCode());
    r.set_catalog_revision(revision);
    (*r.mutable_form())["shop_name"] = "老街面馆";
    auto* f = r.add_materials();
    f->set_guide_material_id("form");
    f->set_material_id(form);
    auto* l = r.add_materials();
    l->set_guide_material_id("licence");
    l->set_material_id(licence);
    return r;
  }

  std::string ServiceToken() const {
    return stack->Token(MakePrincipal(auth::v1::SERVICE, "approval"));
  }

  grpc::Status Report(const std::string& application_id, intake::v1::ApplicationStatus status,
                      const std::string& event_id,
                      std::function<void(intake::v1::RecordTransitionRequest&)> more = {}) {
    intake::v1::RecordTransitionRequest r;
    r.set_event_id(event_id);
    r.set_application_id(application_id);
    r.set_status(status);
    r.set_actor(kDepartment);
    if (more) more(r);
    intake::v1::RecordTransitionResponse out;
    return intake->RecordTransition(Context(ServiceToken()).get(), r, &out);
  }

  ReceiverServer receiver;
  std::unique_ptr<Stack> stack;
  std::unique_ptr<intake::v1::IntakeService::Stub> intake;
  int64_t revision = 0;
};

SignedInCitizen SignUp(int port, const std::string& resident_id, const std::string& phone) {
  return RequireOk(testing::RegisterAndSignIn(port, {resident_id, phone}));
}

HttpResult Call(HttpConnection& c, const std::string& method, const std::string& target,
                const std::string& body, const Headers& headers) {
  return RequireOk(c.Request(method, target, body, headers));
}

Headers With(Headers headers, const std::string& name, const std::string& value) {
  headers.emplace_back(name, value);
  return headers;
}

TEST_CASE(
    "through the gateway: streamed uploads, an idempotent submission, and only the "
    "owner sees it") {
  World w;
  const int port = w.stack->gateway_port();
  SignedInCitizen a = SignUp(port, "11010519491231002X", "13812341234");
  SignedInCitizen b = SignUp(port, "110105194912310038", "13912341234");
  HttpConnection ca(port);
  HttpConnection cb(port);

  // A 3 MiB scan streams through, larger than any JSON body may be.
  const std::string scan = FakePdf(3 << 20);
  HttpResult form = Call(ca, "POST", "/api/v1/materials?fileName=%E7%94%B3%E8%AF%B7%E8%A1%A8.pdf",
                         scan, With(a.headers(), "Content-Type", "application/pdf"));
  INFO(form.body);
  REQUIRE(form.status == 200);
  CHECK(JsonField(form.body, "contentType") == "application/pdf");
  CHECK(JsonField(form.body, "fileName") == "申请表.pdf");
  CHECK(JsonField(form.body, "sizeBytes") == std::to_string(scan.size()));
  const std::string form_id = JsonField(form.body, "materialId");
  HttpResult licence = Call(ca, "POST", "/api/v1/materials?fileName=licence.png",
                            std::string("\x89PNG\r\n\x1A\n\0\0\0\rIHDR", 16), a.headers());
  REQUIRE(licence.status == 200);
  CHECK(JsonField(licence.body, "contentType") == "image/png");
  const std::string licence_id = JsonField(licence.body, "materialId");

  // The type comes from the content: a renamed program is refused, and a
  // refused upload does not keep the connection.
  HttpResult exe = Call(ca, "POST", "/api/v1/materials?fileName=scan.pdf",
                        "MZ\x90\x00 not a document at all", a.headers());
  CHECK(exe.status == 400);
  CHECK(absl::StrContains(exe.body, "not a PDF, JPEG, PNG or OFD"));
  // Signed-out uploads and uploads without the CSRF token go nowhere.
  CHECK(Call(cb, "POST", "/api/v1/materials", scan, {}).status == 401);
  CHECK(Call(cb, "POST", "/api/v1/materials", scan, {b.headers()[0]}).status == 403);

  const std::string body = absl::StrCat(
      R"({"implementationCode":")", intake::test::ImplementationCode(), R"(","catalogRevision":")",
      w.revision, R"(","form":{"shop_name":"老街面馆"},"materials":[)",
      R"({"guideMaterialId":"form","materialId":")", form_id, R"("},)",
      R"({"guideMaterialId":"licence","materialId":")", licence_id, R"("}]})");
  HttpResult first = Call(ca, "POST", "/api/v1/applications", body,
                          With(a.headers(), "Idempotency-Key", "apply-1"));
  INFO(first.body);
  REQUIRE(first.status == 200);
  const std::string id = JsonField(first.body, "applicationId");
  const std::string number = JsonField(first.body, "number");
  CHECK(absl::StartsWith(number, "SQ"));
  CHECK(JsonField(first.body, "status") == "SUBMITTED");
  CHECK(first.header("cache-control") == "no-store");

  HttpResult retry = Call(ca, "POST", "/api/v1/applications", body,
                          With(a.headers(), "Idempotency-Key", "apply-1"));
  REQUIRE(retry.status == 200);
  CHECK(JsonField(retry.body, "applicationId") == id);
  CHECK(JsonField(retry.body, "number") == number);
  HttpResult conflict = Call(ca, "POST", "/api/v1/applications",
                             absl::StrReplaceAll(body, {{"老街面馆", "新街面馆"}}),
                             With(a.headers(), "Idempotency-Key", "apply-1"));
  CHECK(conflict.status == 409);
  CHECK(absl::StrContains(conflict.body, "idempotency key"));

  // Missing materials are all named at once.
  HttpResult incomplete =
      Call(ca, "POST", "/api/v1/applications",
           absl::StrCat(R"({"implementationCode":")", intake::test::ImplementationCode(),
                        R"(","catalogRevision":")", w.revision, R"("})"),
           With(a.headers(), "Idempotency-Key", "apply-2"));
  CHECK(incomplete.status == 400);
  CHECK(absl::StrContains(incomplete.body, "申请表 (form)"));
  CHECK(absl::StrContains(incomplete.body, "营业执照 (licence)"));

  // The owner reads, lists and downloads; another citizen finds nothing.
  HttpResult mine = Call(ca, "GET", absl::StrCat("/api/v1/applications/", id), "", a.headers());
  REQUIRE(mine.status == 200);
  CHECK(absl::StrContains(mine.body, "\"timeline\""));
  CHECK(absl::StrContains(mine.body, "workingDaysLeft"));
  HttpResult listed = Call(ca, "GET", "/api/v1/applications?statuses=SUBMITTED", "", a.headers());
  REQUIRE(listed.status == 200);
  CHECK(absl::StrContains(listed.body, id));
  HttpResult download =
      Call(ca, "GET", absl::StrCat("/api/v1/materials/", form_id, "/content"), "", a.headers());
  REQUIRE(download.status == 200);
  CHECK(download.body == scan);
  CHECK(download.header("content-type") == "application/pdf");
  CHECK(absl::StartsWith(download.header("content-disposition"), "attachment;"));

  CHECK(Call(cb, "GET", absl::StrCat("/api/v1/applications/", id), "", b.headers()).status == 404);
  CHECK(Call(cb, "GET", absl::StrCat("/api/v1/materials/", form_id), "", b.headers()).status ==
        404);
  CHECK(Call(cb, "GET", absl::StrCat("/api/v1/materials/", form_id, "/content"), "", b.headers())
            .status == 404);
  HttpResult theirs = Call(cb, "GET", "/api/v1/applications", "", b.headers());
  REQUIRE(theirs.status == 200);
  CHECK_FALSE(absl::StrContains(theirs.body, id));
  // Nor can they attach a's upload to their own application.
  HttpResult stolen = Call(cb, "POST", "/api/v1/applications", body,
                           With(b.headers(), "Idempotency-Key", "apply-1"));
  CHECK(stolen.status == 400);
  CHECK(absl::StrContains(stolen.body, "no such upload"));

  // The hand-off and the notification reach their receivers.
  CHECK(Eventually([&] { return w.receiver.receivers.Opened() == 1; }));
  CHECK(Eventually([&] {
    absl::MutexLock lock(&w.receiver.receivers.mu);
    return !w.receiver.receivers.types.empty();
  }));
}

TEST_CASE(
    "through the gateway: a wrong item code or revision, or a key or path that is not text, is "
    "a 400 naming it") {
  World w;
  const int port = w.stack->gateway_port();
  SignedInCitizen a = SignUp(port, "11010519491231002X", "13812341234");
  HttpConnection ca(port);
  auto submit = [&](const std::string& code, const std::string& revision, const std::string& key) {
    return Call(ca, "POST", "/api/v1/applications",
                absl::StrCat(R"({"implementationCode":")", code, R"(","catalogRevision":")",
                             revision, R"("})"),
                With(a.headers(), "Idempotency-Key", key));
  };
  HttpResult no_revision = submit(intake::test::ImplementationCode(), "99", "k-1");
  INFO(no_revision.body);
  CHECK(no_revision.status == 400);
  CHECK(absl::StrContains(no_revision.body, "catalog_revision"));
  CHECK(absl::StrContains(no_revision.body, "has no revision 99"));

  HttpResult malformed = submit("not-a-code", absl::StrCat(w.revision), "k-2");
  INFO(malformed.body);
  CHECK(malformed.status == 400);
  CHECK(absl::StrContains(malformed.body, "implementation_code: "));

  HttpResult not_text =
      submit(intake::test::ImplementationCode(), absl::StrCat(w.revision), "caf\xE9");
  INFO(not_text.body);
  CHECK(not_text.status == 400);
  CHECK(absl::StrContains(not_text.body, "Idempotency-Key header: not valid UTF-8"));

  HttpResult path = Call(ca, "GET", "/api/v1/materials/mat_\xE9/content", "", a.headers());
  INFO(path.body);
  CHECK(path.status == 400);
  CHECK(absl::StrContains(path.body, "not valid UTF-8"));
}

TEST_CASE("through the gateway: an upload beyond the account's limit in progress is answered 429") {
  World w(true, {"--max_uploads_per_uploader=1"});
  const int port = w.stack->gateway_port();
  SignedInCitizen a = SignUp(port, "11010519491231002X", "13812341234");
  SignedInCitizen b = SignUp(port, "110105194912310038", "13912341234");

  // A's first upload is under way: its header and some bytes are in.
  const std::string token = w.stack->Token(MakePrincipal(auth::v1::CITIZEN, a.account_id));
  intake::v1::Material held;
  auto context = Context(token);
  auto writer = w.intake->UploadMaterial(context.get(), &held);
  intake::v1::UploadMaterialRequest message;
  message.mutable_header()->set_file_name("slow.pdf");
  REQUIRE(writer->Write(message));
  const std::string pdf = FakePdf(1000);
  message.set_chunk(pdf.substr(0, 500));
  REQUIRE(writer->Write(message));

  // The server reads the first stream's header on its own thread: ask until
  // the second is refused.
  HttpConnection ca(port);
  HttpResult second;
  for (int i = 0; i < 50; ++i) {
    second = Call(ca, "POST", "/api/v1/materials?fileName=next.pdf", pdf, a.headers());
    if (second.status != 200) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  INFO(second.body);
  CHECK(second.status == 429);
  CHECK(absl::StrContains(second.body, "RESOURCE_EXHAUSTED"));
  CHECK(absl::StrContains(second.body, "this account already has 1 uploads in progress"));
  // Someone else uploads meanwhile.
  HttpConnection cb(port);
  CHECK(Call(cb, "POST", "/api/v1/materials?fileName=b.pdf", pdf, b.headers()).status == 200);

  // The held upload completes, and then A uploads again.
  message.set_chunk(pdf.substr(500));
  REQUIRE(writer->Write(message));
  writer->WritesDone();
  grpc::Status finished = writer->Finish();
  INFO(finished.error_message());
  REQUIRE(finished.ok());
  CHECK(held.size_bytes() == static_cast<int64_t>(pdf.size()));
  CHECK(Call(ca, "POST", "/api/v1/materials?fileName=next.pdf", pdf, a.headers()).status == 200);
}

TEST_CASE("through the gateway: a download streams a many-chunk file whole, to its owner only") {
  World w;
  const int port = w.stack->gateway_port();
  SignedInCitizen a = SignUp(port, "11010519491231002X", "13812341234");
  SignedInCitizen b = SignUp(port, "110105194912310038", "13912341234");
  HttpConnection ca(port);
  HttpConnection cb(port);

  // Over 1 MiB: seventeen of intake's 64 KiB chunks, the last one short,
  // all different, so a chunk dropped, repeated or reordered shows.
  std::string file = "%PDF-1.7\n";
  std::mt19937 random(7);
  while (file.size() < (1 << 20) + 12345) file.push_back(static_cast<char>(random()));
  HttpResult uploaded = Call(ca, "POST", "/api/v1/materials?fileName=big.pdf", file, a.headers());
  INFO(uploaded.body);
  REQUIRE(uploaded.status == 200);
  const std::string target =
      absl::StrCat("/api/v1/materials/", JsonField(uploaded.body, "materialId"), "/content");

  // Twice on one connection: the body ends where its length says, so the
  // connection carries on.
  for (int i = 0; i < 2; ++i) {
    HttpResult download = Call(ca, "GET", target, "", a.headers());
    REQUIRE(download.status == 200);
    CHECK(download.header("content-length") == std::to_string(file.size()));
    CHECK(download.header("transfer-encoding").empty());
    CHECK(download.header("connection").empty());
    CHECK(download.header("content-type") == "application/pdf");
    CHECK(download.header("content-disposition") == "attachment; filename*=UTF-8''big.pdf");
    CHECK(download.header("cache-control") == "no-store");
    CHECK_FALSE(download.header("x-request-id").empty());
    CHECK(download.body.size() == file.size());
    CHECK(download.body == file);
  }

  // Another citizen's request finds nothing, exactly like a missing file.
  HttpResult theirs = Call(cb, "GET", target, "", b.headers());
  CHECK(theirs.status == 404);
  CHECK(absl::StrContains(theirs.body, R"("code":"NOT_FOUND")"));
  CHECK(Call(cb, "GET", "/api/v1/materials/mat_missing/content", "", b.headers()).status == 404);
  CHECK(Call(cb, "GET", target, "", {}).status == 401);
}

// A signed-in applicant's uploads and submissions through the gateway.
struct GatewayApplicant {
  std::string Upload(const std::string& name) {
    HttpResult r =
        Call(c, "POST", absl::StrCat("/api/v1/materials?fileName=", name), FakePdf(1000), headers);
    REQUIRE(r.status == 200);
    return JsonField(r.body, "materialId");
  }
  // Both materials freshly uploaded; answered 200 or the test stops.
  HttpResult Apply(const std::string& key) {
    const std::string body = absl::StrCat(
        R"({"implementationCode":")", intake::test::ImplementationCode(),
        R"(","catalogRevision":")", revision, R"(","materials":[)",
        R"({"guideMaterialId":"form","materialId":")", Upload("form.pdf"), R"("},)",
        R"({"guideMaterialId":"licence","materialId":")", Upload("licence.pdf"), R"("}]})");
    HttpResult r =
        Call(c, "POST", "/api/v1/applications", body, With(headers, "Idempotency-Key", key));
    REQUIRE(r.status == 200);
    return r;
  }

  HttpConnection& c;
  Headers headers;
  int64_t revision;
};

TEST_CASE("through the gateway: supplement, withdrawal, and a result in the wallet") {
  World w;
  const int port = w.stack->gateway_port();
  SignedInCitizen a = SignUp(port, "11010519491231002X", "13812341234");
  HttpConnection c(port);
  GatewayApplicant applicant{c, a.headers(), w.revision};
  auto apply = [&](const std::string& key) {
    return JsonField(applicant.Apply(key).body, "applicationId");
  };

  const std::string first = apply("k1");
  REQUIRE(w.Report(first, intake::v1::SUPPLEMENT_NEEDED, "evt-1", [](auto& r) {
             r.add_supplement()->set_material_name("营业执照");
             r.add_supplement()->set_material_name("场所平面图");
           }).ok());
  const std::string scan = applicant.Upload("licence2.pdf");
  const std::string plan = applicant.Upload("plan.pdf");
  HttpResult partial = Call(
      c, "POST", absl::StrCat("/api/v1/applications/", first, "/supplement"),
      absl::StrCat(R"({"materials":[{"materialName":"营业执照","materialId":")", scan, R"("}]})"),
      a.headers());
  CHECK(partial.status == 400);
  CHECK(absl::StrContains(partial.body, "场所平面图"));
  HttpResult supplied =
      Call(c, "POST", absl::StrCat("/api/v1/applications/", first, "/supplement"),
           absl::StrCat(R"({"materials":[{"materialName":"营业执照","materialId":")", scan,
                        R"("},{"materialName":"场所平面图","materialId":")", plan, R"("}]})"),
           With(a.headers(), "Idempotency-Key", "sup-1"));
  INFO(supplied.body);
  REQUIRE(supplied.status == 200);
  CHECK(JsonField(supplied.body, "status") == "SUPPLEMENTED");
  CHECK(Eventually([&] {
    absl::MutexLock lock(&w.receiver.receivers.mu);
    return w.receiver.receivers.resumed.count(first) == 1;
  }));

  // Withdrawn before a decision; refused once approval has decided.
  HttpResult withdrawn =
      Call(c, "POST", absl::StrCat("/api/v1/applications/", first, "/withdrawal"),
           R"({"reason":"不再经营"})", a.headers());
  REQUIRE(withdrawn.status == 200);
  CHECK(JsonField(withdrawn.body, "status") == "WITHDRAWN");
  const std::string second = apply("k2");
  {
    absl::MutexLock lock(&w.receiver.receivers.mu);
    w.receiver.receivers.decided.insert(second);
  }
  HttpResult too_late = Call(
      c, "POST", absl::StrCat("/api/v1/applications/", second, "/withdrawal"), "{}", a.headers());
  CHECK(too_late.status == 409);
  CHECK(absl::StrContains(too_late.body, "decision"));

  // Approved, issued: the licence is in the wallet, delivered electronically.
  REQUIRE(w.Report(second, intake::v1::APPROVED, "evt-2").ok());
  REQUIRE(w.Report(second, intake::v1::RESULT_ISSUED, "evt-3", [](auto& r) {
             r.mutable_result()->set_licence_type("food_licence");
             r.mutable_result()->set_number("JY14401060000001");
           }).ok());
  // Reported twice (approval's outbox retrying): applied once.
  REQUIRE(w.Report(second, intake::v1::RESULT_ISSUED, "evt-3").ok());
  HttpResult wallet = Call(c, "GET", "/api/v1/licences", "", a.headers());
  REQUIRE(wallet.status == 200);
  CHECK(absl::StrContains(wallet.body, "JY14401060000001"));
  HttpResult done = Call(c, "GET", absl::StrCat("/api/v1/applications/", second), "", a.headers());
  CHECK(JsonField(done.body, "status") == "DELIVERED");
}

TEST_CASE("through the gateway: anyone with the number and query code sees the progress") {
  World w;
  const int port = w.stack->gateway_port();
  SignedInCitizen a = SignUp(port, "11010519491231002X", "13812341234");
  HttpConnection c(port);
  GatewayApplicant applicant{c, a.headers(), w.revision};
  HttpResult submitted = applicant.Apply("k1");
  const std::string id = JsonField(submitted.body, "applicationId");
  const std::string number = JsonField(submitted.body, "number");
  const std::string code = JsonField(submitted.body, "queryCode");
  REQUIRE(code.size() == 10);
  REQUIRE(w.Report(id, intake::v1::ACCEPTED, "evt-1").ok());

  // A fresh connection with no session cookie: nobody is signed in.
  HttpConnection anonymous(port);
  auto lookup = [&](const std::string& query_code) {
    return Call(anonymous, "POST", "/api/v1/progress",
                absl::StrCat(R"({"number":")", number, R"(","queryCode":")", query_code, R"("})"),
                {});
  };
  HttpResult progress = lookup(code);
  INFO(progress.body);
  REQUIRE(progress.status == 200);
  CHECK(JsonField(progress.body, "status") == "ACCEPTED");
  CHECK(absl::StrContains(progress.body, R"("steps")"));
  CHECK_FALSE(absl::StrContains(progress.body, a.account_id));
  CHECK_FALSE(absl::StrContains(progress.body, id));

  std::string wrong = code;
  wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
  CHECK(lookup(wrong).status == 404);
  HttpResult missing = lookup("");
  CHECK(missing.status == 400);
  CHECK(absl::StrContains(missing.body, "query_code: required"));
}

TEST_CASE(
    "RecordTransitions over gRPC answers each report, and a wrong caller or size is refused "
    "whole") {
  World w(/*gateway=*/false);
  const std::string token = w.stack->Token(MakePrincipal(auth::v1::CITIZEN, "acc_1"));
  const auto form = w.Upload(token, FakePdf(100));
  const auto licence = w.Upload(token, FakePdf(200));
  intake::v1::Application a;
  REQUIRE(w.intake
              ->SubmitApplication(Context(token).get(),
                                  w.Request("k", form.material_id(), licence.material_id()), &a)
              .ok());
  intake::v1::RecordTransitionsRequest batch;
  auto* accepted = batch.add_transitions();
  accepted->set_event_id("t1");
  accepted->set_application_id(a.application_id());
  accepted->set_status(intake::v1::ACCEPTED);
  auto* unknown = batch.add_transitions();
  *unknown = *accepted;
  unknown->set_event_id("t2");
  unknown->set_application_id("app_unknown");
  api::v1::HandoffResults results;

  CHECK(w.intake->RecordTransitions(Context(token).get(), batch, &results).error_code() ==
        grpc::PERMISSION_DENIED);
  intake::v1::RecordTransitionsRequest too_many;
  for (int i = 0; i < 257; ++i) *too_many.add_transitions() = *accepted;
  grpc::Status refused =
      w.intake->RecordTransitions(Context(w.ServiceToken()).get(), too_many, &results);
  CHECK(refused.error_code() == grpc::INVALID_ARGUMENT);
  CHECK(absl::StrContains(refused.error_message(), "transitions"));

  grpc::Status s = w.intake->RecordTransitions(Context(w.ServiceToken()).get(), batch, &results);
  INFO(s.error_message());
  REQUIRE(s.ok());
  REQUIRE(results.results_size() == 2);
  CHECK(results.results(0).code() == grpc::OK);
  CHECK(results.results(1).code() == grpc::NOT_FOUND);
  intake::v1::GetApplicationRequest get;
  get.set_application_id(a.application_id());
  intake::v1::Application now;
  REQUIRE(w.intake->GetApplication(Context(token).get(), get, &now).ok());
  CHECK(now.status() == intake::v1::ACCEPTED);
}

TEST_CASE("hand-offs wait out an approval outage and arrive once it recovers") {
  World w(/*gateway=*/false);
  {
    absl::MutexLock lock(&w.receiver.receivers.mu);
    // More than the channel's own retries cover: the outbox must retry.
    w.receiver.receivers.open_failures = 30;
  }
  const std::string token = w.stack->Token(MakePrincipal(auth::v1::CITIZEN, "acc_1"));
  std::set<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    const auto form = w.Upload(token, FakePdf(100));
    const auto licence = w.Upload(token, FakePdf(200));
    intake::v1::Application a;
    grpc::Status s = w.intake->SubmitApplication(
        Context(token).get(),
        w.Request(absl::StrCat("k", i), form.material_id(), licence.material_id()), &a);
    REQUIRE(s.ok());
    ids.insert(a.application_id());
  }
  REQUIRE(Eventually([&] { return w.receiver.receivers.Opened() == 5; }, absl::Seconds(60)));
  absl::MutexLock lock(&w.receiver.receivers.mu);
  CHECK(w.receiver.receivers.opened == ids);
  CHECK(w.receiver.receivers.open_calls >= 35);
}

TEST_CASE("after a kill -9 mid-stream every acknowledged application exists exactly once") {
  World w(/*gateway=*/false);
  constexpr int kClients = 8;
  struct Client {
    std::string token;
    std::string form;
    std::string licence;
    std::map<std::string, std::string> acknowledged;  // key -> application id
    std::vector<std::string> attempted;
  };
  std::vector<Client> clients(kClients);
  for (int i = 0; i < kClients; ++i) {
    clients[i].token = w.stack->Token(MakePrincipal(auth::v1::CITIZEN, absl::StrCat("acc_", i)));
    clients[i].form = w.Upload(clients[i].token, FakePdf(500)).material_id();
    clients[i].licence = w.Upload(clients[i].token, FakePdf(700)).material_id();
  }
  std::atomic<int> acknowledged{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      Client& c = clients[i];
      auto stub = intake::v1::IntakeService::NewStub(
          client::MakeChannel(w.stack->Address("intake"), {absl::Seconds(5), 2}));
      for (int n = 0; !stop.load(); ++n) {
        const std::string key = absl::StrCat("c", i, "-", n);
        c.attempted.push_back(key);
        intake::v1::Application a;
        grpc::Status s =
            stub->SubmitApplication(Context(c.token).get(), w.Request(key, c.form, c.licence), &a);
        if (!s.ok()) return;  // The process is gone.
        c.acknowledged[key] = a.application_id();
        ++acknowledged;
      }
    });
  }
  const bool streaming = Eventually([&] { return acknowledged.load() >= 300; });
  w.stack->Stop("intake", SIGKILL);
  stop = true;
  for (auto& t : threads) t.join();
  REQUIRE(streaming);
  auto restarted = w.stack->Restart("intake");
  INFO(restarted.ToString());
  REQUIRE(restarted.ok());

  // Every key again: acknowledged ones answer what they answered, the rest
  // either were committed unacknowledged or are created now.
  auto stub = intake::v1::IntakeService::NewStub(client::MakeChannel(w.stack->Address("intake")));
  std::set<std::string> all_ids;
  size_t attempted = 0;
  for (Client& c : clients) {
    for (const std::string& key : c.attempted) {
      ++attempted;
      intake::v1::Application a;
      grpc::Status s =
          stub->SubmitApplication(Context(c.token).get(), w.Request(key, c.form, c.licence), &a);
      INFO(s.error_message());
      REQUIRE(s.ok());
      auto acked = c.acknowledged.find(key);
      if (acked != c.acknowledged.end()) CHECK(acked->second == a.application_id());
      all_ids.insert(a.application_id());
    }
  }
  CHECK(all_ids.size() == attempted);

  // Exactly that many exist, each whole: both materials, its first
  // timeline step, its hand-off.
  const std::string service = w.ServiceToken();
  intake::v1::ListApplicationsRequest list;
  list.set_page_size(100);
  std::set<std::string> stored;
  while (true) {
    intake::v1::ListApplicationsResponse page;
    REQUIRE(stub->ListApplications(Context(service).get(), list, &page).ok());
    for (const auto& a : page.applications()) {
      CHECK(stored.insert(a.application_id()).second);
      CHECK(a.materials_size() == 2);
    }
    if (page.next_page_token().empty()) break;
    list.set_page_token(page.next_page_token());
  }
  CHECK(stored == all_ids);
  int checked = 0;
  for (const std::string& id : all_ids) {
    if (++checked > 50) break;
    intake::v1::GetApplicationRequest get;
    get.set_application_id(id);
    intake::v1::Application a;
    REQUIRE(stub->GetApplication(Context(service).get(), get, &a).ok());
    CHECK(a.timeline_size() == 1);
  }
  CHECK(Eventually([&] { return w.receiver.receivers.Opened() == all_ids.size(); },
                   absl::Seconds(60)));
}

}  // namespace
}  // namespace onewindow
