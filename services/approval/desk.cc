#include "services/approval/desk.h"

#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/auth/access.h"
#include "libs/codes/credit_code.h"
#include "libs/status/macros.h"
#include "libs/store/await.h"
#include "services/approval/access.h"

namespace onewindow::approval {
namespace {

// Reasons and comments are read by people; a page is plenty.
constexpr size_t kMaxRequestIdBytes = 128;

absl::Status NotFound(const std::string& task_id) {
  return absl::NotFoundError(absl::StrCat("task ", task_id, " not found"));
}

std::string StateProblem(const approval::v1::TaskState state) {
  switch (state) {
    case approval::v1::TASK_DONE:
      return "the task is already decided";
    case approval::v1::TASK_CANCELLED:
      return "the task was cancelled";
    case approval::v1::TASK_SUSPENDED:
      return "the case waits for the applicant's supplement";
    default:
      return "the task is not open";
  }
}

void CheckText(std::vector<std::string>& problems, const std::string& field,
               const std::string& text, bool required) {
  if (required && text.empty()) {
    problems.push_back(absl::StrCat(field, ": required"));
  } else if (text.size() > kMaxTextBytes) {
    problems.push_back(absl::StrCat(field, ": at most ", kMaxTextBytes, " bytes"));
  }
}

// A task keeps the request id of the last action on it, so a retry of
// that action answers as the first did. Keyed by the action: the id of a
// supplement request reused for the approval after it is a new request,
// not a retry to acknowledge and drop.
std::string ActionKey(const char* action, const std::string& request_id) {
  return request_id.empty() ? std::string() : absl::StrCat(action, ":", request_id);
}

// Request ids are client keys; longer ones are not ours to store.
void CheckRequestId(std::vector<std::string>& problems, const std::string& request_id) {
  if (request_id.size() > kMaxRequestIdBytes) {
    problems.push_back(absl::StrCat("request_id: longer than ", kMaxRequestIdBytes, " bytes"));
  }
}

absl::Status Problems(const std::vector<std::string>& problems) {
  if (problems.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrJoin(problems, "; "));
}

}  // namespace

struct Desk::Loaded {
  std::optional<TaskRecord> task;
  std::optional<CaseRecord> c;
  Process process;
  bool replayed = false;
};

absl::Status Desk::Load(store::Connection& tx, const auth::v1::Principal& principal,
                        const std::string& task_id, const std::string& request_id, Need need,
                        Loaded& loaded) const {
  loaded.task = case_store::FindTask(tx, task_id);
  if (!loaded.task.has_value() || loaded.task->t.department_id() != principal.department_id()) {
    return NotFound(task_id);
  }
  const approval::v1::Task& t = loaded.task->t;
  loaded.c = case_store::FindCase(tx, t.case_id());
  if (!loaded.c.has_value()) {
    return absl::InternalError(absl::StrCat("task ", task_id, " has no case ", t.case_id()));
  }
  if (!request_id.empty() && loaded.task->request_id == request_id) {
    loaded.replayed = true;
    return absl::OkStatus();
  }
  const bool live =
      t.state() == approval::v1::TASK_OPEN || t.state() == approval::v1::TASK_SUSPENDED;
  if (need == Need::kOpenTask ? t.state() != approval::v1::TASK_OPEN : !live) {
    return absl::FailedPreconditionError(StateProblem(t.state()));
  }
  if (need == Need::kOpenTask) {
    if (!t.claimed_by().empty() && t.claimed_by() != principal.subject()) {
      return absl::FailedPreconditionError(
          absl::StrCat("the task is claimed by ", t.claimed_by(), "; it must be released first"));
    }
    if (loaded.c->c.state() != approval::v1::OPEN) {
      return absl::FailedPreconditionError(absl::StrCat(
          "case ", t.case_id(), " is ", approval::v1::CaseState_Name(loaded.c->c.state())));
    }
    ASSIGN_OR_RETURN(loaded.process,
                     deps_.processes->GetStored(tx, loaded.c->c.implementation_code(),
                                                loaded.c->c.catalog_revision()));
  }
  return absl::OkStatus();
}

absl::StatusOr<approval::v1::DecisionResponse> Desk::Decide(const auth::v1::Principal& principal,
                                                            const std::string& task_id,
                                                            const std::string& request_id,
                                                            Apply apply) {
  return store::Await<absl::StatusOr<approval::v1::DecisionResponse>>([&](auto done) {
    DecideAsync(principal, task_id, request_id, std::move(apply), std::move(done));
  });
}

void Desk::DecideAsync(const auth::v1::Principal& principal, const std::string& task_id,
                       const std::string& request_id, Apply apply, DecisionDone done) {
  if (absl::Status refused = CheckCaseWorker(principal); !refused.ok()) return done(refused);
  const absl::Time now = deps_.clock->Now();
  auto response = std::make_shared<approval::v1::DecisionResponse>();
  deps_.db->WriteGroupedAsync(
      [this, &principal, &task_id, request_id = request_id, apply = std::move(apply), response,
       now](store::Connection& tx) mutable -> absl::Status {
        Loaded loaded;
        RETURN_IF_ERROR(Load(tx, principal, task_id, request_id, Need::kOpenTask, loaded));
        if (!loaded.replayed) RETURN_IF_ERROR(apply(tx, loaded, now));
        *response->mutable_task() = loaded.task->t;
        *response->mutable_case_() = loaded.c->c;
        return absl::OkStatus();
      },
      [this, response, done = std::move(done)](absl::Status written) mutable {
        if (!written.ok()) return done(written);
        deps_.Announce();
        done(std::move(*response));
      });
}

absl::StatusOr<approval::v1::DecisionResponse> Desk::Approve(
    const auth::v1::Principal& principal, const approval::v1::ApproveTaskRequest& request) {
  return store::Await<absl::StatusOr<approval::v1::DecisionResponse>>(
      [&](auto done) { ApproveAsync(principal, request, std::move(done)); });
}

void Desk::ApproveAsync(const auth::v1::Principal& principal,
                        const approval::v1::ApproveTaskRequest& request, DecisionDone done) {
  std::vector<std::string> problems;
  CheckText(problems, "task_id", request.task_id(), true);
  CheckText(problems, "comment", request.comment(), false);
  CheckRequestId(problems, request.request_id());
  if (absl::Status refused = Problems(problems); !refused.ok()) return done(refused);
  std::string key = ActionKey("approve", request.request_id());
  DecideAsync(
      principal, request.task_id(), key,
      [this, &request, key, actor = Actor::Of(principal)](store::Connection& tx, Loaded& l,
                                                          absl::Time now) {
        return deps_.flow->Approve(tx, *l.c, *l.process, *l.task, actor, request.comment(), key,
                                   now);
      },
      std::move(done));
}

absl::StatusOr<approval::v1::DecisionResponse> Desk::Reject(
    const auth::v1::Principal& principal, const approval::v1::RejectTaskRequest& request) {
  std::vector<std::string> problems;
  CheckText(problems, "task_id", request.task_id(), true);
  CheckText(problems, "reason", request.reason(), true);
  CheckRequestId(problems, request.request_id());
  RETURN_IF_ERROR(Problems(problems));
  const Actor actor = Actor::Of(principal);
  const std::string key = ActionKey("reject", request.request_id());
  return Decide(principal, request.task_id(), key,
                [&](store::Connection& tx, Loaded& l, absl::Time now) {
                  return deps_.flow->Reject(tx, *l.c, *l.task, actor, request.reason(), key, now);
                });
}

absl::StatusOr<approval::v1::DecisionResponse> Desk::RequestSupplement(
    const auth::v1::Principal& principal, const approval::v1::RequestSupplementRequest& request) {
  std::vector<std::string> problems;
  CheckText(problems, "task_id", request.task_id(), true);
  if (request.materials().empty()) {
    problems.push_back("materials: at least one (everything missing, at once)");
  } else if (request.materials_size() > kMaxSupplementItems) {
    problems.push_back(absl::StrCat("materials: at most ", kMaxSupplementItems));
  }
  for (int i = 0; i < request.materials_size() && i < kMaxSupplementItems; ++i) {
    const std::string field = absl::StrCat("materials[", i, "]");
    CheckText(problems, field + ".material_name", request.materials(i).material_name(), true);
    CheckText(problems, field + ".reason", request.materials(i).reason(), true);
  }
  CheckRequestId(problems, request.request_id());
  RETURN_IF_ERROR(Problems(problems));
  const Actor actor = Actor::Of(principal);
  const std::vector<approval::v1::SupplementItem> materials(request.materials().begin(),
                                                            request.materials().end());
  const std::string key = ActionKey("supplement", request.request_id());
  return Decide(principal, request.task_id(), key,
                [&](store::Connection& tx, Loaded& l, absl::Time now) -> absl::Status {
                  // Remembered on the task so a retry is recognised.
                  l.task->request_id = key;
                  case_store::UpdateTask(tx, *l.task);
                  RETURN_IF_ERROR(deps_.flow->Suspend(tx, *l.c, *l.task, materials, actor, now));
                  l.task = case_store::FindTask(tx, request.task_id());
                  return absl::OkStatus();
                });
}

absl::StatusOr<approval::v1::DecisionResponse> Desk::Transfer(
    const auth::v1::Principal& principal, const approval::v1::TransferTaskRequest& request) {
  std::vector<std::string> problems;
  CheckText(problems, "task_id", request.task_id(), true);
  CheckText(problems, "reason", request.reason(), true);
  if (request.to_department_id().empty()) {
    problems.push_back("to_department_id: required");
  } else if (absl::Status valid = codes::ValidateCreditCode(request.to_department_id());
             !valid.ok()) {
    problems.push_back(absl::StrCat("to_department_id: ", valid.message()));
  }
  CheckRequestId(problems, request.request_id());
  RETURN_IF_ERROR(Problems(problems));
  const Actor actor = Actor::Of(principal);
  const std::string key = ActionKey("transfer", request.request_id());
  return Decide(
      principal, request.task_id(), key,
      [&](store::Connection& tx, Loaded& l, absl::Time now) -> absl::Status {
        if (request.to_department_id() == l.task->t.department_id()) {
          return absl::InvalidArgumentError("to_department_id: the task is already there");
        }
        for (const TaskRecord& other : case_store::TasksOfCase(tx, l.c->c.case_id())) {
          if (other.t.stage_index() == l.task->t.stage_index() &&
              other.t.department_id() == request.to_department_id() &&
              other.t.state() != approval::v1::TASK_CANCELLED) {
            return absl::FailedPreconditionError(
                absl::StrCat(request.to_department_id(), " already signs this stage"));
          }
        }
        l.task->request_id = key;
        return deps_.flow->Transfer(tx, *l.c, *l.task, request.to_department_id(), request.reason(),
                                    actor, now);
      });
}

absl::StatusOr<approval::v1::Task> Desk::Claim(const auth::v1::Principal& principal,
                                               const std::string& task_id) {
  if (task_id.empty()) return absl::InvalidArgumentError("task_id: required");
  RETURN_IF_ERROR(CheckCaseWorker(principal));
  const absl::Time now = deps_.clock->Now();
  approval::v1::Task result;
  RETURN_IF_ERROR(deps_.db->WriteGrouped([&](store::Connection& tx) -> absl::Status {
    Loaded l;
    RETURN_IF_ERROR(Load(tx, principal, task_id, "", Need::kLiveTask, l));
    approval::v1::Task& t = l.task->t;
    if (t.claimed_by() == principal.subject()) {
      result = t;
      return absl::OkStatus();
    }
    if (!t.claimed_by().empty()) {
      return absl::FailedPreconditionError(absl::StrCat("the task is claimed by ", t.claimed_by()));
    }
    t.set_claimed_by(principal.subject());
    case_store::UpdateTask(tx, *l.task);
    Journal::Record(tx, *l.c, Actor::Of(principal), "task.claimed", task_id, t.stage_name(), "",
                    now);
    case_store::UpdateCase(tx, *l.c);
    result = t;
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<approval::v1::Task> Desk::Release(const auth::v1::Principal& principal,
                                                 const std::string& task_id) {
  if (task_id.empty()) return absl::InvalidArgumentError("task_id: required");
  RETURN_IF_ERROR(CheckCaseWorker(principal));
  const absl::Time now = deps_.clock->Now();
  approval::v1::Task result;
  RETURN_IF_ERROR(deps_.db->WriteGrouped([&](store::Connection& tx) -> absl::Status {
    Loaded l;
    RETURN_IF_ERROR(Load(tx, principal, task_id, "", Need::kLiveTask, l));
    approval::v1::Task& t = l.task->t;
    if (t.claimed_by().empty()) {
      result = t;
      return absl::OkStatus();
    }
    if (t.claimed_by() != principal.subject() && !auth::HasRole(principal, auth::kRoleDeptAdmin)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the task is claimed by ", t.claimed_by(), "; only they or a dept_admin may release it"));
    }
    const std::string holder = t.claimed_by();
    t.set_claimed_by("");
    case_store::UpdateTask(tx, *l.task);
    Journal::Record(tx, *l.c, Actor::Of(principal), "task.released", task_id, t.stage_name(),
                    absl::StrCat("was claimed by ", holder), now);
    case_store::UpdateCase(tx, *l.c);
    result = t;
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<approval::v1::AuditEntry> Desk::Comment(
    const auth::v1::Principal& principal, const approval::v1::AddCommentRequest& request) {
  std::vector<std::string> problems;
  CheckText(problems, "case_id", request.case_id(), true);
  CheckText(problems, "text", request.text(), true);
  RETURN_IF_ERROR(Problems(problems));
  RETURN_IF_ERROR(CheckCaseWorker(principal));
  const absl::Time now = deps_.clock->Now();
  approval::v1::AuditEntry result;
  RETURN_IF_ERROR(deps_.db->WriteGrouped([&](store::Connection& tx) -> absl::Status {
    std::optional<CaseRecord> record = case_store::FindCase(tx, request.case_id());
    if (!record.has_value()) {
      return absl::NotFoundError(absl::StrCat("case ", request.case_id(), " not found"));
    }
    const std::vector<TaskRecord> tasks = case_store::TasksOfCase(tx, request.case_id());
    RETURN_IF_ERROR(CheckCaseReader(principal, record->c, tasks));
    std::string stage_name = record->c.stage_name();
    if (!request.task_id().empty()) {
      bool found = false;
      for (const TaskRecord& t : tasks) {
        if (t.t.task_id() == request.task_id()) {
          found = true;
          stage_name = t.t.stage_name();
        }
      }
      if (!found) return absl::InvalidArgumentError("task_id: not a task of this case");
    }
    const int64_t seq = Journal::Record(tx, *record, Actor::Of(principal), "comment",
                                        request.task_id(), stage_name, request.text(), now);
    case_store::UpdateCase(tx, *record);
    for (auto& entry : case_store::Audit(tx, request.case_id(), seq - 1, 1)) result = entry;
    return absl::OkStatus();
  }));
  return result;
}

}  // namespace onewindow::approval
