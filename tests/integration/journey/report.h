#pragma once

// How the journey reports: every failure names its step and shows what came
// back. Helpers FAIL the running Catch2 test case.

#include <catch2/catch.hpp>

#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/status/proto_json.h"
#include "tests/integration/journey/text.h"

namespace onewindow::journey {

// Outbox hand-offs are asynchronous; this is how long any of them may take.
inline constexpr absl::Duration kAsyncDeadline = absl::Seconds(30);

// `json` (an answer described by `what`) parsed as a Message, unknown
// fields ignored; FAILs `step` if it does not parse.
template <typename Message>
Message Parse(const std::string& step, const std::string& what, const std::string& json) {
  Message m;
  status::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  absl::Status s = status::JsonToMessage(json, &m, options);
  if (!s.ok()) {
    FAIL(step << ": " << what << " is not a " << m.GetTypeName() << " (" << s.message()
              << "): " << Shorten(json));
  }
  return m;
}

// Calls `done` until it holds; FAILs `step` after `timeout`, showing `last`
// (which `done` keeps describing the latest answer).
template <typename Fn>
void PollUntil(const std::string& step, const std::string& what, const std::string& last, Fn done,
               absl::Duration timeout = kAsyncDeadline) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!done()) {
    if (absl::Now() > deadline) {
      FAIL(step << ": still not " << what << " after " << absl::FormatDuration(timeout)
                << "; last answer: " << last);
    }
    absl::SleepFor(absl::Milliseconds(100));  // the poll interval, not synchronisation
  }
}

}  // namespace onewindow::journey
