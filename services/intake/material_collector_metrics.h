#pragma once

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include "libs/log/logger.h"
#include "services/intake/material_collector.h"

namespace onewindow::intake {

// Runs passes of a MaterialCollector and tells what they removed:
// onewindow_intake_orphan_materials_collected_total,
// onewindow_intake_orphan_material_bytes_total and one info line per pass
// that removed something (counts only: no owner, no file name). Run by a
// server::PeriodicTask.
class MaterialCollectorMetrics {
 public:
  MaterialCollectorMetrics(prometheus::Registry& registry, log::Logger logger,
                           MaterialCollector* collector);

  void RunPass();

 private:
  prometheus::Counter& materials_;
  prometheus::Counter& bytes_;
  const log::Logger logger_;
  MaterialCollector* const collector_;
};

}  // namespace onewindow::intake
