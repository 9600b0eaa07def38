#include "services/complaint/policy.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace onewindow::complaint {

int Policy::LimitFor(complaint::v1::TicketKind kind, bool urgent) const {
  if (urgent) return urgent_limit_days;
  auto it = limit_days.find(kind);
  // Every kind has a default above; an unknown one gets the complaint limit.
  return it != limit_days.end() ? it->second : 5;
}

absl::StatusOr<std::map<complaint::v1::TicketKind, int>> ParseLimitDays(
    absl::string_view text, std::map<complaint::v1::TicketKind, int> base) {
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(part, '=');
    const std::string name(absl::StripAsciiWhitespace(kv.first));
    complaint::v1::TicketKind kind;
    if (!complaint::v1::TicketKind_Parse(name, &kind) ||
        kind == complaint::v1::TICKET_KIND_UNSPECIFIED) {
      return absl::InvalidArgumentError(absl::StrCat("unknown work-order kind \"", name, "\""));
    }
    int days = 0;
    if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(kv.second), &days) || days < 0 || days > 365) {
      return absl::InvalidArgumentError(
          absl::StrCat("limit for ", name, " must be 0..365 working days"));
    }
    base[kind] = days;
  }
  return base;
}

}  // namespace onewindow::complaint
