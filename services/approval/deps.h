#pragma once

#include <functional>

#include "libs/store/database.h"
#include "libs/workday/clock.h"
#include "services/approval/deadlines.h"
#include "services/approval/flow.h"
#include "services/approval/processes.h"

namespace onewindow::approval {

// What approval's domain classes share; none of it is owned.
struct Deps {
  store::Database* db;
  const workday::Clock* clock;
  const Deadlines* deadlines;
  const Flow* flow;
  Processes* processes;
  // Called after a commit that enqueued outbox events (wakes the relay).
  std::function<void()> events_written;

  void Announce() const {
    if (events_written) events_written();
  }
};

}  // namespace onewindow::approval
