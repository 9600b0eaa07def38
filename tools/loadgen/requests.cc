#include "tools/loadgen/requests.h"

#include <google/protobuf/struct.pb.h>

#include "absl/strings/str_cat.h"
#include "libs/log/json_writer.h"
#include "libs/status/proto_json.h"
#include "libs/testing/accounts.h"
#include "onewindow/intake/v1/intake.pb.h"

namespace onewindow::loadgen {
namespace {

std::string Quote(const std::string& text) {
  std::string out;
  log::AppendJsonString(text, &out);
  return out;
}

void AddSession(const Session& session, bool write, HttpCall* call) {
  call->headers.emplace_back("Cookie", session.cookie);
  if (write) call->headers.emplace_back("X-CSRF-Token", session.csrf_token);
}

}  // namespace

HttpCall SearchCall(const std::string& word, const std::string& region_code) {
  HttpCall call;
  call.target = absl::StrCat("/api/v1/items?q=", UrlEncode(word), "&page_size=20");
  if (!region_code.empty()) absl::StrAppend(&call.target, "&region_code=", region_code);
  return call;
}

HttpCall GuideCall(const std::string& implementation_code) {
  HttpCall call;
  call.target = absl::StrCat("/api/v1/items/", UrlEncode(implementation_code));
  return call;
}

HttpCall RegisterCall(const Citizen& c) {
  HttpCall call;
  call.method = "POST";
  call.target = "/api/v1/accounts/citizens";
  call.body = absl::StrCat(R"({"residentId":)", Quote(c.resident_id), R"(,"name":)", Quote(c.name),
                           R"(,"phone":)", Quote(c.phone), R"(,"regionCode":)",
                           Quote(c.region_code), R"(,"password":)", Quote(c.password), "}");
  return call;
}

HttpCall LoginCall(const Citizen& c) {
  HttpCall call;
  call.method = "POST";
  call.target = "/api/v1/sessions";
  call.body = absl::StrCat(R"({"kind":"CITIZEN_LOGIN","loginId":)", Quote(c.resident_id),
                           R"(,"password":)", Quote(c.password), "}");
  return call;
}

HttpCall MeCall(const Session& session) {
  HttpCall call;
  call.target = "/api/v1/me";
  AddSession(session, false, &call);
  return call;
}

std::string PdfBody(int bytes) {
  std::string pdf = "%PDF-1.4\n% onewindow loadgen material\n";
  while (static_cast<int>(pdf.size()) + 8 < bytes) pdf += "% ................................\n";
  pdf += "%%EOF\n";
  return pdf;
}

HttpCall UploadCall(const Session& session, const std::string& file_name, const std::string& pdf) {
  HttpCall call;
  call.method = "POST";
  call.target = absl::StrCat("/api/v1/materials?fileName=", UrlEncode(file_name));
  call.body = pdf;
  call.content_type = "application/pdf";
  AddSession(session, true, &call);
  return call;
}

HttpCall SubmitCall(const Session& session, const SubmitItem& item,
                    const std::vector<std::string>& material_ids, const std::string& key) {
  HttpCall call;
  call.method = "POST";
  call.target = "/api/v1/applications";
  std::string materials;
  for (size_t i = 0; i < material_ids.size() && i < item.required_materials.size(); ++i) {
    absl::StrAppend(&materials, i == 0 ? "" : ",", R"({"guideMaterialId":)",
                    Quote(item.required_materials[i]), R"(,"materialId":)", Quote(material_ids[i]),
                    "}");
  }
  call.body = absl::StrCat(R"({"implementationCode":)", Quote(item.implementation_code),
                           R"(,"catalogRevision":")", item.revision, R"(","materials":[)",
                           materials, R"(],"form":{"note":"loadgen"}})");
  call.headers.emplace_back("Idempotency-Key", key);
  AddSession(session, true, &call);
  return call;
}

HttpCall ComplainCall(const Session& session, const SubmitItem& item, const std::string& key) {
  HttpCall call;
  call.method = "POST";
  call.target = "/api/v1/work-orders";
  call.body = absl::StrCat(
      R"({"kind":"COMPLAINT","title":"窗口办理时间过长","description":"负载测试：排队超过一小时。",)",
      R"("implementationCode":)", Quote(item.implementation_code), R"(,"departmentId":)",
      Quote(item.department), R"(,"location":{"regionCode":)", Quote(item.region_code),
      R"(},"channel":"WEB"})");
  call.headers.emplace_back("Idempotency-Key", key);
  AddSession(session, true, &call);
  return call;
}

absl::StatusOr<Session> SessionFrom(const std::string& set_cookie, const std::string& body) {
  Session session;
  session.cookie = testing::SessionCookieFrom(set_cookie);
  if (session.cookie.empty()) return absl::InternalError("sign-in answer without a session cookie");
  google::protobuf::Struct json;
  status::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  if (absl::Status s = status::JsonToMessage(body, &json, options); !s.ok()) return s;
  auto it = json.fields().find("csrfToken");
  if (it == json.fields().end() || it->second.string_value().empty()) {
    return absl::InternalError("sign-in answer without csrfToken");
  }
  session.csrf_token = it->second.string_value();
  return session;
}

absl::StatusOr<std::string> MaterialIdFrom(const std::string& body) {
  intake::v1::Material material;
  status::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  if (absl::Status s = status::JsonToMessage(body, &material, options); !s.ok()) return s;
  if (material.material_id().empty()) {
    return absl::InternalError("upload answer without materialId");
  }
  return material.material_id();
}

std::string DescribeAnswer(int status, const std::string& body) {
  std::string message;
  google::protobuf::Struct json;
  status::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  if (status::JsonToMessage(body, &json, options).ok()) {
    auto error = json.fields().find("error");
    if (error != json.fields().end() && error->second.has_struct_value()) {
      const auto& fields = error->second.struct_value().fields();
      auto m = fields.find("message");
      if (m != fields.end()) message = m->second.string_value();
    }
  }
  if (message.empty()) message = body;
  if (message.size() > 160) {
    // Cut at a character boundary: the messages are often Chinese.
    size_t cut = 157;
    while (cut > 0 && (static_cast<unsigned char>(message[cut]) & 0xC0) == 0x80) --cut;
    message = absl::StrCat(message.substr(0, cut), "...");
  }
  return absl::StrCat("HTTP ", status, message.empty() ? "" : ": ", message);
}

}  // namespace onewindow::loadgen
