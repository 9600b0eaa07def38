#include "tools/bench/complaint_bench/preload.h"

#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/codes/credit_code.h"
#include "libs/status/macros.h"
#include "libs/store/database.h"
#include "libs/store/times.h"
#include "services/complaint/deadlines.h"
#include "services/complaint/order_writer.h"
#include "services/complaint/schema.h"
#include "services/complaint/work_order_store.h"

namespace onewindow::bench {
namespace {

namespace v1 = complaint::v1;

constexpr int kBatch = 20000;

std::string Department(int i) {
  const std::string first17 = absl::StrFormat("11440100%06dMB2", i);
  return first17 + codes::CreditCodeCheckChar(first17);
}

}  // namespace

absl::StatusOr<Preloaded> Preload(const PreloadSpec& spec) {
  ASSIGN_OR_RETURN(auto db, store::Database::Open({spec.path}, complaint::ComplaintMigrations()));
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> unit(0, 1);
  std::vector<std::string> departments;
  for (int i = 1; i <= 10; ++i) departments.push_back(Department(i));
  Preloaded out;
  for (int64_t done = 0; done < spec.orders;) {
    const int64_t n = std::min<int64_t>(kBatch, spec.orders - done);
    RETURN_IF_ERROR(db->Write([&](store::Connection& tx) -> absl::Status {
      for (int64_t k = 0; k < n; ++k) {
        const int64_t i = done + k;
        complaint::StoredOrder s;
        v1::WorkOrder& o = s.order;
        // Receipts over the past year; the queued ones are recent.
        const double r = unit(rng);
        const bool queued = r < spec.queue_share;
        const absl::Time received = spec.now - (queued ? absl::Minutes(unit(rng) * 60 * 24 * 3)
                                                       : absl::Minutes(unit(rng) * 60 * 24 * 365));
        o.set_work_order_id(absl::StrFormat("wo_pre%018d", i));
        o.set_number(absl::StrFormat("WO20250101-%09d", i));
        o.set_kind(static_cast<v1::TicketKind>(1 + i % 6));
        o.set_channel(i % 3 == 0 ? v1::HOTLINE : (i % 3 == 1 ? v1::WEB : v1::WINDOW));
        o.set_title("小区周边道路施工噪音扰民，夜间持续作业");
        o.set_description(
            "市民反映：某路段夜间22点后仍有大型机械施工，噪音严重影响休息，请相关部门核查处理。");
        o.mutable_complainant()->set_name("市民");
        o.mutable_complainant()->set_phone(absl::StrFormat("139%08d", i % 100000000));
        if (i % 3 == 1) o.mutable_complainant()->set_account_id(absl::StrCat("acc_", i % 50000));
        o.mutable_location()->set_region_code(absl::StrFormat("4401%02d000000", 3 + i % 12));
        if (o.channel() == v1::HOTLINE) {
          o.set_hotline_id("gz12345");
          o.set_hotline_ticket_id(absl::StrCat("PRE-", i));
        }
        *o.mutable_receive_time() = store::ToProtoTime(received);
        s.clock_start = received;
        *o.mutable_due_time() = store::ToProtoTime(received + absl::Hours(24 * 7));
        complaint::Record(o, received, "received", "hotline:gz12345");
        if (queued) {
          o.set_state(v1::RECEIVED);
          ++out.queued;
        } else {
          const std::string dept = departments[i % departments.size()];
          o.set_assigned_department_id(dept);
          o.set_state(v1::DISPATCHED);
          complaint::Record(o, received + absl::Hours(1), "dispatched", "dispatcher");
          const double p = unit(rng);
          if (p > 0.15) {
            o.set_state(v1::SIGNED_FOR);
            complaint::Record(o, received + absl::Hours(2), "signed_for", dept);
          }
          if (p > 0.2) {
            o.set_state(v1::HANDLED);
            complaint::Record(o, received + absl::Hours(30), "handled", dept);
            o.set_state(v1::REPLIED);
            o.set_reply("经核查，已责令施工单位调整作业时间。");
            *o.mutable_reply_time() = store::ToProtoTime(received + absl::Hours(31));
            o.set_replied_on_time(p > 0.25);
            complaint::Record(o, received + absl::Hours(31), "replied", dept);
          }
          if (p > 0.3) {
            o.set_callback_result(p > 0.4 ? v1::SATISFIED : v1::DISSATISFIED);
            o.set_state(v1::CLOSED);
            complaint::Record(o, received + absl::Hours(50), "closed", "system");
          }
        }
        if (complaint::IsBeingHandled(o.state()) && store::FromProtoTime(o.due_time()) < spec.now) {
          // Long overdue: escalated back then, so the sweep has nothing left.
          o.set_escalation_level(2);
          complaint::Record(o, store::FromProtoTime(o.due_time()), "escalated", "system", "notice");
        }
        complaint::WorkOrderStore::Insert(tx, s, complaint::NextEscalation(o, s.clock_start));
      }
      return absl::OkStatus();
    }));
    done += n;
  }
  out.orders = spec.orders;
  db->Close();
  return out;
}

}  // namespace onewindow::bench
