#include "services/complaint/metrics.h"

#include <SQLiteCpp/Statement.h>

#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/store/times.h"
#include "services/complaint/deadlines.h"

namespace onewindow::complaint {

ComplaintMetrics::ComplaintMetrics(prometheus::Registry& registry)
    : received_(&prometheus::BuildCounter()
                     .Name("onewindow_complaint_work_orders_received_total")
                     .Help("New work orders, by channel (repeated submissions not counted).")
                     .Register(registry)),
      ratings_(&prometheus::BuildCounter()
                    .Name("onewindow_complaint_ratings_total")
                    .Help("Service ratings, by level (1 very dissatisfied .. 5 very satisfied).")
                    .Register(registry)),
      escalations_(&prometheus::BuildCounter()
                        .Name("onewindow_complaint_escalations_total")
                        .Help("Deadline escalations (督办), by level: reminder or notice.")
                        .Register(registry)),
      open_(&prometheus::BuildGauge()
                 .Name("onewindow_complaint_open_work_orders")
                 .Help("Work orders not yet closed, by kind.")
                 .Register(registry)),
      overdue_(&prometheus::BuildGauge()
                    .Name("onewindow_complaint_overdue_work_orders")
                    .Help("Work orders being handled (received to handled, reopened ones"
                          " included) past their current deadline.")
                    .Register(registry)) {}

absl::Status ComplaintMetrics::RefreshOrderGauges(const store::Database& db, absl::Time now) {
  std::map<int, std::pair<int64_t, int64_t>> by_kind;
  absl::Status read = db.Read([&](store::Connection& c) {
    // Overdue as the supervision report counts it: by state, since a
    // reopened order keeps its first reply on record.
    SQLite::Statement select(c, absl::StrCat("SELECT kind, COUNT(*), SUM(", BeingHandledSql(),
                                             " AND due_time < ?)"
                                             " FROM work_orders WHERE state != ? GROUP BY kind"));
    select.bind(1, store::ToStoredTime(now));
    select.bind(2, static_cast<int>(complaint::v1::CLOSED));
    while (select.executeStep()) {
      by_kind[select.getColumn(0).getInt()] = {select.getColumn(1).getInt64(),
                                               select.getColumn(2).getInt64()};
    }
    return absl::OkStatus();
  });
  if (!read.ok()) return read;
  // Every kind gets a series, zeros included, so alerts see "0" not "absent".
  const google::protobuf::EnumDescriptor* kinds = complaint::v1::TicketKind_descriptor();
  for (int i = 0; i < kinds->value_count(); ++i) {
    const int number = kinds->value(i)->number();
    if (number == 0) continue;
    const std::string kind = absl::AsciiStrToLower(kinds->value(i)->name());
    const auto counts = by_kind[number];
    open_->Add({{"kind", kind}}).Set(static_cast<double>(counts.first));
    overdue_->Add({{"kind", kind}}).Set(static_cast<double>(counts.second));
  }
  return absl::OkStatus();
}

void ComplaintMetrics::OrderReceived(complaint::v1::Channel channel) {
  received_->Add({{"channel", absl::AsciiStrToLower(complaint::v1::Channel_Name(channel))}})
      .Increment();
}

void ComplaintMetrics::RatingReceived(int level) {
  ratings_->Add({{"level", absl::StrCat(level)}}).Increment();
}

void ComplaintMetrics::Escalated(int reminders, int notices) {
  if (reminders > 0) escalations_->Add({{"level", "reminder"}}).Increment(reminders);
  if (notices > 0) escalations_->Add({{"level", "notice"}}).Increment(notices);
}

}  // namespace onewindow::complaint
