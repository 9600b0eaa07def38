// A department's desk: who may see and act on what, one decision per task,
// claims, queue filters and paging, comments and supervision reports.
#include <functional>
#include <thread>

#include "services/approval/case_store.h"
#include "tests/unit/approval_fixture.h"

namespace onewindow::approval::test {
namespace {

TEST_CASE("department A sees nothing of department B's queue or cases") {
  Fixture f;
  const auto mine = f.Open("app-a", "sequential");  // department A
  const auto theirs = f.Open("app-b", "yuexiu");    // department B
  const auto a_tasks = f.Queue(kA);
  REQUIRE(a_tasks.size() == 1);
  CHECK(a_tasks[0].case_id() == mine.case_id());
  const auto b_task = f.TaskOf(kB, theirs.case_id());

  approval::v1::ListQueueRequest other;
  other.set_department_id(kB);
  CHECK(f.views->Queue(Staff(kA, "li"), other).status().code() ==
        absl::StatusCode::kPermissionDenied);
  CHECK(f.views->Detail(Staff(kA, "li"), theirs.case_id()).status().code() ==
        absl::StatusCode::kNotFound);
  CHECK(f.cases->Get(Staff(kA, "li"), theirs.case_id()).status().code() ==
        absl::StatusCode::kNotFound);
  approval::v1::ListAuditRequest audit;
  audit.set_case_id(theirs.case_id());
  CHECK(f.views->Audit(Staff(kA, "li"), audit).status().code() == absl::StatusCode::kNotFound);

  approval::v1::ApproveTaskRequest approve;
  approve.set_task_id(b_task.task_id());
  CHECK(f.desk->Approve(Staff(kA, "li"), approve).status().code() == absl::StatusCode::kNotFound);
  CHECK(f.desk->Claim(Staff(kA, "li"), b_task.task_id()).status().code() ==
        absl::StatusCode::kNotFound);
  approval::v1::AddCommentRequest comment;
  comment.set_case_id(theirs.case_id());
  comment.set_text("peeking");
  CHECK(f.desk->Comment(Staff(kA, "li"), comment).status().code() == absl::StatusCode::kNotFound);

  // Operators read any department's queue, but cannot decide.
  other.set_department_id(kB);
  CHECK(Ok(f.views->Queue(Operator(), other)).tasks_size() == 1);
  CHECK(f.desk->Approve(Operator(), approve).status().code() ==
        absl::StatusCode::kPermissionDenied);
  // Citizens and role-less staff cannot act either.
  CHECK(f.desk->Approve(Staff(kB, "x", {"complaint_handler"}), approve).status().code() ==
        absl::StatusCode::kPermissionDenied);
}

TEST_CASE("of two concurrent decisions on a task exactly one wins") {
  Fixture f;
  constexpr int kCases = 20;
  std::vector<std::string> tasks;
  for (int i = 0; i < kCases; ++i) {
    const auto c = f.Open(absl::StrCat("app-", i), "sequential");
    tasks.push_back(f.TaskOf(kA, c.case_id()).task_id());
  }
  int wins = 0;
  int conflicts = 0;
  for (const std::string& task : tasks) {
    absl::Status first, second;
    std::thread approve([&] {
      approval::v1::ApproveTaskRequest r;
      r.set_task_id(task);
      first = f.desk->Approve(Staff(kA, "li"), r).status();
    });
    std::thread reject([&] {
      approval::v1::RejectTaskRequest r;
      r.set_task_id(task);
      r.set_reason("no");
      second = f.desk->Reject(Staff(kA, "wang"), r).status();
    });
    approve.join();
    reject.join();
    for (const absl::Status& s : {first, second}) {
      if (s.ok()) {
        ++wins;
      } else {
        CHECK(s.code() == absl::StatusCode::kFailedPrecondition);
        ++conflicts;
      }
    }
  }
  CHECK(wins == kCases);
  CHECK(conflicts == kCases);
  // Each case moved exactly once: no stage was started twice.
  for (int i = 0; i < kCases; ++i) {
    const auto statuses = f.Statuses(absl::StrCat("app-", i));
    CHECK(statuses.size() == 2);
  }
}

TEST_CASE("a retried decision with the same request id gets the first answer") {
  Fixture f;
  const auto c = f.Open("app-r", "sequential");
  approval::v1::ApproveTaskRequest r;
  r.set_task_id(f.TaskOf(kA, c.case_id()).task_id());
  r.set_request_id("req-1");
  const auto first = Ok(f.desk->Approve(Staff(kA, "li"), r));
  const auto retry = Ok(f.desk->Approve(Staff(kA, "li"), r));
  CHECK(retry.task().task_id() == first.task().task_id());
  CHECK(retry.task().state() == approval::v1::TASK_DONE);
  CHECK(f.Statuses("app-r").size() == 2);
  r.set_request_id("req-2");
  CHECK(f.desk->Approve(Staff(kA, "li"), r).status().code() ==
        absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("a claimed task is its holder's until released") {
  Fixture f;
  const auto c = f.Open("app-c", "sequential");
  const std::string task = f.TaskOf(kA, c.case_id()).task_id();
  CHECK(Ok(f.desk->Claim(Staff(kA, "li"), task)).claimed_by() == "li");
  CHECK(Ok(f.desk->Claim(Staff(kA, "li"), task)).claimed_by() == "li");
  CHECK(f.desk->Claim(Staff(kA, "wang"), task).status().code() ==
        absl::StatusCode::kFailedPrecondition);
  approval::v1::ApproveTaskRequest approve;
  approve.set_task_id(task);
  CHECK(f.desk->Approve(Staff(kA, "wang"), approve).status().code() ==
        absl::StatusCode::kFailedPrecondition);
  CHECK(f.desk->Release(Staff(kA, "wang"), task).status().code() ==
        absl::StatusCode::kFailedPrecondition);

  approval::v1::ListQueueRequest mine;
  mine.set_mine(true);
  CHECK(Ok(f.views->Queue(Staff(kA, "li"), mine)).tasks_size() == 1);
  CHECK(Ok(f.views->Queue(Staff(kA, "wang"), mine)).tasks_size() == 0);

  CHECK(Ok(f.desk->Release(Staff(kA, "boss", {"dept_admin"}), task)).claimed_by().empty());
  CHECK(Ok(f.desk->Approve(Staff(kA, "wang"), approve)).task().decided_by() == "wang");
  const auto actions = f.Actions(c.case_id());
  CHECK(std::count(actions.begin(), actions.end(), "task.claimed") == 1);
  CHECK(std::count(actions.begin(), actions.end(), "task.released") == 1);
}

TEST_CASE("bad decisions are refused naming every problem at once") {
  Fixture f;
  const auto c = f.Open("app-v", "sequential");
  const std::string task = f.TaskOf(kA, c.case_id()).task_id();
  approval::v1::RequestSupplementRequest ask;
  ask.set_task_id(task);
  auto s = f.desk->RequestSupplement(Staff(kA, "li"), ask).status();
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(s.message(), "materials"));
  ask.add_materials()->set_material_name("申请书");
  ask.add_materials()->set_reason("why");
  s = f.desk->RequestSupplement(Staff(kA, "li"), ask).status();
  CHECK(absl::StrContains(s.message(), "materials[0].reason: required"));
  CHECK(absl::StrContains(s.message(), "materials[1].material_name: required"));

  approval::v1::RejectTaskRequest reject;
  reject.set_task_id(task);
  s = f.desk->Reject(Staff(kA, "li"), reject).status();
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(s.message(), "reason"));
  approval::v1::ApproveTaskRequest unknown;
  unknown.set_task_id("task_nope");
  CHECK(f.desk->Approve(Staff(kA, "li"), unknown).status().code() == absl::StatusCode::kNotFound);
  // Nothing was written by the refusals.
  CHECK(f.Statuses("app-v").size() == 1);
}

TEST_CASE("the queue lists the most urgent first, filters, and pages without repeats") {
  Fixture f;
  constexpr int kTasks = 120;
  for (int i = 0; i < kTasks; ++i) {
    f.clock.Advance(absl::Minutes(1));
    f.Open(absl::StrCat("app-", i), i % 3 == 0 ? "single" : "sequential");
  }
  std::set<std::string> seen;
  approval::v1::ListQueueRequest page;
  page.set_page_size(50);
  int pages = 0;
  absl::Time last_due = absl::InfinitePast();
  do {
    auto response = Ok(f.views->Queue(Staff(kA, "li"), page));
    ++pages;
    for (const auto& t : response.tasks()) {
      CHECK(seen.insert(t.task_id()).second);
      const absl::Time due = store::FromProtoTime(t.due_time());
      CHECK(due >= last_due);
      last_due = due;
    }
    page.set_page_token(response.next_page_token());
  } while (!page.page_token().empty());
  CHECK(seen.size() == kTasks);
  CHECK(pages == 3);

  approval::v1::ListQueueRequest by_stage;
  by_stage.set_stage("review");
  by_stage.set_page_size(200);
  CHECK(f.Queue(kA, by_stage).size() == 40);
  approval::v1::ListQueueRequest by_item;
  by_item.set_implementation_code(f.items.at("sequential").implementation_code());
  by_item.set_page_size(200);
  CHECK(f.Queue(kA, by_item).size() == 80);
  approval::v1::ListQueueRequest bad;
  bad.set_page_token("garbage");
  CHECK(f.views->Queue(Staff(kA, "li"), bad).status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("a queue filtered by stage is read from that stage's index, not the whole queue") {
  Fixture f;
  case_store::QueueQuery query;
  query.department_id = kA;
  query.stage_name = "review";
  std::string plan;
  REQUIRE(f.db->Read([&](store::Connection& db) {
                SQLite::Statement explain(db, "EXPLAIN QUERY PLAN " + case_store::QueueSql(query));
                while (explain.executeStep()) plan += explain.getColumn(3).getString();
                return absl::OkStatus();
              })
              .ok());
  CHECK_THAT(plan, Catch::Contains("tasks_by_stage (department_id=? AND stage_name=?)"));
}

TEST_CASE("the audit trail refuses changes and a case's lines are read through its index") {
  Fixture f;
  const auto c = f.Open("app-log", "sequential");
  f.Approve(kA, f.TaskOf(kA, c.case_id()).task_id());
  REQUIRE(f.db->Write([&](store::Connection& db) {
                CHECK(case_store::Audit(db, c.case_id(), 0, 100).size() >= 2);
                CHECK_THROWS_WITH(db.exec("UPDATE audit SET detail = 'x'"),
                                  Catch::Contains("append-only"));
                CHECK_THROWS_WITH(db.exec("DELETE FROM audit"), Catch::Contains("append-only"));
                // case_store's two reads, paged forward and latest first.
                for (const char* sql :
                     {"SELECT * FROM audit WHERE case_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                      "SELECT * FROM audit WHERE case_id = ? ORDER BY seq DESC LIMIT ?"}) {
                  std::string plan;
                  SQLite::Statement explain(db, std::string("EXPLAIN QUERY PLAN ") + sql);
                  while (explain.executeStep()) plan += explain.getColumn(3).getString();
                  CHECK_THAT(plan, Catch::Contains("USING INDEX audit_by_case"));
                  CHECK_THAT(plan, !Catch::Contains("TEMP B-TREE"));
                }
                return absl::OkStatus();
              })
              .ok());
}

// Runs `write` in one write transaction of `db`, which must commit.
void WriteIn(store::Database& db, const std::function<void(store::Connection&)>& write) {
  REQUIRE(db.Write([&](store::Connection& tx) {
              write(tx);
              return absl::OkStatus();
            }).ok());
}

// Writes `before` into a store as a release before migration `version`
// left it, upgrades the store, and runs `after` on it.
void AcrossUpgrade(int version, const std::function<void(store::Connection&)>& before,
                   const std::function<void(store::Connection&)>& after) {
  testing::TempDir dir;
  const std::string path = absl::StrCat(dir.path(), "/approval.db");
  {
    std::vector<store::Migration> migrations = ApprovalMigrations();
    while (!migrations.empty() && migrations.back().version >= version) migrations.pop_back();
    auto old = store::Database::Open({path}, migrations);
    REQUIRE(old.ok());
    WriteIn(**old, before);
  }
  auto upgraded = store::Database::Open({path}, ApprovalMigrations());
  REQUIRE(upgraded.ok());
  WriteIn(**upgraded, after);
}

TEST_CASE("audit lines written before the trail became one log are kept") {
  AcrossUpgrade(
      5,
      [](store::Connection& db) {
        db.exec(
            "INSERT INTO audit (case_id, seq, time, actor, actor_name, actor_department,"
            " action, task_id, stage_name, detail) VALUES"
            " ('case_b', 1, 10, 'intake', '', '', 'case.opened', '', '', ''),"
            " ('case_a', 2, 30, 'li', '李', 'A', 'task.approved', 'case_a.1', '受理', 'ok'),"
            " ('case_a', 1, 20, 'intake', '', '', 'case.opened', '', '', '')");
      },
      [](store::Connection& db) {
        const auto lines = case_store::Audit(db, "case_a", 0, 10);
        REQUIRE(lines.size() == 2);
        CHECK(lines[0].action() == "case.opened");
        CHECK(lines[1].actor_name() == "李");
        CHECK(lines[1].detail() == "ok");
        CHECK(case_store::LatestAudit(db, "case_b", 5).size() == 1);
        CHECK_THROWS(db.exec("DELETE FROM audit"));
      });
}

// Each index entry a decision moves is a random page written to the WAL;
// these two held entries that a decision rewrote and nothing read.
TEST_CASE("closing a case keeps its department index entry and a licence has no index to write") {
  Fixture f;
  REQUIRE(f.db->Read([](store::Connection& db) {
                std::vector<std::string> keyed_by;
                SQLite::Statement columns(db, "PRAGMA index_info(cases_by_department)");
                while (columns.executeStep()) keyed_by.push_back(columns.getColumn(2).getString());
                CHECK(keyed_by == std::vector<std::string>{"department_id", "open_time"});
                SQLite::Statement indexes(db, "PRAGMA index_list(licences)");
                CHECK_FALSE(indexes.executeStep());
                return absl::OkStatus();
              })
              .ok());
}

TEST_CASE("licences issued before the register lost its unique indexes keep their numbers") {
  AcrossUpgrade(
      6,
      [](store::Connection& db) {
        case_store::InsertLicence(db, 1, "case_a", "lic_a", "XK-2026-00000001",
                                  absl::FromUnixSeconds(1));
        case_store::InsertLicence(db, 2, "case_b", "lic_b", "XK-2026-00000002",
                                  absl::FromUnixSeconds(2));
      },
      [](store::Connection& db) {
        CHECK(case_store::NextLicenceSeq(db) == 3);
        SQLite::Statement kept(db, "SELECT case_id, number FROM licences WHERE seq = 2");
        REQUIRE(kept.executeStep());
        CHECK(kept.getColumn(0).getString() == "case_b");
        CHECK(kept.getColumn(1).getString() == "XK-2026-00000002");
      });
}

TEST_CASE("comments are internal audit entries of the departments concerned") {
  Fixture f;
  const auto c = f.Open("app-k", "all_of");
  f.Approve(kA, f.TaskOf(kA, c.case_id()).task_id());
  approval::v1::AddCommentRequest note;
  note.set_case_id(c.case_id());
  note.set_text("现场核查已安排");
  // A countersigner is concerned too.
  const auto entry = Ok(f.desk->Comment(Staff(kB, "zhao"), note));
  CHECK(entry.action() == "comment");
  CHECK(entry.actor() == "zhao");
  CHECK(entry.actor_department_id() == kB);
  CHECK(entry.detail() == "现场核查已安排");
  // Comments never reach the applicant.
  for (const auto& t : f.ToIntake("app-k")) {
    CHECK_FALSE(absl::StrContains(t.reason(), "现场核查"));
  }
}

TEST_CASE("the supervision report counts per department and rolls up by region") {
  Fixture f;
  // Two cases in Tianhe (A): one approved on time, one open; one in Yuexiu (B).
  const auto a1 = f.Open("app-1", "instant");
  f.Approve(kA, f.TaskOf(kA, a1.case_id()).task_id());
  f.Open("app-2", "single");
  f.Open("app-3", "yuexiu");
  // Past the Yuexiu case's 2-day limit (Mar 3-4).
  f.clock.Set(Cst(2026, 3, 5, 9));

  auto all = Ok(f.reports->Supervision(Operator(), {}));
  REQUIRE(all.departments_size() == 2);
  std::map<std::string, approval::v1::Timeliness> by_department;
  for (const auto& d : all.departments()) by_department[d.department_id()] = d.timeliness();
  CHECK(by_department[kA].closed_on_time() == 1);
  CHECK(by_department[kA].open() == 1);
  CHECK(by_department[kA].overdue() == 0);
  CHECK(by_department[kB].open() == 1);
  CHECK(by_department[kB].overdue() == 1);
  std::map<std::string, approval::v1::Timeliness> by_region;
  for (const auto& r : all.regions()) by_region[r.region_code()] = r.timeliness();
  CHECK(by_region["440100000000"].open() == 2);
  CHECK(by_region["440000000000"].closed_on_time() == 1);
  CHECK(by_region[kTianhe].open() == 1);

  approval::v1::SupervisionReportRequest tianhe;
  tianhe.set_region_code(kTianhe);
  auto narrow = Ok(f.reports->Supervision(Operator(), tianhe));
  REQUIRE(narrow.departments_size() == 1);
  CHECK(narrow.departments(0).department_id() == kA);
  for (const auto& r : narrow.regions()) CHECK(r.region_code() == kTianhe);

  // Staff see their own department only.
  auto own = Ok(f.reports->Supervision(Staff(kB, "zhao"), {}));
  REQUIRE(own.departments_size() == 1);
  CHECK(own.departments(0).department_id() == kB);
  approval::v1::SupervisionReportRequest other;
  other.set_department_id(kA);
  CHECK(f.reports->Supervision(Staff(kB, "zhao"), other).status().code() ==
        absl::StatusCode::kPermissionDenied);
  approval::v1::SupervisionReportRequest bad;
  bad.set_region_code("44");
  CHECK(f.reports->Supervision(Operator(), bad).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace onewindow::approval::test
