#pragma once

// A whole intake for unit tests: a real store and material directory in a
// temporary directory, a fake catalog, a fake approval and a fake clock.

#include <catch2/catch.hpp>

#include <SQLiteCpp/Statement.h>

#include <map>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "libs/store/times.h"
#include "libs/testing/process.h"
#include "libs/workday/calendar.h"
#include "libs/workday/clock.h"
#include "libs/workday/deadline.h"
#include "services/intake/applications.h"
#include "services/intake/blob_store.h"
#include "services/intake/guides.h"
#include "services/intake/handoff.h"
#include "services/intake/licences.h"
#include "services/intake/materials.h"
#include "services/intake/schema.h"
#include "tests/unit/intake_guide.h"

namespace onewindow::intake::test {

// Monday 5 January 2026, 10:00 in China.
inline const absl::Time kNow = absl::FromUnixSeconds(1767578400);

class FakeGuides final : public GuideSource {
 public:
  void Put(catalog::v1::Implementation impl) {
    absl::MutexLock lock(&mu_);
    const auto key = std::make_pair(impl.implementation_code(), impl.revision());
    guides_[key] = std::make_shared<const catalog::v1::Implementation>(std::move(impl));
  }
  void SetUnavailable(bool unavailable) {
    absl::MutexLock lock(&mu_);
    unavailable_ = unavailable;
  }
  absl::StatusOr<Guide> Get(const std::string& code, int64_t revision) override {
    absl::MutexLock lock(&mu_);
    if (unavailable_) return absl::UnavailableError("catalog down");
    Guide latest;
    bool known = false;
    for (const auto& [key, guide] : guides_) {
      if (key.first != code) continue;
      known = true;
      if (key.second == revision) return guide;
      if (revision == 0 && (latest == nullptr || guide->revision() > latest->revision())) {
        latest = guide;
      }
    }
    if (latest != nullptr) return latest;
    // As the catalog words it.
    if (known) {
      return absl::NotFoundError(
          absl::StrCat("implementation ", code, " has no revision ", revision));
    }
    return absl::NotFoundError(absl::StrCat("implementation ", code, " not found"));
  }

 private:
  absl::Mutex mu_;
  std::map<std::pair<std::string, int64_t>, Guide> guides_;
  bool unavailable_ = false;
};

class FakeWithdrawer final : public CaseWithdrawer {
 public:
  absl::Status Withdraw(const std::string& application_id, const std::string&,
                        const std::string&) override {
    absl::MutexLock lock(&mu_);
    ++calls;
    last_application_id = application_id;
    return answer;
  }
  absl::Mutex mu_;
  absl::Status answer;
  int calls = 0;
  std::string last_application_id;
};

inline auth::v1::Principal Person(auth::v1::PrincipalKind kind, const std::string& subject) {
  auth::v1::Principal p;
  p.set_kind(kind);
  p.set_subject(subject);
  return p;
}
inline auth::v1::Principal Citizen(const std::string& subject) {
  return Person(auth::v1::CITIZEN, subject);
}
inline auth::v1::Principal Enterprise(const std::string& subject) {
  return Person(auth::v1::ENTERPRISE, subject);
}
inline auth::v1::Principal Staff(const std::string& subject, const std::string& department,
                                 const std::string& role) {
  auth::v1::Principal p = Person(auth::v1::STAFF, subject);
  p.set_department_id(department);
  p.add_roles(role);
  return p;
}
inline auth::v1::Principal Service(const std::string& name) {
  return Person(auth::v1::SERVICE, name);
}

struct World {
  explicit World(MaterialLimits limits = {}) : clock(kNow) {
    auto cal = workday::Calendar::LoadDirectory(std::string(OW_SOURCE_DIR) + "/deploy/calendar");
    REQUIRE(cal.ok());
    calendar = *std::move(cal);
    store::DatabaseOptions options;
    options.path = dir.path() + "/intake.db";
    auto opened = store::Database::Open(options, IntakeMigrations());
    INFO(opened.status().ToString());
    REQUIRE(opened.ok());
    db = *std::move(opened);
    auto b = BlobStore::Open(dir.path() + "/materials");
    REQUIRE(b.ok());
    blobs = *std::move(b);
    guides.Put(TestImplementation());
    materials = std::make_unique<Materials>(db.get(), blobs.get(), &clock, limits);
    licences = std::make_unique<Licences>(db.get(), &clock);
    applications = std::make_unique<Applications>(ApplicationDeps{
        db.get(), &guides, materials.get(), licences.get(), &withdrawer, &calendar, &clock, {}});
  }

  absl::StatusOr<intake::v1::Material> TryUpload(const auth::v1::Principal& by,
                                                 const std::string& bytes,
                                                 const std::string& applicant = "",
                                                 const std::string& name = "scan.pdf") {
    intake::v1::UploadHeader header;
    header.set_file_name(name);
    header.set_applicant_id(applicant);
    auto upload = materials->Begin(by, header);
    if (!upload.ok()) return upload.status();
    // In pieces, as a stream brings it.
    for (size_t at = 0; at < bytes.size(); at += 7) {
      absl::Status s = (*upload)->Append(absl::string_view(bytes).substr(at, 7));
      if (!s.ok()) return s;
    }
    return (*upload)->Finish();
  }
  intake::v1::Material Upload(const auth::v1::Principal& by, const std::string& bytes = PdfBytes(),
                              const std::string& applicant = "") {
    auto m = TryUpload(by, bytes, applicant);
    INFO(m.status().ToString());
    REQUIRE(m.ok());
    return *m;
  }

  // A request attaching `form_material` (and `licence_material` unless
  // empty) under key `key`.
  static intake::v1::SubmitApplicationRequest Request(const std::string& key,
                                                      const std::string& form_material,
                                                      const std::string& licence_material = "") {
    intake::v1::SubmitApplicationRequest r;
    r.set_request_id(key);
    r.set_implementation_code(ImplementationCode());
    r.set_catalog_revision(1);
    (*r.mutable_form())["shop_name"] = "老街面馆";
    auto* form = r.add_materials();
    form->set_guide_material_id("form");
    form->set_material_id(form_material);
    if (!licence_material.empty()) {
      auto* licence = r.add_materials();
      licence->set_guide_material_id("licence");
      licence->set_material_id(licence_material);
    }
    return r;
  }

  // A complete request for `who` under `key`, both materials uploaded.
  intake::v1::SubmitApplicationRequest CompleteRequest(const auth::v1::Principal& who,
                                                       const std::string& key) {
    auto form = Upload(who);
    auto licence = Upload(who, PngBytes());
    return Request(key, form.material_id(), licence.material_id());
  }

  // Submits a complete application for `who`, uploading both materials.
  intake::v1::Application SubmitComplete(const auth::v1::Principal& who, const std::string& key) {
    auto a = applications->Submit(who, CompleteRequest(who, key));
    INFO(a.status().ToString());
    REQUIRE(a.ok());
    return *a;
  }

  int64_t Count(const std::string& sql) {
    int64_t n = -1;
    REQUIRE(db->Read([&](store::Connection& d) {
                n = d.execAndGet(sql).getInt64();
                return absl::OkStatus();
              }).ok());
    return n;
  }

  // Outbox events of `topic`, oldest first, as (event id, payload).
  std::vector<std::pair<std::string, std::string>> Events(const std::string& topic) {
    std::vector<std::pair<std::string, std::string>> out;
    REQUIRE(db->Read([&](store::Connection& d) {
                SQLite::Statement s(d,
                                    "SELECT event_id, payload FROM outbox WHERE topic = ?"
                                    " ORDER BY sequence");
                s.bind(1, topic);
                while (s.executeStep()) {
                  const SQLite::Column p = s.getColumn(1);
                  out.emplace_back(s.getColumn(0).getString(),
                                   std::string(static_cast<const char*>(p.getBlob()),
                                               static_cast<size_t>(p.getBytes())));
                }
                return absl::OkStatus();
              }).ok());
    return out;
  }

  // Approval reporting `status` for `application_id`.
  absl::StatusOr<bool> Report(const std::string& application_id,
                              intake::v1::ApplicationStatus status, const std::string& event_id,
                              std::function<void(intake::v1::RecordTransitionRequest&)> more = {}) {
    intake::v1::RecordTransitionRequest r;
    r.set_event_id(event_id);
    r.set_application_id(application_id);
    r.set_status(status);
    r.set_actor(kDepartment);
    if (more) more(r);
    return applications->RecordTransition(Service("approval"), r);
  }

  testing::TempDir dir;
  workday::Calendar calendar;
  workday::FakeClock clock;
  std::unique_ptr<store::Database> db;
  std::unique_ptr<BlobStore> blobs;
  FakeGuides guides;
  FakeWithdrawer withdrawer;
  std::unique_ptr<Materials> materials;
  std::unique_ptr<Licences> licences;
  std::unique_ptr<Applications> applications;
};

}  // namespace onewindow::intake::test
