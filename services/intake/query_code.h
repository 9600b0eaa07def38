#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/auth/random.h"

namespace onewindow::intake {

// The query code on an applicant's receipt: with the application number it
// shows the case's progress without signing in, so it is a secret. Ten
// characters from 32 that people do not confuse (no 0/O, 1/I) carry 50
// bits; at the gateway's per-client rate that is out of reach of guessing.
inline constexpr int kQueryCodeLength = 10;

// A fresh code from `random` (the process aborts if the system's random
// source fails: a predictable code would open the case to anyone).
std::string NewQueryCode(auth::RandomPool& random);

// What a person typed, as stored: upper case, spaces and hyphens dropped.
// INVALID_ARGUMENT naming query_code when it cannot be a code.
absl::StatusOr<std::string> NormalizeQueryCode(absl::string_view typed);

// Compares in time independent of where the two differ.
bool QueryCodesEqual(absl::string_view stored, absl::string_view given);

}  // namespace onewindow::intake
