#pragma once

#include "absl/time/time.h"

namespace onewindow::notification {

// Hours (China Standard Time) during which non-urgent SMS wait: a text at
// 23:00 about an accepted application can wait until morning; e-mail,
// webhooks and the in-app message are not held.
struct QuietHours {
  int start_hour = 22;  // Inclusive.
  int end_hour = 8;     // Exclusive: 08:00 is outside.
};

bool InQuietHours(absl::Time t, const QuietHours& quiet = {});

// When a held SMS may go: `t` itself outside quiet hours, else the next
// end_hour:00 CST.
absl::Time QuietHoursRelease(absl::Time t, const QuietHours& quiet = {});

}  // namespace onewindow::notification
