#pragma once

#include <map>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "onewindow/complaint/v1/complaint.pb.h"

namespace onewindow::complaint {

// The local practice DOMAIN.md lists as project defaults, configurable per
// deployment (flags in main.cc). All limits are working days counted by
// libs/workday: 0 means "the same day".
struct Policy {
  // Handle-and-reply limit per kind.
  std::map<complaint::v1::TicketKind, int> limit_days = {
      {complaint::v1::CONSULTATION, 3},  {complaint::v1::HELP_REQUEST, 3},
      {complaint::v1::COMPLAINT, 5},     {complaint::v1::REPORT, 10},
      {complaint::v1::SUGGESTION, 10},   {complaint::v1::PRAISE, 5},
      {complaint::v1::RECTIFICATION, 15}};
  // Urgent matters: the same day whatever the kind.
  int urgent_limit_days = 0;
  // Total extension a dispatcher may grant one order.
  int max_extension_days = 10;
  // A department may return a mis-dispatched order this long after dispatch.
  int return_window_days = 2;
  // The callback is due this long after the reply.
  int callback_days = 1;
  // Departments whose complaint_handler staff are dispatchers (the 12345
  // centre); they see complainants in full and run the dispatch queue.
  std::set<std::string> dispatch_departments;

  int LimitFor(complaint::v1::TicketKind kind, bool urgent) const;
};

// Parses "COMPLAINT=5,CONSULTATION=3": kind names as in the proto, days
// 0..365. Kinds not named keep their current value in `base`.
absl::StatusOr<std::map<complaint::v1::TicketKind, int>> ParseLimitDays(
    absl::string_view text, std::map<complaint::v1::TicketKind, int> base);

}  // namespace onewindow::complaint
