#include "services/intake/material_collector_metrics.h"

#include <string>

namespace onewindow::intake {

MaterialCollectorMetrics::MaterialCollectorMetrics(prometheus::Registry& registry,
                                                   log::Logger logger, MaterialCollector* collector)
    : materials_(prometheus::BuildCounter()
                     .Name("onewindow_intake_orphan_materials_collected_total")
                     .Help("Materials deleted because no application listed them in time.")
                     .Register(registry)
                     .Add({})),
      bytes_(prometheus::BuildCounter()
                 .Name("onewindow_intake_orphan_material_bytes_total")
                 .Help("Bytes of material files removed once no material named their content.")
                 .Register(registry)
                 .Add({})),
      logger_(std::move(logger)),
      collector_(collector) {}

void MaterialCollectorMetrics::RunPass() {
  Collected collected;
  const absl::Status status = collector_->Collect(&collected);
  // What went before a failure went for good: count it either way.
  materials_.Increment(static_cast<double>(collected.materials));
  bytes_.Increment(static_cast<double>(collected.bytes));
  if (collected.materials + collected.files > 0) {
    logger_.Info("collected unattached materials", {{"materials", collected.materials},
                                                    {"files", collected.files},
                                                    {"bytes", collected.bytes},
                                                    {"orphan_files", collected.orphan_files}});
  }
  if (collected.kept_unreadable > 0) {
    logger_.Warn("materials kept: an application record of their owner does not parse",
                 {{"materials", collected.kept_unreadable}});
  }
  if (!status.ok()) {
    // Retried by the next pass; nothing is lost meanwhile but disk space.
    logger_.Warn("material collection stopped",
                 {{"error", std::string(status.message())},
                  {"code", absl::StatusCodeToString(status.code())}});
  }
}

}  // namespace onewindow::intake
