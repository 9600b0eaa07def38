// Uploads no application lists are deleted after the retention, and their
// files once no material names that content; everything else stays.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <prometheus/registry.h>

#include <algorithm>

#include "services/intake/material_collector.h"
#include "services/intake/material_collector_metrics.h"
#include "tests/unit/intake_fixture.h"

namespace onewindow::intake::test {
namespace {

constexpr absl::Duration kRetention = absl::Hours(72);

CollectorOptions Options() {
  CollectorOptions options;
  options.retention = kRetention;
  // Every directory each pass, so a test needs no more than one.
  options.shards_per_pass = BlobStore::kShards;
  return options;
}

Collected Collect(MaterialCollector& collector) {
  Collected collected;
  const absl::Status status = collector.Collect(&collected);
  INFO(status.ToString());
  REQUIRE(status.ok());
  return collected;
}

bool Exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

bool HasRow(World& w, const std::string& material_id) {
  return w.Count("SELECT COUNT(*) FROM materials WHERE id = '" + material_id + "'") == 1;
}

// Files carry the real time, the test stands on the fake clock's: dates
// every stored file `t`, as if written then.
void DateFiles(World& w, absl::Time t) {
  const timespec when = absl::ToTimespec(t);
  const timespec times[2] = {when, when};
  for (int shard = 0; shard < BlobStore::kShards; ++shard) {
    auto files = w.blobs->List(shard);
    REQUIRE(files.ok());
    for (const auto& file : *files) {
      REQUIRE(::utimensat(AT_FDCWD, w.blobs->PathFor(file.sha256).c_str(), times, 0) == 0);
    }
  }
}

// Content on disk with no row, as a crash between a pass's two steps or an
// upload that failed to record leaves it.
std::string StoreWithoutRow(World& w, const std::string& bytes) {
  auto writer = w.blobs->NewWriter();
  REQUIRE(writer.ok());
  REQUIRE((*writer)->Append(bytes).ok());
  auto sha = (*writer)->Commit();
  REQUIRE(sha.ok());
  return *sha;
}

// Approval asks the applicant of `a` for the licence again.
void AskForLicence(World& w, const intake::v1::Application& a) {
  REQUIRE(w.Report(a.application_id(), intake::v1::SUPPLEMENT_NEEDED, "evt-s", [](auto& r) {
             r.add_supplement()->set_material_name("营业执照");
           }).ok());
}

// The applicant answers with `supplied`.
void SupplyLicence(World& w, const auth::v1::Principal& applicant, const intake::v1::Application& a,
                   const intake::v1::Material& supplied) {
  intake::v1::SupplementApplicationRequest supply;
  supply.set_application_id(a.application_id());
  supply.set_request_id("sup-1");
  auto* item = supply.add_materials();
  item->set_material_name("营业执照");
  item->set_material_id(supplied.material_id());
  REQUIRE(w.applications->Supplement(applicant, supply).ok());
}

// A stored record that no longer parses.
void Damage(World& w, const intake::v1::Application& a) {
  REQUIRE(w.db->Write([&](store::Connection& db) {
                db.exec("UPDATE applications SET record = x'ffffffff' WHERE id = '" +
                        a.application_id() + "'");
                return absl::OkStatus();
              })
              .ok());
}

TEST_CASE("an upload no application lists is deleted after the retention, with its file") {
  World w;
  MaterialCollector collector(w.db.get(), w.blobs.get(), &w.clock, Options());
  const auto citizen = Citizen("acc_a");
  const auto m = w.Upload(citizen, PdfBytes("forgotten"));
  DateFiles(w, kNow);
  w.clock.Advance(kRetention + absl::Minutes(1));

  const Collected collected = Collect(collector);
  CHECK(collected.materials == 1);
  CHECK(collected.files == 1);
  CHECK(collected.bytes == m.size_bytes());
  CHECK(collected.orphan_files == 0);
  CHECK_FALSE(HasRow(w, m.material_id()));
  CHECK_FALSE(Exists(w.blobs->PathFor(m.sha256())));
  CHECK(w.materials->Get(citizen, m.material_id()).status().code() == absl::StatusCode::kNotFound);
  CHECK(Collect(collector).empty());
}

TEST_CASE("materials an application lists are kept, from submission or supplement") {
  World w;
  MaterialCollector collector(w.db.get(), w.blobs.get(), &w.clock, Options());
  const auto citizen = Citizen("acc_a");
  const intake::v1::Application a = w.SubmitComplete(citizen, "k");
  AskForLicence(w, a);
  const auto supplied = w.Upload(citizen, PdfBytes("supplied"));
  SupplyLicence(w, citizen, a, supplied);
  // Uploaded with them but never listed: the pass did run.
  const auto stray = w.Upload(citizen, PdfBytes("stray"));
  DateFiles(w, kNow);
  w.clock.Advance(kRetention + absl::Hours(1));

  CHECK(Collect(collector).materials == 1);
  CHECK_FALSE(HasRow(w, stray.material_id()));
  std::vector<std::string> kept = {supplied.material_id()};
  for (const auto& m : a.materials()) kept.push_back(m.material_id());
  REQUIRE(kept.size() == 3);
  for (const std::string& id : kept) {
    INFO(id);
    auto opened = w.materials->Open(citizen, id);
    REQUIRE(opened.ok());
    CHECK_FALSE(opened->content->Read(64)->empty());
  }
  // Kept for good, so no later pass reads them again: the pass went past
  // the last id (uploads of one instant sort by their random part).
  const std::string last =
      std::max(*std::max_element(kept.begin(), kept.end()), stray.material_id());
  CHECK(w.Count("SELECT COUNT(*) FROM material_collection WHERE last_material_id = '" + last +
                "'") == 1);
  w.clock.Advance(absl::Hours(24 * 30));
  CHECK(Collect(collector).empty());
  for (const std::string& id : kept) CHECK(HasRow(w, id));
}

TEST_CASE("an owner's unreadable application record keeps their uploads, and the pass says so") {
  World w;
  MaterialCollector collector(w.db.get(), w.blobs.get(), &w.clock, Options());
  const auto citizen = Citizen("acc_a");
  const intake::v1::Application a = w.SubmitComplete(citizen, "k");
  const auto unlisted = w.Upload(citizen, PdfBytes("maybe listed"));
  Damage(w, a);
  DateFiles(w, kNow);
  w.clock.Advance(kRetention + absl::Minutes(1));

  const Collected collected = Collect(collector);
  CHECK(collected.materials == 0);
  // The unreadable application's own two materials cannot be told from
  // the unlisted upload: all three stay.
  CHECK(collected.kept_unreadable == 3);
  CHECK(HasRow(w, unlisted.material_id()));
  CHECK(Exists(w.blobs->PathFor(unlisted.sha256())));
}

TEST_CASE("applications untouched since well before an upload are not read to decide on it") {
  World w;
  MaterialCollector collector(w.db.get(), w.blobs.get(), &w.clock, Options());
  const auto citizen = Citizen("acc_a");
  const intake::v1::Application old = w.SubmitComplete(citizen, "k");
  // Unreadable, so reading it would keep every later upload of its owner.
  Damage(w, old);
  w.clock.Advance(absl::Hours(24 * 10));
  const auto stray = w.Upload(citizen, PdfBytes("stray"));
  DateFiles(w, w.clock.Now());
  w.clock.Advance(kRetention + absl::Minutes(1));

  const Collected collected = Collect(collector);
  // The old application's own uploads: it may list them, so they stay.
  CHECK(collected.kept_unreadable == 2);
  CHECK(collected.materials == 1);
  CHECK_FALSE(HasRow(w, stray.material_id()));
}

TEST_CASE("an upload listed after the clock stepped back stays") {
  World w;
  MaterialCollector collector(w.db.get(), w.blobs.get(), &w.clock, Options());
  const auto citizen = Citizen("acc_a");
  const intake::v1::Application a = w.SubmitComplete(citizen, "k");
  AskForLicence(w, a);
  w.clock.Advance(absl::Hours(24 * 10));
  const auto supplied = w.Upload(citizen, PdfBytes("supplied"));
  // An operator or NTP sets the clock back before the supplement: the
  // application's update time is now earlier than the upload's.
  w.clock.Advance(-absl::Hours(6));
  SupplyLicence(w, citizen, a, supplied);
  DateFiles(w, w.clock.Now());
  w.clock.Advance(kRetention + absl::Hours(7));

  Collect(collector);
  CHECK(HasRow(w, supplied.material_id()));
  CHECK(Exists(w.blobs->PathFor(supplied.sha256())));
}

// An application asked again for its licence at `decided`; the applicant
// supplied it a week after a collector pass went past the first uploads.
struct SuppliedAfterAPass {
  SuppliedAfterAPass() {
    application = w.SubmitComplete(citizen, "k");
    AskForLicence(w, application);
    decided = w.clock.Now();
    w.clock.Advance(kRetention + absl::Hours(1));
    Collect(collector);
    w.clock.Advance(absl::Hours(24 * 7));
    supplied = w.Upload(citizen, PdfBytes("supplied"));
    SupplyLicence(w, citizen, application, supplied);
  }

  // Whether the supplied upload outlives a pass after its retention.
  bool SuppliedKept() {
    DateFiles(w, w.clock.Now());
    w.clock.Advance(kRetention + absl::Hours(1));
    Collect(collector);
    return HasRow(w, supplied.material_id()) && Exists(w.blobs->PathFor(supplied.sha256()));
  }

  World w;
  MaterialCollector collector{w.db.get(), w.blobs.get(), &w.clock, Options()};
  const auth::v1::Principal citizen = Citizen("acc_a");
  intake::v1::Application application;
  absl::Time decided;
  intake::v1::Material supplied;
};

TEST_CASE("an upload listed before a late transition dated earlier stays") {
  SuppliedAfterAPass f;
  // Approval's rejection, decided ten days ago, arrives only now (its
  // event was parked and replayed): dated then, it must not make the
  // application look untouched since before the upload.
  REQUIRE(f.w.Report(f.application.application_id(), intake::v1::REJECTED, "evt-late",
                     [&](auto& r) {
                       *r.mutable_time() = store::ToProtoTime(f.decided);
                       r.set_reason("不符合条件");
                     })
              .ok());
  CHECK(f.SuppliedKept());
}

TEST_CASE("uploads from before the upgrade that made update times monotonic are decided on all") {
  SuppliedAfterAPass f;
  // As an earlier release left it: a late transition set the update time
  // back, and schema 7 found this the latest update stored.
  REQUIRE(f.w.db
              ->Write([&](store::Connection& db) {
                auto back = db.Prepare("UPDATE applications SET update_time = ? WHERE id = ?");
                back->bind(1, store::ToStoredTime(f.decided));
                back->bind(2, f.application.application_id());
                back->exec();
                auto since = db.Prepare("UPDATE update_time_monotonic SET since = ? WHERE id = 1");
                since->bind(1, store::ToStoredTime(f.w.clock.Now()));
                since->exec();
                return absl::OkStatus();
              })
              .ok());
  CHECK(f.SuppliedKept());
}

// The "since" schema 7 records in a store holding these applications'
// update times, or none.
int64_t MonotonicSinceAfterUpgrade(const std::vector<int64_t>& update_times) {
  testing::TempDir dir;
  const std::string path = absl::StrCat(dir.path(), "/intake.db");
  {
    std::vector<store::Migration> before = IntakeMigrations();
    while (!before.empty() && before.back().version >= 7) before.pop_back();
    auto old = store::Database::Open({path}, before);
    REQUIRE(old.ok());
    REQUIRE((*old)
                ->Write([&](store::Connection& db) {
                  int n = 0;
                  for (const int64_t t : update_times) {
                    ++n;
                    db.exec(absl::StrCat(
                        "INSERT INTO applications (id, number, applicant_id, submitted_by,"
                        " department_id, implementation_code, status, submit_time, update_time,"
                        " request_id, request_hash, record) VALUES ('app_",
                        n, "', 'SQ-", n, "', 'acc_a', 'acc_a', 'd', 'c', 1, 1, ", t, ", 'k", n,
                        "', 'h', x'')"));
                  }
                  return absl::OkStatus();
                })
                .ok());
  }
  auto upgraded = store::Database::Open({path}, IntakeMigrations());
  REQUIRE(upgraded.ok());
  int64_t since = -1;
  REQUIRE((*upgraded)
              ->Read([&](store::Connection& db) {
                since = db.execAndGet("SELECT since FROM update_time_monotonic").getInt64();
                return absl::OkStatus();
              })
              .ok());
  return since;
}

TEST_CASE("an upgraded store trusts update times from its latest stored one, a new one at once") {
  CHECK(MonotonicSinceAfterUpgrade({300, 1000, 100}) == 1000);
  CHECK(MonotonicSinceAfterUpgrade({}) == 0);
}

TEST_CASE("a recent upload is kept until the retention has passed") {
  World w;
  MaterialCollector collector(w.db.get(), w.blobs.get(), &w.clock, Options());
  const auto m = w.Upload(Citizen("acc_a"), PdfBytes("fresh"));
  DateFiles(w, kNow);
  w.clock.Advance(kRetention - absl::Hours(1));
  CHECK(Collect(collector).empty());
  CHECK(HasRow(w, m.material_id()));
  CHECK(Exists(w.blobs->PathFor(m.sha256())));
  // Looked at too early is not passed over for good.
  w.clock.Advance(absl::Hours(2));
  CHECK(Collect(collector).materials == 1);
  CHECK_FALSE(HasRow(w, m.material_id()));
  CHECK_FALSE(Exists(w.blobs->PathFor(m.sha256())));
}

TEST_CASE("an upload's retention runs from its end, however long it took") {
  World w;
  MaterialCollector collector(w.db.get(), w.blobs.get(), &w.clock, Options());
  const auto citizen = Citizen("acc_a");
  intake::v1::UploadHeader header;
  header.set_file_name("scan.pdf");
  auto slow = w.materials->Begin(citizen, header);
  REQUIRE(slow.ok());
  REQUIRE((*slow)->Append(PdfBytes("slow")).ok());
  w.clock.Advance(absl::Hours(1));
  // Begun after the slow one and finished before it.
  const auto quick = w.Upload(citizen, PdfBytes("quick"));
  w.clock.Advance(absl::Hours(1));
  auto m = (*slow)->Finish();
  REQUIRE(m.ok());
  slow->reset();

  // The slow one began more than the retention ago but finished less; the
  // quick one waits behind it, as long as an upload lasts at most.
  w.clock.Advance(kRetention - absl::Minutes(30));
  CHECK(Collect(collector).empty());
  CHECK(HasRow(w, m->material_id()));
  w.clock.Advance(absl::Hours(1));
  CHECK(Collect(collector).materials == 2);
  CHECK_FALSE(HasRow(w, m->material_id()));
  CHECK_FALSE(HasRow(w, quick.material_id()));
}

TEST_CASE("a file shared by a deleted material and a kept one stays") {
  World w;
  MaterialCollector collector(w.db.get(), w.blobs.get(), &w.clock, Options());
  // The same scan uploaded by two applicants: one file.
  const auto forgotten = w.Upload(Citizen("acc_a"), PdfBytes("same scan"));
  const auto b = Citizen("acc_b");
  const auto used = w.Upload(b, PdfBytes("same scan"));
  REQUIRE(used.sha256() == forgotten.sha256());
  const auto licence = w.Upload(b, PngBytes());
  REQUIRE(w.applications->Submit(b, World::Request("k", used.material_id(), licence.material_id()))
              .ok());
  DateFiles(w, kNow);
  w.clock.Advance(kRetention + absl::Hours(1));

  const Collected collected = Collect(collector);
  CHECK(collected.materials == 1);
  CHECK(collected.files == 0);
  CHECK(collected.bytes == 0);
  CHECK_FALSE(HasRow(w, forgotten.material_id()));
  auto opened = w.materials->Open(b, used.material_id());
  REQUIRE(opened.ok());
  CHECK(*opened->content->Read(1024) == PdfBytes("same scan"));
}

TEST_CASE("a file no material names is removed once older than the retention") {
  World w;
  MaterialCollector collector(w.db.get(), w.blobs.get(), &w.clock, Options());
  const std::string orphan = StoreWithoutRow(w, PdfBytes("left behind"));
  const std::string path = w.blobs->PathFor(orphan);
  DateFiles(w, kNow);
  w.clock.Advance(kRetention - absl::Hours(1));
  CHECK(Collect(collector).empty());
  CHECK(Exists(path));

  w.clock.Advance(absl::Hours(2));
  const Collected collected = Collect(collector);
  CHECK(collected.materials == 0);
  CHECK(collected.orphan_files == 1);
  CHECK(collected.files == 1);
  CHECK(collected.bytes == static_cast<int64_t>(PdfBytes("left behind").size()));
  CHECK_FALSE(Exists(path));
}

TEST_CASE("an upload committing the content being removed keeps its file") {
  World w;
  const std::string sha = StoreWithoutRow(w, PdfBytes("again"));
  const std::string path = w.blobs->PathFor(sha);
  // The same bytes arrive again after the removal looked for rows and
  // before the upload recorded its own.
  std::unique_ptr<BlobStore::Writer> upload;
  auto removed = w.blobs->Remove(sha, [&]() -> absl::StatusOr<bool> {
    auto writer = w.blobs->NewWriter();
    REQUIRE(writer.ok());
    REQUIRE((*writer)->Append(PdfBytes("again")).ok());
    REQUIRE((*writer)->Commit().ok());
    upload = *std::move(writer);
    return false;
  });
  REQUIRE(removed.ok());
  CHECK_FALSE(*removed);
  CHECK(Exists(path));
  // Still the upload's until it is done.
  CHECK_FALSE(*w.blobs->Remove(sha, [] { return absl::StatusOr<bool>(false); }));
  CHECK(Exists(path));

  upload.reset();
  CHECK(*w.blobs->Remove(sha, [] { return absl::StatusOr<bool>(false); }));
  CHECK_FALSE(Exists(path));
}

TEST_CASE("a pass counts the materials and bytes it collected") {
  World w;
  MaterialCollector collector(w.db.get(), w.blobs.get(), &w.clock, Options());
  prometheus::Registry registry;
  MaterialCollectorMetrics passes(registry, log::Logger::Stderr("intake"), &collector);
  const auto one = w.Upload(Citizen("acc_a"), PdfBytes("one"));
  const auto two = w.Upload(Citizen("acc_a"), PdfBytes("two, longer"));
  DateFiles(w, kNow);
  w.clock.Advance(kRetention + absl::Hours(1));

  passes.RunPass();
  std::map<std::string, double> counters;
  for (const auto& family : registry.Collect()) {
    REQUIRE(family.metric.size() == 1);
    counters[family.name] = family.metric[0].counter.value;
  }
  CHECK(counters["onewindow_intake_orphan_materials_collected_total"] == 2);
  CHECK(counters["onewindow_intake_orphan_material_bytes_total"] ==
        static_cast<double>(one.size_bytes() + two.size_bytes()));
}

}  // namespace
}  // namespace onewindow::intake::test
