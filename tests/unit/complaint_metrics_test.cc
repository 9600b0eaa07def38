// The work-order gauges read back from a real prometheus::Registry, as
// /metrics would serve them, after refreshes over a store that changes.
// Prints the compared maps when a check fails.
#define CATCH_CONFIG_ENABLE_PAIR_STRINGMAKER

#include <prometheus/registry.h>

#include <optional>

#include "services/complaint/metrics.h"
#include "tests/unit/complaint_fixture.h"

namespace onewindow::complaint::testing {
namespace {

constexpr char kOpen[] = "onewindow_complaint_open_work_orders";
constexpr char kOverdue[] = "onewindow_complaint_overdue_work_orders";

// Every {kind} series of gauge `name` with its value; absent kinds are
// absent here too, so a test can tell "0" from "never set".
std::map<std::string, double> SeriesByKind(prometheus::Registry& registry,
                                           const std::string& name) {
  std::map<std::string, double> out;
  for (const prometheus::MetricFamily& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const prometheus::ClientMetric& metric : family.metric) {
      std::optional<std::string> kind;
      for (const prometheus::ClientMetric::Label& label : metric.label) {
        if (label.name == "kind") kind = label.value;
      }
      REQUIRE(kind.has_value());
      out[*kind] = metric.gauge.value;
    }
  }
  return out;
}

// Every submittable kind plus rectification: the series alerts expect.
const std::map<std::string, double> kAllZero = {
    {"consultation", 0}, {"help_request", 0}, {"complaint", 0},    {"report", 0},
    {"suggestion", 0},   {"praise", 0},       {"rectification", 0}};

std::map<std::string, double> ZeroExcept(std::map<std::string, double> values) {
  std::map<std::string, double> out = kAllZero;
  for (const auto& [kind, value] : values) out[kind] = value;
  return out;
}

TEST_CASE("the work order gauges count open and overdue orders per kind and follow changes") {
  Fixture f;
  prometheus::Registry registry;
  ComplaintMetrics metrics(registry);

  // Complaints are due at the end of Friday 10 April, consultations at the
  // end of Wednesday 8 April (Qingming skipped).
  const std::string closed = f.Complain().work_order_id();
  const std::string replied = f.Complain().work_order_id();
  const std::string late = f.Complain().work_order_id();
  v1::SubmitWorkOrderRequest r;
  r.set_kind(v1::CONSULTATION);
  r.set_title("社保怎么转移？");
  r.set_contact_phone("13800138000");
  const v1::WorkOrder consultation = Fixture::Ok(f.intake->Submit(&f.principals["citizen-1"], r));
  REQUIRE(store::FromProtoTime(consultation.due_time()) == Cst(2026, 4, 9));

  REQUIRE(metrics.RefreshOrderGauges(*f.db, f.clock.Now()).ok());
  CHECK(SeriesByKind(registry, kOpen) == ZeroExcept({{"complaint", 3}, {"consultation", 1}}));
  CHECK(SeriesByKind(registry, kOverdue) == kAllZero);

  // Between the two deadlines only the consultation is overdue.
  REQUIRE(metrics.RefreshOrderGauges(*f.db, Cst(2026, 4, 10)).ok());
  CHECK(SeriesByKind(registry, kOpen) == ZeroExcept({{"complaint", 3}, {"consultation", 1}}));
  CHECK(SeriesByKind(registry, kOverdue) == ZeroExcept({{"consultation", 1}}));

  // One complaint closes, one is replied to in time (still open, waiting for
  // its callback), the consultation is answered and closes.
  for (const std::string& id : {closed, replied, consultation.work_order_id()}) {
    f.ThroughReply(id, kRoads);
  }
  f.Callback(closed, f.principals["citizen-1"], v1::SATISFIED);
  f.Callback(consultation.work_order_id(), f.principals["citizen-1"], v1::SATISFIED);

  // After every deadline: the replied complaint is open but not overdue, the
  // untouched one is both, and the consultation's series fall back to 0
  // rather than keeping their old values.
  REQUIRE(metrics.RefreshOrderGauges(*f.db, Cst(2026, 4, 20)).ok());
  CHECK(SeriesByKind(registry, kOpen) == ZeroExcept({{"complaint", 2}}));
  CHECK(SeriesByKind(registry, kOverdue) == ZeroExcept({{"complaint", 1}}));
  CHECK(Fixture::Ok(f.queries->Get(&f.principals["citizen-1"], late)).state() == v1::RECEIVED);
}

TEST_CASE("a reopened order past its new deadline counts as overdue, as the report says") {
  Fixture f;
  prometheus::Registry registry;
  ComplaintMetrics metrics(registry);
  const std::string id = f.Complain().work_order_id();
  f.ThroughReply(id, kRoads);
  // The citizen is not satisfied: the order goes back to the department
  // with a fresh deadline, its first reply still on record.
  f.Callback(id, f.principals["citizen-1"], v1::DISSATISFIED);
  const v1::WorkOrder reopened = Fixture::Ok(f.queries->Get(&f.principals["citizen-1"], id));
  REQUIRE(reopened.state() == v1::DISPATCHED);
  const absl::Time late = store::FromProtoTime(reopened.due_time()) + absl::Hours(1);

  REQUIRE(metrics.RefreshOrderGauges(*f.db, late).ok());
  CHECK(SeriesByKind(registry, kOverdue) == ZeroExcept({{"complaint", 1}}));
}

}  // namespace
}  // namespace onewindow::complaint::testing
