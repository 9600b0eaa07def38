#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace onewindow::bench {

struct PreloadSpec {
  std::string path;          // the approval.db to create
  std::string calendar_dir;  // holiday calendars for the clocks
  int64_t closed_cases = 0;  // approved long ago, over 1,000 departments
  int department_tasks = 0;  // open, all in one department's queue
  int decision_tasks = 0;    // open, one per decision to measure
};

struct DecisionTask {
  std::string task_id;
  std::string department;
};

struct Preloaded {
  std::string big_department;
  std::string big_department_item;
  std::vector<DecisionTask> decision_tasks;
  // RecordTransition events the decisions will send.
  int64_t expected_transitions = 0;
};

// Writes the store through approval's own schema and row store, in large
// transactions, without outbox events (the preloaded history was delivered
// long ago).
absl::StatusOr<Preloaded> Preload(const PreloadSpec& spec);

}  // namespace onewindow::bench
