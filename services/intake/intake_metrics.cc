#include "services/intake/intake_metrics.h"

#include "absl/strings/ascii.h"
#include "absl/time/clock.h"
#include "services/intake/applications.h"

namespace onewindow::intake {

IntakeMetrics::IntakeMetrics(prometheus::Registry& registry)
    : submitted_(prometheus::BuildCounter()
                     .Name("onewindow_intake_applications_submitted_total")
                     .Help("Submissions answered with an application, by channel.")
                     .Register(registry)),
      uploads_(prometheus::BuildCounter()
                   .Name("onewindow_intake_materials_uploaded_total")
                   .Help("Materials stored, by content type.")
                   .Register(registry)),
      upload_bytes_(prometheus::BuildCounter()
                        .Name("onewindow_intake_material_bytes_total")
                        .Help("Bytes of materials stored.")
                        .Register(registry)
                        .Add({})),
      transitions_(prometheus::BuildCounter()
                       .Name("onewindow_intake_transitions_total")
                       .Help("Steps approval reported and intake applied, by status.")
                       .Register(registry)) {
  // Looked up once: finding a series by its labels (building, hashing and
  // comparing them under the family's lock) cost every submission 1.7k
  // instructions on the store's completing thread.
  const google::protobuf::EnumDescriptor* channels = intake::v1::Channel_descriptor();
  for (int i = 0; i < channels->value_count(); ++i) {
    const int number = channels->value(i)->number();
    if (number == intake::v1::CHANNEL_UNSPECIFIED) continue;
    submitted_by_channel_[number] = &SubmittedSeries(static_cast<intake::v1::Channel>(number));
  }
}

prometheus::Counter& IntakeMetrics::SubmittedSeries(intake::v1::Channel channel) {
  return submitted_.Add({{"channel", absl::AsciiStrToLower(intake::v1::Channel_Name(channel))}});
}

void IntakeMetrics::Submitted(intake::v1::Channel channel) {
  auto it = submitted_by_channel_.find(channel);
  // A channel without a series of its own (unspecified, or a number this
  // build does not know) is looked up by its name as it comes.
  (it != submitted_by_channel_.end() ? *it->second : SubmittedSeries(channel)).Increment();
}

void IntakeMetrics::Uploaded(int64_t bytes, absl::string_view content_type) {
  uploads_.Add({{"content_type", std::string(content_type)}}).Increment();
  upload_bytes_.Increment(static_cast<double>(bytes));
}

void IntakeMetrics::Transition(intake::v1::ApplicationStatus status) {
  transitions_.Add({{"status", absl::AsciiStrToLower(intake::v1::ApplicationStatus_Name(status))}})
      .Increment();
}

StatusGauges::StatusGauges(prometheus::Registry& registry, Applications* applications)
    : gauges_(prometheus::BuildGauge()
                  .Name("onewindow_intake_applications")
                  .Help("Applications now in each status.")
                  .Register(registry)),
      applications_(applications) {}

void StatusGauges::Refresh() {
  auth::v1::Principal self;
  self.set_kind(auth::v1::SERVICE);
  self.set_subject("intake");
  absl::StatusOr<intake::v1::ApplicationStats> stats =
      applications_->Stats(self, intake::v1::GetApplicationStatsRequest(), absl::Now());
  if (!stats.ok()) return;  // The next round tries again; gauges keep their last value.
  for (const intake::v1::StatusCount& c : stats->statuses()) {
    gauges_.Add({{"status", absl::AsciiStrToLower(intake::v1::ApplicationStatus_Name(c.status()))}})
        .Set(static_cast<double>(c.count()));
  }
}

}  // namespace onewindow::intake
