#include "services/catalog/coverage_gauges.h"

#include <SQLiteCpp/Statement.h>

#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "onewindow/catalog/v1/items.pb.h"
#include "onewindow/catalog/v1/regions.pb.h"

namespace onewindow::catalog {

CoverageGauges::CoverageGauges(prometheus::Registry& registry)
    : required_(prometheus::BuildGauge()
                    .Name("onewindow_catalog_required_items")
                    .Help("Items bodies must onboard, summed over the bodies of each level.")
                    .Register(registry)),
      onboarded_(prometheus::BuildGauge()
                     .Name("onewindow_catalog_onboarded_items")
                     .Help("Of the required items, those the body has published.")
                     .Register(registry)) {}

absl::Status CoverageGauges::Refresh(const store::Database& db) {
  std::map<int, std::pair<int64_t, int64_t>> by_level;
  absl::Status read = db.Read([&](store::Connection& c) {
    SQLite::Statement select(c,
                             "SELECT r.level, COUNT(*), SUM(EXISTS (SELECT 1 FROM items_current i"
                             "   WHERE i.department_credit_code = q.department_credit_code"
                             "     AND i.basic_code = q.basic_code AND i.state = ?))"
                             " FROM required_items q"
                             " JOIN departments d ON d.credit_code = q.department_credit_code"
                             " JOIN regions r ON r.code = d.region_code GROUP BY r.level");
    select.bind(1, static_cast<int>(catalog::v1::PUBLISHED));
    while (select.executeStep()) {
      by_level[select.getColumn(0).getInt()] = {select.getColumn(1).getInt64(),
                                                select.getColumn(2).getInt64()};
    }
    return absl::OkStatus();
  });
  if (!read.ok()) return read;
  // Every level gets a series, zeros included, so a ratio rule never sees
  // a level vanish.
  const google::protobuf::EnumDescriptor* levels = catalog::v1::RegionLevel_descriptor();
  for (int i = 0; i < levels->value_count(); ++i) {
    const int number = levels->value(i)->number();
    if (number == 0) continue;
    const std::string level = absl::AsciiStrToLower(levels->value(i)->name());
    const auto counts = by_level[number];
    required_.Add({{"level", level}}).Set(static_cast<double>(counts.first));
    onboarded_.Add({{"level", level}}).Set(static_cast<double>(counts.second));
  }
  return absl::OkStatus();
}

}  // namespace onewindow::catalog
